"""Pushed alerts (预警): what is worth telling a chat about, as pure functions of the books.

A *rule* looks at a :class:`Books` snapshot and the time and returns alerts. Each alert has a
dedupe key ``(rule, subject, period)``: the engine (``domain/alert_services.py``) writes one
outbox row per subscribed chat and key, so the same alert is never queued twice.

Two kinds of rule:

* **conditions** (low stock, over-stock, overdue items): the engine remembers which are
  active; a condition alerts when it is raised, stays quiet while it holds, and alerts again
  only after it clears and recurs — or, for rules with ``repeat``, once that much time passed.
  The period of such an alert is the moment it was raised.
* **periodic** (the daily digest): the rule names its own period (the day), so it is sent
  once per period.

Adding a rule means writing a pure function
``(books, now) -> list[alert]`` and one :class:`Rule` entry in :data:`RULES`; its topic is the
word users subscribe with. A rule whose data the books cannot provide yet (``None`` in the
snapshot) is skipped, and its active conditions are left as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from domain.money import ZERO, quantize_money
from domain.products import Product


class Topic(StrEnum):
    """What a chat subscribes to (订阅 预警 库存 应付 应收 日报)."""

    STOCK = "库存"
    EXPIRY = "临期"
    PAYABLES = "应付"
    RECEIVABLES = "应收"
    DIGEST = "日报"


# Payment alerts reveal money: the subscriber needs the money permission, and a group must
# be one marked for sensitive figures.
MONEY_TOPICS = frozenset({Topic.PAYABLES, Topic.RECEIVABLES})


# ---- settings ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Per-workspace alert settings (设置 预警 …).

    Attributes:
        digest_at: when the daily digest goes out, workspace time.
        quiet_from / quiet_until: quiet hours (免打扰); alerts raised in them wait for the end.
            Both None means none; ``quiet_from > quiet_until`` spans midnight.
        sales_days: days of sales behind the daily average (近7天日均销量).
        payables_days: payables due within this many days are announced.
        expiry_days: batches expiring within this many days are 临期 (with the batches rule).
        timezone: the workspace's time zone name.
    """

    digest_at: time = time(21, 0)
    quiet_from: time | None = None
    quiet_until: time | None = None
    sales_days: int = 7
    payables_days: int = 3
    expiry_days: int = 30
    timezone: str = "Asia/Shanghai"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def in_quiet_hours(self, now: datetime) -> bool:
        if self.quiet_from is None or self.quiet_until is None or self.quiet_from == self.quiet_until:
            return False
        local = now.astimezone(self.tz).time()
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= local < self.quiet_until
        return local >= self.quiet_from or local < self.quiet_until

    def quiet_end(self, now: datetime) -> datetime:
        """When the quiet hours around ``now`` end (``now`` itself outside them)."""
        if not self.in_quiet_hours(now) or self.quiet_until is None:
            return now
        local = now.astimezone(self.tz)
        end = datetime.combine(local.date(), self.quiet_until, tzinfo=self.tz)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.quiet_until, tzinfo=self.tz)
        return end


# Which settings 设置 预警 may change, by their Chinese word.
SETTING_WORDS = {"日报": "digest_at", "免打扰": "quiet", "日均": "sales_days", "应付": "payables_days", "临期": "expiry_days"}
MAX_SETTING_DAYS = 365


