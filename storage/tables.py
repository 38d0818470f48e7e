"""The tables. Every key includes ``workspace_id`` so the books can be sharded by workspace
(Citus) without a rewrite; ids inside a workspace come from its own counters.

Production never calls ``create_all``: Alembic migrations in ``storage/migrations`` create these.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import Fen, Milli, PriceE4, UtcDateTime


class WorkspaceRow(SQLModel, table=True):
    """One business (账套)."""

    __tablename__ = "workspace"

    id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(max_length=60)
    timezone: str = Field(default="Asia/Shanghai", max_length=40)
    created_at: datetime = Field(sa_type=UtcDateTime)
    allow_negative: bool = False  # 设置 负库存 允许
    tax_rate: Decimal | None = Field(default=None, sa_type=PriceE4)  # 设置 税率 13% (0.13)


class WarehouseRow(SQLModel, table=True):
    __tablename__ = "warehouse"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(max_length=30)
    is_default: bool = False


class ProductRow(SQLModel, table=True):
    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("workspace_id", "code"),
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    code: str = Field(max_length=32)
    name: str = Field(max_length=60)
    unit: str = Field(max_length=8)
    spec: str = Field(default="", max_length=60)
    category: str = Field(default="", max_length=60)
    barcode: str = Field(default="", max_length=60)
    purchase_price: Decimal | None = Field(default=None, sa_type=PriceE4)
    sale_price: Decimal | None = Field(default=None, sa_type=PriceE4)
    safety_stock: Decimal | None = Field(default=None, sa_type=Milli)
    max_stock: Decimal | None = Field(default=None, sa_type=Milli)
    active: bool = True
    packs: str = Field(default="", max_length=100)  # packing units, "箱=24;包=6"
    batch_managed: bool = False  # valuation (issue 5): batches and expiry
    shelf_life_days: int | None = None
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class StockBalanceRow(SQLModel, table=True):
    """The derived balance per product and warehouse, kept in the movement's transaction."""

    __tablename__ = "stock_balance"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    product_id: int = Field(primary_key=True, sa_type=BigInteger)
    warehouse_id: int = Field(primary_key=True, sa_type=BigInteger)
    quantity: Decimal = Field(sa_type=Milli)
    value: Decimal = Field(sa_type=Fen)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class StockMovementRow(SQLModel, table=True):
    """The stock ledger: appended, never updated or deleted."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        # A document number may cover several movements (a transfer's two legs, a stocktake).
        Index("ix_stock_movement_number", "workspace_id", "number"),
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
        Index("ix_stock_movement_product", "workspace_id", "product_id", "id"),
        Index("ix_stock_movement_occurred", "workspace_id", "occurred_at"),
        # A movement can be reversed once; the database refuses a second reversal outright.
        UniqueConstraint("workspace_id", "reverses_id", name="uq_stock_movement_reverses"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    number: str = Field(max_length=20)
    kind: str = Field(max_length=20)
    product_id: int = Field(sa_type=BigInteger)
    warehouse_id: int = Field(sa_type=BigInteger)
    quantity: Decimal = Field(sa_type=Milli)
    value: Decimal = Field(sa_type=Fen)
    balance_quantity: Decimal = Field(sa_type=Milli)
    balance_value: Decimal = Field(sa_type=Fen)
    unit_price: Decimal | None = Field(default=None, sa_type=PriceE4)
    counterparty: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=200)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    actor_id: int = Field(sa_type=BigInteger)
    actor_name: str = Field(max_length=64)
    chat_id: int = Field(sa_type=BigInteger)
    reverses_id: int | None = Field(default=None, sa_type=BigInteger)


class CounterRow(SQLModel, table=True):
    """Per-workspace sequences (row ids, document numbers); gap-free because they roll back."""

    __tablename__ = "counter"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    key: str = Field(primary_key=True, max_length=40)
    value: int = Field(sa_type=BigInteger)


class MemberRow(SQLModel, table=True):
    """A person's role in a workspace; ``warehouses`` lists warehouse ids ("" = all)."""

    __tablename__ = "member"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        Index("ix_member_user", "user_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    user_id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(max_length=64)
    username: str = Field(default="", max_length=64)
    role: str = Field(max_length=8)
    warehouses: str = Field(default="", max_length=400)
    joined_at: datetime = Field(sa_type=UtcDateTime)


class InvitationRow(SQLModel, table=True):
    __tablename__ = "invitation"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    code: str = Field(primary_key=True, max_length=24)
    role: str = Field(max_length=8)
    created_by: int = Field(sa_type=BigInteger)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_by: int | None = Field(default=None, sa_type=BigInteger)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ChatBindingRow(SQLModel, table=True):
    """Which workspace a chat works in. Keyed by chat alone: a chat belongs to at most one
    workspace. (Sharded, this is the one routing table: a Citus reference table.)"""

    __tablename__ = "chat_binding"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    chat_id: int = Field(primary_key=True, sa_type=BigInteger)
    workspace_id: int = Field(sa_type=BigInteger, index=True)
    show_sensitive: bool = False
    bound_by: int = Field(sa_type=BigInteger)
    bound_at: datetime = Field(sa_type=UtcDateTime)


class AuditEntryRow(SQLModel, table=True):
    """The audit log: appended, never updated or deleted."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        UniqueConstraint("workspace_id", "undoes"),
        Index("ix_audit_user", "workspace_id", "user_id", "id"),
        Index("ix_audit_subject", "workspace_id", "subject", "id"),
        Index("ix_audit_number", "workspace_id", "number"),
        Index("ix_audit_at", "workspace_id", "at"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    at: datetime = Field(sa_type=UtcDateTime)
    user_id: int = Field(sa_type=BigInteger)
    user_name: str = Field(max_length=64)
    chat_id: int = Field(sa_type=BigInteger)
    text: str = Field(default="", max_length=1000)
    action: str = Field(max_length=20)
    subject: str = Field(default="", max_length=64)
    number: str = Field(default="", max_length=24)
    numbers: str = Field(default="", max_length=400)
    changes: str = Field(default="", max_length=4000)
    undoes: int | None = Field(default=None, sa_type=BigInteger)


class ProcessedUpdateRow(SQLModel, table=True):
    """Telegram updates that took effect, recorded in the transaction of their effects."""

    __tablename__ = "processed_update"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
        # 新建账套 has no workspace yet when it checks for a redelivery: look up by update alone.
        Index("ix_processed_update_update", "update_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    update_id: int = Field(primary_key=True, sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    recorded_at: datetime = Field(sa_type=UtcDateTime)


class ConfirmationRow(SQLModel, table=True):
    """What a pending "are you sure?" button runs, who may press it, and until when."""

    __tablename__ = "confirmation"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    token: str = Field(primary_key=True, max_length=24)
    user_id: int = Field(sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    text: str = Field(max_length=1100)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used: bool = False


class StocktakeRow(SQLModel, table=True):
    """A count (盘点) of one warehouse: open until confirmed (gains and losses booked) or cancelled."""

    __tablename__ = "stocktake"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
        Index("ix_stocktake_open", "workspace_id", "warehouse_id", "status"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    number: str = Field(max_length=20)
    warehouse_id: int = Field(sa_type=BigInteger)
    status: str = Field(max_length=10)
    opened_by: str = Field(max_length=64)
    opened_at: datetime = Field(sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class StocktakeLineRow(SQLModel, table=True):
    """A counted product: the count and the book quantity at the moment of counting."""

    __tablename__ = "stocktake_line"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "stocktake_id"], ["stocktake.workspace_id", "stocktake.id"]),
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    stocktake_id: int = Field(primary_key=True, sa_type=BigInteger)
    product_id: int = Field(primary_key=True, sa_type=BigInteger)
    counted: Decimal = Field(sa_type=Milli)
    book_quantity: Decimal = Field(sa_type=Milli)
    counted_at: datetime = Field(sa_type=UtcDateTime)
    counted_by: str = Field(max_length=64)


class PartnerRow(SQLModel, table=True):
    """A supplier (供应商) or customer (客户); names are unique per kind within a workspace."""

    __tablename__ = "partner"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "name"),
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    kind: str = Field(max_length=8)
    name: str = Field(max_length=30)
    contact: str = Field(default="", max_length=30)
    phone: str = Field(default="", max_length=20)
    terms_days: int = 0
    credit_limit: Decimal | None = Field(default=None, sa_type=Fen)
    created_at: datetime = Field(sa_type=UtcDateTime)
    lead_days: int | None = None  # 交期 of a supplier (valuation area, issue 5: 补货建议)


# Areas in modules of their own, imported here so that every table is known to the metadata.
from storage.valuation_tables import (  # noqa: E402,F401  (valuation)
    CostLayerDrawRow,
    CostLayerRow,
    StockBatchMoveRow,
    StockBatchRow,
    StockThresholdRow,
    ValuationSettingRow,
)


from storage.document_tables import *  # noqa: E402,F401,F403  (registers the documents tables)
from storage import entry_tables  # noqa: E402,F401  (faster entry: lookup_choice, import_job)
import storage.report_tables  # noqa: E402,F401  (reports: indexes on the ledger)

from storage import alert_tables  # noqa: E402,F401  (alerts: subscriptions, conditions, outbox)
