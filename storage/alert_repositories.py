"""Storage of the alerts: subscriptions, settings, conditions, the outbox, and the two
read models the rules need (stock levels with recent sales, one day's trading)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlmodel import Session

from domain.alerts import (
    AlertSettings,
    Condition,
    DayFigures,
    OutboxEntry,
    StockLevel,
    Subscription,
    Topic,
    alert_from_dict,
    alert_to_dict,
)
from domain.money import ZERO, quantize_money
from domain.stock import MovementKind
from storage.db import WRITE_OPTION
from storage.alert_tables import AlertConditionRow, AlertOutboxRow, AlertSettingsRow, AlertSubscriptionRow
from storage.repositories import _REVERSAL, _REVERSES_IT, SqlNumberSequence, _product_to_domain, dialect_insert
from storage.tables import ConfirmationRow, ProcessedUpdateRow, ProductRow, StockBalanceRow, StockMovementRow, WorkspaceRow

MAX_ERROR_LENGTH = 200
PENDING, SENT, FAILED = "pending", "sent", "failed"


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _json(alert: object) -> str:
    return json.dumps(alert_to_dict(alert), ensure_ascii=False, sort_keys=True)  # type: ignore[arg-type]


def _entry(row: AlertOutboxRow) -> OutboxEntry:
    return OutboxEntry(
        row.chat_id, alert_from_dict(json.loads(row.alert)), row.period, row.created_at, row.not_before,
        row.show_money, row.attempts, row.id,
    )


class SqlAlertRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers

    def lock(self) -> None:
        # PostgreSQL: a row lock on the workspace row, held until commit and changing nothing.
        # NO KEY UPDATE, so inserts elsewhere (whose foreign keys take KEY SHARE) never wait.
        # SQLite renders no FOR clause: its write transaction (BEGIN IMMEDIATE) already serialises.
        self._session.execute(
            select(WorkspaceRow.id).where(WorkspaceRow.id == self._workspace_id).with_for_update(key_share=True)
        )

    # ---- settings and subscriptions -------------------------------------------------------

    def settings(self) -> AlertSettings:
        zone = self._session.scalar(select(WorkspaceRow.timezone).where(WorkspaceRow.id == self._workspace_id))
        row = self._session.get(AlertSettingsRow, self._workspace_id)
        if row is None:
            return AlertSettings(timezone=zone or "Asia/Shanghai")
        return AlertSettings(
            digest_at=_clock(row.digest_at) or time(21, 0),
            quiet_from=_clock(row.quiet_from),
            quiet_until=_clock(row.quiet_until),
            sales_days=row.sales_days,
            payables_days=row.payables_days,
            expiry_days=row.expiry_days,
            timezone=zone or "Asia/Shanghai",
        )

    def save_settings(self, settings: AlertSettings) -> None:
        values = dict(
            digest_at=f"{settings.digest_at:%H:%M}",
            quiet_from=f"{settings.quiet_from:%H:%M}" if settings.quiet_from else None,
            quiet_until=f"{settings.quiet_until:%H:%M}" if settings.quiet_until else None,
            sales_days=settings.sales_days,
            payables_days=settings.payables_days,
            expiry_days=settings.expiry_days,
        )
        statement = dialect_insert(self._session, AlertSettingsRow.__table__).values(workspace_id=self._workspace_id, **values)
        self._session.execute(statement.on_conflict_do_update(index_elements=["workspace_id"], set_=values))

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        query = select(AlertSubscriptionRow).where(
            AlertSubscriptionRow.workspace_id == self._workspace_id, AlertSubscriptionRow.active.is_(True)
        )
        if chat_id is not None:
            query = query.where(AlertSubscriptionRow.chat_id == chat_id)
        rows = self._session.execute(query).scalars().all()
        order = list(Topic)
        found = [Subscription(row.chat_id, Topic(row.topic), row.subscribed_by, row.subscribed_at) for row in rows]
        return sorted(found, key=lambda sub: (sub.chat_id, order.index(sub.topic)))

    def subscribe(self, subscription: Subscription) -> bool:
        key = (self._workspace_id, subscription.chat_id, subscription.topic.value)
        row = self._session.get(AlertSubscriptionRow, key)
        if row is not None and row.active:
            return False
        values = dict(active=True, subscribed_by=subscription.subscribed_by, subscribed_at=subscription.subscribed_at)
        statement = dialect_insert(self._session, AlertSubscriptionRow.__table__).values(
            workspace_id=key[0], chat_id=key[1], topic=key[2], **values
        )
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["workspace_id", "chat_id", "topic"], set_=values)
        )
        return True

    def _end(self, chat_id: int, topic: str | None = None) -> list[Topic]:
        where = [
            AlertSubscriptionRow.workspace_id == self._workspace_id,
            AlertSubscriptionRow.chat_id == chat_id,
            AlertSubscriptionRow.active.is_(True),
        ]
        if topic is not None:
            where.append(AlertSubscriptionRow.topic == topic)
        ended = self._session.execute(update(AlertSubscriptionRow).where(*where).values(active=False).returning(AlertSubscriptionRow.topic))
        return [Topic(value) for value in ended.scalars().all()]

    def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        return bool(self._end(chat_id, topic.value))

    def deactivate_chat(self, chat_id: int) -> list[Topic]:
        order = list(Topic)
        return sorted(self._end(chat_id), key=order.index)

    # ---- conditions ---------------------------------------------------------------------------

    def conditions(self) -> list[Condition]:
        rows = self._session.execute(
            select(AlertConditionRow).where(AlertConditionRow.workspace_id == self._workspace_id)
        ).scalars().all()
        return [
            Condition(
                row.rule, row.subject, row.active, row.raised_at, row.alerted_at, row.snoozed_until,
                alert_from_dict(json.loads(row.alert)) if row.alert else None,
            )
            for row in rows
        ]

    def save_condition(self, condition: Condition) -> None:
        values = dict(
            active=condition.active,
            raised_at=condition.raised_at,
            alerted_at=condition.alerted_at,
            snoozed_until=condition.snoozed_until,
            alert=_json(condition.alert) if condition.alert is not None else "",
        )
        statement = dialect_insert(self._session, AlertConditionRow.__table__).values(
            workspace_id=self._workspace_id, rule=condition.rule, subject=condition.subject, **values
        )
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["workspace_id", "rule", "subject"], set_=values)
        )

    # ---- read models for the rules ---------------------------------------------------------

    def stock_levels(self, sold_since: datetime) -> list[StockLevel]:
        ws = self._workspace_id
        on_hand = {
            product_id: quantity
            for product_id, quantity in self._session.execute(
                select(StockBalanceRow.product_id, func.sum(StockBalanceRow.quantity))
                .where(StockBalanceRow.workspace_id == ws)
                .group_by(StockBalanceRow.product_id)
            )
        }
        sold = {
            product_id: -quantity
            for product_id, quantity in self._session.execute(
                select(StockMovementRow.product_id, func.sum(StockMovementRow.quantity))
                .outerjoin(_REVERSAL, _REVERSES_IT)
                .where(
                    StockMovementRow.workspace_id == ws,
                    StockMovementRow.kind == MovementKind.ISSUE.value,
                    StockMovementRow.occurred_at >= sold_since,
                    _REVERSAL.id.is_(None),  # an issue undone did not sell
                )
                .group_by(StockMovementRow.product_id)
            )
        }
        products = self._session.execute(
            select(ProductRow).where(ProductRow.workspace_id == ws, ProductRow.active.is_(True)).order_by(ProductRow.code)
        ).scalars().all()
        return [
            StockLevel(_product_to_domain(row), on_hand.get(row.id) or ZERO, sold.get(row.id) or ZERO) for row in products
        ]

    def day_figures(self, since: datetime, until: datetime) -> DayFigures:
        query = (
            select(StockMovementRow.kind, StockMovementRow.quantity, StockMovementRow.unit_price, StockMovementRow.value)
            .outerjoin(_REVERSAL, _REVERSES_IT)
            .where(
                StockMovementRow.workspace_id == self._workspace_id,
                StockMovementRow.kind.in_([MovementKind.ISSUE.value, MovementKind.RECEIPT.value]),
                StockMovementRow.occurred_at >= since,
                StockMovementRow.occurred_at < until,
                _REVERSAL.id.is_(None),
            )
        )
        sales = cost = receipts = ZERO
        issues = received = 0
        # Summed here: quantity × price needs the exact Decimals the columns decode to.
        for kind, quantity, unit_price, value in self._session.execute(query):
            if kind == MovementKind.ISSUE.value:
                issues += 1
                cost -= value  # an issue's value is negative: the cost it took out
                if unit_price is not None:
                    sales += quantize_money(-quantity * unit_price)
            else:
                received += 1
                receipts += value
        return DayFigures(sales, cost, receipts, issues, received)

    # ---- the outbox --------------------------------------------------------------------------

    def enqueue(self, entry: OutboxEntry) -> bool:
        statement = dialect_insert(self._session, AlertOutboxRow.__table__).values(
            workspace_id=self._workspace_id,
            id=self._numbers.next("id:alert_outbox"),
            chat_id=entry.chat_id,
            rule=entry.alert.rule,
            subject=entry.alert.subject,
            period=entry.period,
            alert=_json(entry.alert),
            show_money=entry.show_money,
            status=PENDING,
            created_at=entry.created_at,
            not_before=entry.not_before,
            attempts=entry.attempts,
            claimed_by="",
        )
        # RETURNING yields no row when the dedupe key already exists (DO NOTHING).
        result = self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["workspace_id", "chat_id", "rule", "subject", "period"]).returning(
                AlertOutboxRow.id
            )
        )
        return result.first() is not None

    def claim(self, now: datetime, lease_until: datetime, claimer: str, limit: int) -> list[OutboxEntry]:
        free = or_(AlertOutboxRow.claimed_until.is_(None), AlertOutboxRow.claimed_until < now)
        candidates = self._session.execute(
            select(AlertOutboxRow.id)
            .where(
                AlertOutboxRow.workspace_id == self._workspace_id,
                AlertOutboxRow.status == PENDING,
                AlertOutboxRow.not_before <= now,
                free,
            )
            .order_by(AlertOutboxRow.id)
            .limit(limit)
            # PostgreSQL: rows another sender is claiming right now are skipped, not waited for
            # (SQLite has no row locks and serialises writers; the clause is not rendered there).
            .with_for_update(skip_locked=True)
        ).scalars().all()
        claimed = []
        for row_id in candidates:
            # Conditional: the row is ours only if nobody took it since we looked (another
            # process re-checks the same WHERE after our commit and updates nothing).
            result = self._session.execute(
                update(AlertOutboxRow)
                .where(
                    AlertOutboxRow.workspace_id == self._workspace_id,
                    AlertOutboxRow.id == row_id,
                    AlertOutboxRow.status == PENDING,
                    free,
                )
                .values(claimed_by=claimer, claimed_until=lease_until)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(row_id)
        if not claimed:
            return []
        rows = self._session.execute(
            select(AlertOutboxRow)
            .where(AlertOutboxRow.workspace_id == self._workspace_id, AlertOutboxRow.id.in_(claimed))
            .order_by(AlertOutboxRow.id)
        ).scalars().all()
        return [_entry(row) for row in rows]

    def _held(self, ids: list[int], claimer: str):  # type: ignore[no-untyped-def]
        return and_(
            AlertOutboxRow.workspace_id == self._workspace_id,
            AlertOutboxRow.id.in_(ids),
            AlertOutboxRow.claimed_by == claimer,
            AlertOutboxRow.status == PENDING,
        )

    def mark_sent(self, ids: list[int], claimer: str, now: datetime) -> int:
        result = self._session.execute(
            update(AlertOutboxRow).where(self._held(ids, claimer)).values(status=SENT, sent_at=now, claimed_until=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def retry_later(self, ids: list[int], claimer: str, not_before: datetime, error: str) -> None:
        self._session.execute(
            update(AlertOutboxRow)
            .where(self._held(ids, claimer))
            .values(
                not_before=not_before,
                attempts=AlertOutboxRow.attempts + 1,
                claimed_by="",
                claimed_until=None,
                last_error=error[:MAX_ERROR_LENGTH],
            )
        )

    def give_up(self, ids: list[int], claimer: str, error: str) -> None:
        self._session.execute(
            update(AlertOutboxRow)
            .where(self._held(ids, claimer))
            .values(status=FAILED, attempts=AlertOutboxRow.attempts + 1, claimed_until=None, last_error=error[:MAX_ERROR_LENGTH])
        )

    def drop_pending(self, chat_id: int, error: str) -> int:
        result = self._session.execute(
            update(AlertOutboxRow)
            .where(
                AlertOutboxRow.workspace_id == self._workspace_id,
                AlertOutboxRow.chat_id == chat_id,
                AlertOutboxRow.status == PENDING,
            )
            .values(status=FAILED, claimed_until=None, last_error=error[:MAX_ERROR_LENGTH])
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


# ---- housekeeping across workspaces ------------------------------------------------------------

PROCESSED_UPDATE_DAYS = 7
OUTBOX_KEEP_DAYS = 30


def prune_housekeeping(engine: Engine, now: datetime) -> dict[str, int]:
    """Delete processed-update ids older than 7 days (Telegram redelivers within hours, never
    after days), confirmations past their expiry, and outbox rows sent or given up over 30 days
    ago; returns how many rows of each went."""
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        updates = session.execute(
            delete(ProcessedUpdateRow).where(ProcessedUpdateRow.recorded_at < now - timedelta(days=PROCESSED_UPDATE_DAYS))
        ).rowcount  # type: ignore[attr-defined]
        confirmations = session.execute(delete(ConfirmationRow).where(ConfirmationRow.expires_at < now)).rowcount  # type: ignore[attr-defined]
        outbox = session.execute(
            delete(AlertOutboxRow).where(
                AlertOutboxRow.status.in_([SENT, FAILED]), AlertOutboxRow.created_at < now - timedelta(days=OUTBOX_KEEP_DAYS)
            )
        ).rowcount  # type: ignore[attr-defined]
        session.commit()
    return {"processed_update": int(updates), "confirmation": int(confirmations), "alert_outbox": int(outbox)}