# ---- the books, as the rules see them ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockLevel:
    """A product's total stock and what it sold over the settings' ``sales_days``."""

    product: Product
    on_hand: Decimal
    sold: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's trading: 出库 revenue and its cost (COGS), 入库 value."""

    sales: Decimal = ZERO
    cost: Decimal = ZERO
    receipts: Decimal = ZERO
    issue_count: int = 0
    receipt_count: int = 0

    @property
    def gross_profit(self) -> Decimal:
        return self.sales - self.cost


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An open payable or receivable: what is still owed on one document, and when it is due."""

    partner: str
    number: str
    amount: Decimal
    due: date
    partner_id: int = 0


@dataclass(frozen=True, slots=True)
class BatchStock:
    """One batch with a quantity, of a batch-managed product in one warehouse.

    ``warehouse`` is the warehouse's name when the workspace has several, else "" (the
    suggested 报损 then needs no 仓库)."""

    code: str
    name: str
    unit: str
    warehouse: str
    batch: str
    expires_on: date
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Books:
    """What the rules read. ``None`` parts are books a caller did not provide (open items
    without a source): their rules are skipped."""

    settings: AlertSettings
    stock: tuple[StockLevel, ...] = ()
    stock_value: Decimal = ZERO
    day: DayFigures | None = None
    payables: tuple[OpenItem, ...] | None = None
    receivables: tuple[OpenItem, ...] | None = None
    batches: tuple[BatchStock, ...] | None = None  # batches with a quantity and an expiry date

    def today(self, now: datetime) -> date:
        return now.astimezone(self.settings.tz).date()


# ---- alerts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LowStock:
    """⚠️ A001 可口可乐 库存 8 罐，低于安全库存 20（近7天日均销量 5，约 1.6 天售罄）."""

    rule: ClassVar[str] = "low_stock"
    code: str
    name: str
    unit: str
    on_hand: Decimal
    safety: Decimal
    daily: Decimal
    sales_days: int
    days_left: Decimal | None  # None: nothing sold, so no estimate
    suggested: Decimal  # what to order to get back to the target level

    @property
    def subject(self) -> str:
        return self.code


@dataclass(frozen=True, slots=True)
class OverStock:
    rule: ClassVar[str] = "over_stock"
    code: str
    name: str
    unit: str
    on_hand: Decimal
    max_stock: Decimal

    @property
    def subject(self) -> str:
        return self.code

    @property
    def excess(self) -> Decimal:
        return self.on_hand - self.max_stock


@dataclass(frozen=True, slots=True)
class PayablesDue:
    """3 天后有 15,000.00 元应付账款到期：华东饮料 PO-… 9,000.00；…"""

    rule: ClassVar[str] = "payables_due"
    due: date
    days: int
    total: Decimal
    items: tuple[OpenItem, ...]

    @property
    def subject(self) -> str:
        return self.due.isoformat()


@dataclass(frozen=True, slots=True)
class PartnerOverdue:
    """Overdue items of one partner, consolidated (one message per customer, not per document)."""

    rule: ClassVar[str] = ""
    partner: str
    partner_id: int
    total: Decimal
    days: int  # how late the oldest item is
    items: tuple[OpenItem, ...]

    @property
    def subject(self) -> str:
        return self.partner


@dataclass(frozen=True, slots=True)
class PayablesOverdue(PartnerOverdue):
    rule: ClassVar[str] = "payables_overdue"


@dataclass(frozen=True, slots=True)
class ReceivablesOverdue(PartnerOverdue):
    rule: ClassVar[str] = "receivables_overdue"


@dataclass(frozen=True, slots=True)
class BatchAlert:
    """A batch of stock on hand near or past its expiry date."""

    rule: ClassVar[str] = ""
    code: str
    name: str
    unit: str
    warehouse: str
    batch: str
    expires_on: date
    quantity: Decimal
    days: int  # days until expiry (临期), or since it (过期)

    @property
    def subject(self) -> str:
        return f"{self.code}/{self.warehouse}/{self.batch}"


@dataclass(frozen=True, slots=True)
class BatchExpiring(BatchAlert):
    """⏳ A001 可口可乐 批次 L1 12 罐 12-10 到期（还有 9 天）."""

    rule: ClassVar[str] = "batch_expiring"


@dataclass(frozen=True, slots=True)
class BatchExpired(BatchAlert):
    """⛔ expired stock still on hand, with the 报损 that removes it."""

    rule: ClassVar[str] = "batch_expired"

    @property
    def quantity_text(self) -> str:
        """The quantity as the suggested 报损 command writes it (no grouping, no exponent)."""
        return format(self.quantity.normalize(), "f")


@dataclass(frozen=True, slots=True)
class DailyDigest:
    """日报: the day's trading and what needs attention."""

    rule: ClassVar[str] = "daily_digest"
    day: date
    sales: Decimal
    gross_profit: Decimal
    receipts: Decimal
    issue_count: int
    receipt_count: int
    stock_value: Decimal
    low_stock: int
    payables_due: int | None  # None: no payables in the books yet
    receivables_overdue: int | None

    @property
    def subject(self) -> str:
        return ""

    @property
    def period(self) -> str:
        return self.day.isoformat()


