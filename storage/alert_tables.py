"""Tables of the alerts (预警): subscriptions, settings, tracked conditions and the outbox.

Imported by one line at the end of ``storage/tables.py`` so Alembic sees them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class AlertSubscriptionRow(SQLModel, table=True):
    """A chat subscribed to one topic (库存, 应付 …); ``active`` false once ended (退订, chat gone)."""

    __tablename__ = "alert_subscription"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    chat_id: int = Field(primary_key=True, sa_type=BigInteger)
    topic: str = Field(primary_key=True, max_length=8)
    active: bool = True
    subscribed_by: int = Field(sa_type=BigInteger)
    subscribed_at: datetime = Field(sa_type=UtcDateTime)


class AlertSettingsRow(SQLModel, table=True):
    """设置 预警 …; a workspace without a row has the defaults."""

    __tablename__ = "alert_settings"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    digest_at: str = Field(default="21:00", max_length=5)
    quiet_from: str | None = Field(default=None, max_length=5)
    quiet_until: str | None = Field(default=None, max_length=5)
    sales_days: int = 7
    payables_days: int = 3
    expiry_days: int = 30


class AlertConditionRow(SQLModel, table=True):
    """A condition a rule reported (A001 below safety stock); the primary key stops two
    processes from raising the same condition twice."""

    __tablename__ = "alert_condition"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    rule: str = Field(primary_key=True, max_length=30)
    subject: str = Field(primary_key=True, max_length=64)
    active: bool
    raised_at: datetime = Field(sa_type=UtcDateTime)
    alerted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    snoozed_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    alert: str = Field(default="", sa_type=Text)  # the latest alert, JSON


class AlertOutboxRow(SQLModel, table=True):
    """One alert for one chat. Written with the condition in one transaction; the unique
    dedupe key means an alert is queued once; a sender claims rows with a lease."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        UniqueConstraint("workspace_id", "chat_id", "rule", "subject", "period", name="uq_alert_outbox_dedupe"),
        Index("ix_alert_outbox_due", "workspace_id", "status", "not_before"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    rule: str = Field(max_length=30)
    subject: str = Field(max_length=64)
    period: str = Field(max_length=24)
    alert: str = Field(sa_type=Text)  # JSON, Decimals as strings
    show_money: bool = False
    status: str = Field(default="pending", max_length=8)  # pending, sent, failed
    created_at: datetime = Field(sa_type=UtcDateTime)
    not_before: datetime = Field(sa_type=UtcDateTime)
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=40)
    claimed_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str = Field(default="", max_length=200)