@dataclass(frozen=True, slots=True)
class ChatGone:
    """To the owner, privately: a subscribed chat cannot be reached any more."""

    rule: ClassVar[str] = "chat_gone"
    chat_id: int
    topics: tuple[str, ...]
    reason: str

    @property
    def subject(self) -> str:
        return str(self.chat_id)


Alert = (
    LowStock | OverStock | PayablesDue | PayablesOverdue | ReceivablesOverdue | BatchExpiring | BatchExpired | DailyDigest
    | ChatGone
)


# ---- the rules ---------------------------------------------------------------------------------


def _days_left(on_hand: Decimal, sold: Decimal, days: int) -> Decimal | None:
    """on hand ÷ (sold ÷ days), computed as on hand × days ÷ sold so it stays exact."""
    if sold <= 0 or days <= 0:
        return None
    return (max(on_hand, ZERO) * days / sold).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# Lead time and review cycle of the replenishment rule (补货建议) the suggested quantity follows.
LEAD_DAYS = 7
REVIEW_DAYS = 14


def _suggested(product: Product, on_hand: Decimal, sold: Decimal, days: int) -> Decimal:
    """What brings the stock back to the target: 最高库存, else 安全库存 + 日均 × (交期 + 补货周期).
    Multiplying before dividing keeps 16 sold in 7 days × 21 days at exactly 48."""
    safety = product.safety_stock or ZERO
    demand = sold * (LEAD_DAYS + REVIEW_DAYS) / days if days > 0 else ZERO
    target = product.max_stock if product.max_stock else safety + demand
    needed = target - on_hand
    if needed <= 0:
        return ZERO
    return Decimal(math.ceil(needed)) if not product.is_measured else needed.quantize(Decimal("0.001"))


def low_stock(books: Books, now: datetime) -> list[LowStock]:
    """Active products below their safety stock (zero stock included).

    Args:
        books: stock levels with the units sold over ``settings.sales_days``.
        now: unused; rules share one signature.

    Returns:
        One alert per product, by code.
    """
    days = books.settings.sales_days
    alerts = []
    for level in books.stock:
        product = level.product
        if not product.active or product.safety_stock is None or product.safety_stock <= 0:
            continue
        if level.on_hand >= product.safety_stock:
            continue
        daily = (level.sold / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if days else ZERO
        alerts.append(
            LowStock(
                product.code, product.name, product.unit, level.on_hand, product.safety_stock, daily, days,
                _days_left(level.on_hand, level.sold, days), _suggested(product, level.on_hand, level.sold, days),
            )
        )
    return sorted(alerts, key=lambda a: a.code)


def over_stock(books: Books, now: datetime) -> list[OverStock]:
    """Active products above their maximum stock (最高库存)."""
    alerts = [
        OverStock(level.product.code, level.product.name, level.product.unit, level.on_hand, level.product.max_stock)
        for level in books.stock
        if level.product.active and level.product.max_stock and level.on_hand > level.product.max_stock
    ]
    return sorted(alerts, key=lambda a: a.code)


def payables_due(books: Books, now: datetime) -> list[PayablesDue]:
    """Payables falling due from today to ``payables_days`` ahead, one alert per due date."""
    assert books.payables is not None
    today = books.today(now)
    last = today + timedelta(days=books.settings.payables_days)
    by_day: dict[date, list[OpenItem]] = {}
    for item in books.payables:
        if item.amount > 0 and today <= item.due <= last:
            by_day.setdefault(item.due, []).append(item)
    return [
        PayablesDue(due, (due - today).days, quantize_money(sum((i.amount for i in items), ZERO)), _largest_first(items))
        for due, items in sorted(by_day.items())
    ]


def _largest_first(items: list[OpenItem]) -> tuple[OpenItem, ...]:
    return tuple(sorted(items, key=lambda i: (-i.amount, i.due, i.number)))


def _overdue(items: tuple[OpenItem, ...], today: date, kind: type[PartnerOverdue]) -> list:
    by_partner: dict[str, list[OpenItem]] = {}
    for item in items:
        if item.amount > 0 and item.due < today:
            by_partner.setdefault(item.partner, []).append(item)
    return [
        kind(
            partner,
            found[0].partner_id,
            quantize_money(sum((i.amount for i in found), ZERO)),
            max((today - i.due).days for i in found),
            tuple(sorted(found, key=lambda i: (i.due, i.number))),
        )
        for partner, found in sorted(by_partner.items())
    ]


def payables_overdue(books: Books, now: datetime) -> list[PayablesOverdue]:
    """Payables past their due date, one alert per supplier."""
    assert books.payables is not None
    return _overdue(books.payables, books.today(now), PayablesOverdue)


def receivables_overdue(books: Books, now: datetime) -> list[ReceivablesOverdue]:
    """Receivables past their due date, one consolidated alert per customer."""
    assert books.receivables is not None
    return _overdue(books.receivables, books.today(now), ReceivablesOverdue)


def _batch_alert(kind: type[BatchAlert], batch: BatchStock, days: int) -> BatchAlert:
    return kind(
        batch.code, batch.name, batch.unit, batch.warehouse, batch.batch, batch.expires_on, batch.quantity, days
    )


def _by_expiry(alert: BatchAlert) -> tuple[date, str, str, str]:
    return (alert.expires_on, alert.code, alert.warehouse, alert.batch)


def batches_expiring(books: Books, now: datetime) -> list[BatchExpiring]:
    """Batches on hand that expire from today to ``expiry_days`` ahead (临期), soonest first.
    A batch is usable through its expiry date, so one expiring today is still 临期."""
    assert books.batches is not None
    today = books.today(now)
    last = today + timedelta(days=books.settings.expiry_days)
    found = [
        _batch_alert(BatchExpiring, batch, (batch.expires_on - today).days)
        for batch in books.batches
        if batch.quantity > 0 and today <= batch.expires_on <= last
    ]
    return sorted(found, key=_by_expiry)


def batches_expired(books: Books, now: datetime) -> list[BatchExpired]:
    """Expired batches still on hand (expired the day after their expiry date)."""
    assert books.batches is not None
    today = books.today(now)
    found = [
        _batch_alert(BatchExpired, batch, (today - batch.expires_on).days)
        for batch in books.batches
        if batch.quantity > 0 and batch.expires_on < today
    ]
    return sorted(found, key=_by_expiry)


def daily_digest(books: Books, now: datetime) -> list[DailyDigest]:
    """The day's digest, once the digest time (workspace time) has come."""
    local = now.astimezone(books.settings.tz)
    if local.time() < books.settings.digest_at or books.day is None:
        return []
    day = books.day
    payables = None if books.payables is None else len(payables_due(books, now))
    receivables = None if books.receivables is None else len(receivables_overdue(books, now))
    return [
        DailyDigest(
            local.date(), day.sales, day.gross_profit, day.receipts, day.issue_count, day.receipt_count,
            books.stock_value, len(low_stock(books, now)), payables, receivables,
        )
    ]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule.

    Attributes:
        name: the rule's id in dedupe keys (the alert class's ``rule``).
        topic: the subscription word that receives it.
        evaluate: the pure rule function.
        needs: the ``Books`` parts it reads; a part that is None skips the rule.
        condition: tracked as an active condition (alerts on raise; else once per period).
        repeat: a still-active condition alerts again after this long (None: only on recurrence).
        snoozable: 忽略 N 天 applies to it (by subject).
    """

    name: str
    topic: Topic
    evaluate: Callable[[Books, datetime], list]
    needs: tuple[str, ...] = ()
    condition: bool = True
    repeat: timedelta | None = None
    snoozable: bool = False

    def available(self, books: Books) -> bool:
        return all(getattr(books, part) is not None for part in self.needs)


RULES: tuple[Rule, ...] = (
    Rule(LowStock.rule, Topic.STOCK, low_stock, ("stock",), snoozable=True),
    Rule(OverStock.rule, Topic.STOCK, over_stock, ("stock",), snoozable=True),
    Rule(PayablesDue.rule, Topic.PAYABLES, payables_due, ("payables",)),
    Rule(PayablesOverdue.rule, Topic.PAYABLES, payables_overdue, ("payables",), repeat=timedelta(days=7)),
    Rule(ReceivablesOverdue.rule, Topic.RECEIVABLES, receivables_overdue, ("receivables",), repeat=timedelta(days=7)),
    # A batch moves from 临期 to 过期 the day after its expiry date: one condition clears and
    # the other is raised. Expired stock is repeated weekly until it is scrapped.
    Rule(BatchExpiring.rule, Topic.EXPIRY, batches_expiring, ("batches",)),
    Rule(BatchExpired.rule, Topic.EXPIRY, batches_expired, ("batches",), repeat=timedelta(days=7)),
    Rule(DailyDigest.rule, Topic.DIGEST, daily_digest, ("day",), condition=False),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}


# ---- what the engine stores --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    topic: Topic
    subscribed_by: int
    subscribed_at: datetime


@dataclass(frozen=True, slots=True)
class Condition:
    """An alert condition the engine has seen; ``active`` while it holds.

    ``alerted_at`` is when it last alerted (its period); ``snoozed_until`` silences it
    (忽略 7 天) across clear and recurrence. ``alert`` is the latest alert, for 预警.
    """

    rule: str
    subject: str
    active: bool
    raised_at: datetime
    alerted_at: datetime | None = None
    snoozed_until: datetime | None = None
    alert: Alert | None = None

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and now < self.snoozed_until


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One alert for one chat, waiting to be sent (``id`` 0 until stored).

    Attributes:
        period: the dedupe key's period (the day of a digest, the raise time of a condition).
        not_before: not sent earlier (quiet hours, retry_after, backoff).
        show_money: the chat may see cost and money figures (decided when queued).
    """

    chat_id: int
    alert: Alert
    period: str
    created_at: datetime
    not_before: datetime
    show_money: bool = False
    attempts: int = 0
    id: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.alert.rule, self.alert.subject, self.period)


def period_of(moment: datetime) -> str:
    """A condition alert's period: the moment it was raised, to the second (UTC)."""
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- sending: what to do after a failure --------------------------------------------------------

BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)
MAX_ATTEMPTS = 50  # with the cap, about a day of retrying before a row is given up


def backoff(attempts: int) -> timedelta:
    """The wait before retry number ``attempts`` (1, 2, …) after a network error or 5xx:
    doubling from 5 s, capped at 30 min."""
    return min(BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 20)), BACKOFF_CAP)


# ---- storing alerts: a plain-dict form for the outbox's JSON column -----------------------------

_ALERT_CLASSES: dict[str, type] = {
    kind.rule: kind
    for kind in (
        LowStock, OverStock, PayablesDue, PayablesOverdue, ReceivablesOverdue, BatchExpiring, BatchExpired, DailyDigest,
        ChatGone,
    )
}


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, OpenItem):
        return {"$item": {f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: object) -> object:
    if isinstance(value, dict):
        if "$d" in value:
            return Decimal(value["$d"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$item" in value:
            return OpenItem(**{k: _decode(v) for k, v in value["$item"].items()})
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def alert_to_dict(alert: Alert) -> dict[str, object]:
    """An alert as JSON-safe values (Decimals as strings: exact, never floats)."""
    return {"rule": alert.rule, **{f.name: _encode(getattr(alert, f.name)) for f in fields(alert)}}


def alert_from_dict(data: dict[str, object]) -> Alert:
    values = dict(data)
    kind = _ALERT_CLASSES[str(values.pop("rule"))]
    return kind(**{name: _decode(value) for name, value in values.items()})


@dataclass(frozen=True, slots=True)
class ActiveAlerts:
    """What 预警 lists: the alerts that hold right now, by topic."""

    alerts: list[Alert] = field(default_factory=list)
    snoozed: dict[tuple[str, str], datetime] = field(default_factory=dict)
    skipped_topics: tuple[Topic, ...] = ()  # topics whose books do not exist yet
