"""The alert engine and the alert commands (订阅, 退订, 预警, 设置 预警).

:func:`evaluate` runs every rule of ``domain.alerts.RULES`` over a snapshot of the books and,
in one transaction, records which conditions hold and queues one outbox row per new alert and
subscribed chat. The sender (``bot/alert_jobs.py``) delivers the rows through the functions at
the end of this module, which decide what a delivery failure does to the books of the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from domain import commands as c
from domain.access import Permission, Role, can, roles_with
from domain.alerts import (
    MONEY_TOPICS,
    RULES,
    RULES_BY_NAME,
    ActiveAlerts,
    Alert,
    AlertSettings,
    BatchStock,
    Books,
    ChatGone,
    Condition,
    DailyDigest,
    OpenItem,
    OutboxEntry,
    Rule,
    StockLevel,
    Subscription,
    Topic,
    backoff,
    period_of,
    MAX_ATTEMPTS,
)
from domain.audit import Action
from domain.documents import Ledger
from domain.errors import AlertTopicRefused, UnknownProduct
from domain.partners import PartnerKind
from domain.ports import OpenItems, UnitOfWork
from domain.products import FieldChange, normalise_code, suggest_codes
from domain.services import Context, audit


# Open payables/receivables for a unit of work in its transaction; None skips the payment
# rules (the composition root passes :class:`DocumentOpenItems`).
OpenItemsSource = Callable[[UnitOfWork], OpenItems]


class DocumentOpenItems:
    """:class:`~domain.ports.OpenItems` over the documents' ledgers: every receipt (应付) or
    shipment (应收) with an amount still open, as the payment rules see it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def open_items(self, kind: str, as_of: datetime) -> list[OpenItem]:
        # The ledgers hold what is open now; ``as_of`` is the rules' clock, which is now too.
        ledger = Ledger.PAYABLE if kind == "payable" else Ledger.RECEIVABLE
        return [
            OpenItem(item.partner_name, item.number, item.open, item.due_on, item.partner_id)
            for item in self._uow.documents.open_items(ledger)
            if item.open > 0
        ]


def _batches(uow: UnitOfWork, stock: tuple[StockLevel, ...]) -> tuple[BatchStock, ...]:
    """Batches with a quantity and an expiry date, of every active batch-managed product."""
    warehouses = {warehouse.id: warehouse.name for warehouse in uow.stock.warehouses()}
    several = len(warehouses) > 1
    found = []
    for level in stock:
        product = level.product
        if not product.batch_managed or product.id is None or level.on_hand <= 0:
            continue
        for batch in uow.batches.of_product(product.id):
            if batch.quantity > 0 and batch.expires_on is not None:
                warehouse = warehouses.get(batch.warehouse_id, "") if several else ""
                found.append(
                    BatchStock(product.code, product.name, product.unit, warehouse, batch.code, batch.expires_on, batch.quantity)
                )
    return tuple(found)


# ---- the books ---------------------------------------------------------------------------------


def load_books(uow: UnitOfWork, now: datetime, settings: AlertSettings, open_items: OpenItemsSource | None = None) -> Books:
    """Read what the rules need, inside the caller's transaction."""
    local = now.astimezone(settings.tz)
    start_of_day = datetime.combine(local.date(), time(), tzinfo=settings.tz)
    payables = receivables = None
    if open_items is not None:
        items = open_items(uow)
        payables = tuple(items.open_items("payable", now))
        receivables = tuple(items.open_items("receivable", now))
    stock = tuple(uow.alerts.stock_levels(now - timedelta(days=settings.sales_days)))
    return Books(
        settings=settings,
        stock=stock,
        stock_value=uow.stock.totals().value,
        day=uow.alerts.day_figures(start_of_day, now),
        payables=payables,
        receivables=receivables,
        batches=_batches(uow, stock),
    )


# ---- who may receive what ------------------------------------------------------------------------


class _Audience:
    """Decides, per subscription, whether an alert may go to that chat and with money shown.

    A group must still be bound to this workspace; a private chat's user must still be a
    member. Payment topics need the subscriber's money permission and a private chat or a
    group marked for sensitive figures; cost figures (the digest's profit) likewise.
    """

    def __init__(self, uow: UnitOfWork, subscriptions: list[Subscription]) -> None:
        self._uow = uow
        self.subscriptions = subscriptions
        self._members: dict[int, object] = {}

    def _member(self, user_id: int):  # type: ignore[no-untyped-def]
        if user_id not in self._members:
            self._members[user_id] = self._uow.members.get(user_id)
        return self._members[user_id]

    def recipients(self, topic: Topic) -> list[tuple[int, bool]]:
        """(chat id, show money) for every chat that should receive this topic."""
        found = []
        for subscription in self.subscriptions:
            if subscription.topic != topic:
                continue
            member = self._member(subscription.subscribed_by)
            private = subscription.chat_id > 0
            if private:
                if self._member(subscription.chat_id) is None:
                    continue
                open_here = True
            else:
                chat = self._uow.chats.get(subscription.chat_id)
                if chat is None or chat.workspace_id != self._uow.workspace_id:
                    continue
                open_here = chat.show_sensitive
            if topic in MONEY_TOPICS and not (member is not None and member.can(Permission.MONEY) and open_here):
                continue
            show_money = member is not None and member.can(Permission.VIEW_COST) and open_here
            found.append((subscription.chat_id, show_money))
        return found


def _queue(uow: UnitOfWork, audience: _Audience, rule: Rule, alert: Alert, period: str, now: datetime, settings: AlertSettings) -> int:
    not_before = settings.quiet_end(now)  # raised in quiet hours: waits for their end
    queued = 0
    for chat_id, show_money in audience.recipients(rule.topic):
        if uow.alerts.enqueue(OutboxEntry(chat_id, alert, period, now, not_before, show_money)):
            queued += 1
    return queued


# ---- the engine --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    raised: list[Alert] = field(default_factory=list)  # conditions that began (or repeat) now
    cleared: int = 0
    queued: int = 0  # outbox rows written


def evaluate(uow: UnitOfWork, now: datetime, open_items: OpenItemsSource | None = None) -> Evaluation:
    """Run every rule; record conditions and queue new alerts, all in one transaction.

    A condition alerts when it is raised; while it stays active it is quiet (unless its rule
    repeats and ``repeat`` has passed), and when the rule no longer reports it, it clears.
    Snoozed conditions (忽略) are tracked but not queued. Periodic rules queue once per period,
    which the outbox's unique dedupe key guarantees even against another process.
    """
    with uow.writing():
        # Another process evaluating at the same moment waits here and then reads our conditions,
        # so a condition is raised (and queued) once, not once per process.
        uow.alerts.lock()
        settings = uow.alerts.settings()
        books = load_books(uow, now, settings, open_items)
        conditions = {(cond.rule, cond.subject): cond for cond in uow.alerts.conditions()}
        audience = _Audience(uow, uow.alerts.subscriptions())
        raised: list[Alert] = []
        cleared = queued = 0
        for rule in RULES:
            if not rule.available(books):
                continue
            found = rule.evaluate(books, now)
            if not rule.condition:
                for alert in found:
                    queued += _queue(uow, audience, rule, alert, alert.period, now, settings)
                continue
            holding = set()
            for alert in found:
                holding.add(alert.subject)
                old = conditions.get((rule.name, alert.subject))
                if old is not None and old.active:
                    due_again = (
                        rule.repeat is not None
                        and old.alerted_at is not None
                        and now >= old.alerted_at + rule.repeat
                        and not old.snoozed(now)
                    )
                    if not due_again:
                        if old.alert != alert:  # keep the figures fresh for 预警
                            uow.alerts.save_condition(replace(old, alert=alert))
                        continue
                    uow.alerts.save_condition(replace(old, alerted_at=now, alert=alert))
                else:
                    snoozed = old is not None and old.snoozed(now)
                    uow.alerts.save_condition(
                        Condition(
                            rule.name, alert.subject, True, now, old.alerted_at if (snoozed and old) else now,
                            old.snoozed_until if old is not None else None, alert,
                        )
                    )
                    if snoozed:
                        continue
                raised.append(alert)
                queued += _queue(uow, audience, rule, alert, period_of(now), now, settings)
            for (name, subject), old in conditions.items():
                if name == rule.name and old.active and subject not in holding:
                    uow.alerts.save_condition(replace(old, active=False))
                    cleared += 1
        uow.commit()
    return Evaluation(raised, cleared, queued)


# ---- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionsResult:
    """This chat's topics after a 订阅 / 退订 (``added`` / ``removed`` what changed)."""

    topics: list[Topic]
    added: list[Topic] = field(default_factory=list)
    removed: list[Topic] = field(default_factory=list)
    unchanged: list[Topic] = field(default_factory=list)
    action: str = "list"  # "subscribe", "unsubscribe" or "list"


def _topics(uow: UnitOfWork, chat_id: int) -> list[Topic]:
    order = list(Topic)
    return sorted({s.topic for s in uow.alerts.subscriptions(chat_id)}, key=order.index)


def subscribe(uow: UnitOfWork, ctx: Context, cmd: c.Subscribe, *, private: bool) -> SubscriptionsResult:
    """Subscribe the chat the command came from; payment topics only where money may be seen."""
    topics = [Topic(word) for word in cmd.topics]
    chat_id = ctx.actor.chat_id
    with uow.writing():
        for topic in topics:
            if topic not in MONEY_TOPICS:
                continue
            if not can(ctx.actor.role, Permission.MONEY):
                raise AlertTopicRefused(topic.value, [role.value for role in roles_with(Permission.MONEY)])
            if not private:
                chat = uow.chats.get(chat_id)
                if chat is None or not chat.show_sensitive:
                    raise AlertTopicRefused(topic.value)
        added, unchanged = [], []
        for topic in topics:
            if uow.alerts.subscribe(Subscription(chat_id, topic, ctx.actor.user_id, ctx.now)):
                added.append(topic)
            else:
                unchanged.append(topic)
        if added:
            audit(uow, ctx, Action.SETTINGS, "订阅", changes=(FieldChange("订阅", "", " ".join(added)),))
        uow.commit()
        current = _topics(uow, chat_id)
    return SubscriptionsResult(current, added=added, unchanged=unchanged, action="subscribe")


def unsubscribe(uow: UnitOfWork, ctx: Context, cmd: c.Unsubscribe) -> SubscriptionsResult:
    chat_id = ctx.actor.chat_id
    with uow.writing():
        topics = [Topic(word) for word in cmd.topics] if cmd.topics else _topics(uow, chat_id)
        removed = [topic for topic in topics if uow.alerts.unsubscribe(chat_id, topic)]
        unchanged = [topic for topic in topics if topic not in removed]
        if removed:
            audit(uow, ctx, Action.SETTINGS, "退订", changes=(FieldChange("订阅", " ".join(removed), ""),))
        uow.commit()
        current = _topics(uow, chat_id)
    return SubscriptionsResult(current, removed=removed, unchanged=unchanged, action="unsubscribe")


def list_subscriptions(uow: UnitOfWork, ctx: Context, cmd: c.ListSubscriptions) -> SubscriptionsResult:
    with uow:
        return SubscriptionsResult(_topics(uow, ctx.actor.chat_id))


def _active(uow: UnitOfWork, ctx: Context, now: datetime, open_items: OpenItemsSource | None) -> ActiveAlerts:
    settings = uow.alerts.settings()
    books = load_books(uow, now, settings, open_items)
    money = can(ctx.actor.role, Permission.MONEY)
    alerts: list[Alert] = []
    skipped: list[Topic] = []
    for rule in RULES:
        if not rule.condition:
            continue
        if not rule.available(books):
            if rule.topic not in skipped:
                skipped.append(rule.topic)
            continue
        if rule.topic in MONEY_TOPICS and not money:
            continue
        alerts.extend(rule.evaluate(books, now))
    snoozed = {
        (cond.rule, cond.subject): cond.snoozed_until
        for cond in uow.alerts.conditions()
        if cond.snoozed(now) and cond.snoozed_until is not None
    }
    return ActiveAlerts(alerts, snoozed, tuple(skipped))


def show_alerts(
    uow: UnitOfWork, ctx: Context, cmd: c.ShowAlerts, open_items: OpenItemsSource | None = None
) -> ActiveAlerts:
    """What holds right now (evaluated afresh; nothing is queued)."""
    with uow:
        return _active(uow, ctx, ctx.now, open_items)


@dataclass(frozen=True, slots=True)
class AlertCheck:
    evaluation: Evaluation
    active: ActiveAlerts
    subscribers: int  # chats subscribed to anything


def check_alerts(
    uow: UnitOfWork, ctx: Context, cmd: c.CheckAlerts, open_items: OpenItemsSource | None = None
) -> AlertCheck:
    """预警 检查: evaluate now, queue what is new, and list what holds."""
    evaluation = evaluate(uow, ctx.now, open_items)
    with uow:
        active = _active(uow, ctx, ctx.now, open_items)
        chats = len({s.chat_id for s in uow.alerts.subscriptions()})
    return AlertCheck(evaluation, active, chats)


@dataclass(frozen=True, slots=True)
class Snoozed:
    code: str
    name: str
    until: datetime
    days: int


def snooze_alert(uow: UnitOfWork, ctx: Context, cmd: c.SnoozeAlert) -> Snoozed:
    """忽略 N 天: the product's stock alerts stay silent until then, even if they clear and recur."""
    code = normalise_code(cmd.code)
    until = ctx.now + timedelta(days=cmd.days)
    with uow.writing():
        product = uow.products.get(code)
        if product is None:
            raise UnknownProduct(cmd.code, suggest_codes(cmd.code, uow.products.hints()))
        uow.alerts.lock()  # the engine must not overwrite the snooze with what it read before
        conditions = {(cond.rule, cond.subject): cond for cond in uow.alerts.conditions()}
        for rule in RULES:
            if not rule.snoozable:
                continue
            old = conditions.get((rule.name, code))
            if old is None:
                old = Condition(rule.name, code, False, ctx.now)
            uow.alerts.save_condition(replace(old, snoozed_until=until))
        audit(uow, ctx, Action.SETTINGS, code, changes=(FieldChange("忽略预警", "", f"{cmd.days}天"),))
        uow.commit()
    return Snoozed(product.code, product.name, until, cmd.days)


# ---- what the alert buttons need ---------------------------------------------------------------


def usual_supplier(uow: UnitOfWork, code: str) -> str | None:
    """生成采购单: the product's usual supplier — the counterparty of its latest receipt, when
    that is a known supplier (the same rule as 补货建议). None: no such supplier."""
    with uow:
        product = uow.products.get(normalise_code(code))
        if product is None or product.id is None:
            return None
        name = uow.stock.last_counterparties("receipt").get(product.id)
        if not name or uow.partners.get(PartnerKind.SUPPLIER, name) is None:
            return None
        return name


def customer_name(uow: UnitOfWork, partner_id: int) -> str | None:
    """发送对账单: the name of the customer an overdue alert was about (None: no such customer)."""
    with uow:
        items = uow.documents.open_items(Ledger.RECEIVABLE, partner_id)
        if items:
            return items[0].partner_name
        # Settled since the alert: the customer list has the name (a small table).
        customers = uow.partners.search(PartnerKind.CUSTOMER, None, 100_000)
        return next((p.name for p in customers if p.id == partner_id), None)


@dataclass(frozen=True, slots=True)
class AlertSettingsResult:
    settings: AlertSettings
    changed: list[str] = field(default_factory=list)  # the setting words that changed


def _setting_text(settings: AlertSettings, name: str) -> str:
    if name == "digest_at":
        return f"{settings.digest_at:%H:%M}"
    if name == "quiet":
        if settings.quiet_from is None or settings.quiet_until is None:
            return "关闭"
        return f"{settings.quiet_from:%H:%M}-{settings.quiet_until:%H:%M}"
    return str(getattr(settings, name))


def set_alert_settings(uow: UnitOfWork, ctx: Context, cmd: c.SetAlertSettings) -> AlertSettingsResult:
    """设置 预警 …: change the digest time, quiet hours or thresholds (none: show them)."""
    if not cmd.fields:
        with uow:
            return AlertSettingsResult(uow.alerts.settings())
    with uow.writing():
        before = uow.alerts.settings()
        after = before
        for name, value in cmd.fields:
            if name == "quiet":
                start, end = value if value is not None else (None, None)  # type: ignore[misc]
                after = replace(after, quiet_from=start, quiet_until=end)
            else:
                after = replace(after, **{name: value})
        names = [name for name, _ in cmd.fields]
        changes = tuple(
            FieldChange(name, _setting_text(before, name), _setting_text(after, name))
            for name in names
            if _setting_text(before, name) != _setting_text(after, name)
        )
        if changes:
            uow.alerts.save_settings(after)
            audit(uow, ctx, Action.SETTINGS, "预警", changes=changes)
            uow.commit()
    return AlertSettingsResult(after, [change.field for change in changes])


# ---- delivery ----------------------------------------------------------------------------------


def claim(uow: UnitOfWork, now: datetime, claimer: str, lease: timedelta, limit: int = 100) -> list[OutboxEntry]:
    """Take the due rows of this workspace for sending, each under a lease of ``lease``."""
    with uow.writing():
        entries = uow.alerts.claim(now, now + lease, claimer, limit)
        uow.commit()
    return entries


def delivered(uow: UnitOfWork, ids: list[int], claimer: str, now: datetime) -> int:
    with uow.writing():
        count = uow.alerts.mark_sent(ids, claimer, now)
        uow.commit()
    return count


def retry(uow: UnitOfWork, entries: list[OutboxEntry], claimer: str, now: datetime, error: str, wait: timedelta | None = None) -> bool:
    """A transient failure: try again after ``wait`` (Telegram's retry_after) or the backoff.
    Returns False when the rows had been tried too often and were given up instead."""
    attempts = max(entry.attempts for entry in entries) + 1
    ids = [entry.id for entry in entries]
    with uow.writing():
        if wait is None and attempts >= MAX_ATTEMPTS:
            uow.alerts.give_up(ids, claimer, error)
            uow.commit()
            return False
        uow.alerts.retry_later(ids, claimer, now + (wait if wait is not None else backoff(attempts)), error)
        uow.commit()
    return True


def undeliverable(uow: UnitOfWork, ids: list[int], claimer: str, error: str) -> None:
    """A refusal that retrying cannot fix (a malformed message): the rows are given up."""
    with uow.writing():
        uow.alerts.give_up(ids, claimer, error)
        uow.commit()


def chat_gone(uow: UnitOfWork, chat_id: int, ids: list[int], claimer: str, now: datetime, reason: str) -> list[int]:
    """The chat cannot be reached (bot kicked, chat deleted): its subscriptions end, its rows
    fail, and each owner is told privately (queued like any alert). Returns the owners told."""
    with uow.writing():
        uow.alerts.give_up(ids, claimer, reason)
        uow.alerts.drop_pending(chat_id, reason)
        topics = uow.alerts.deactivate_chat(chat_id)
        told = []
        if topics:
            notice = ChatGone(chat_id, tuple(topic.value for topic in topics), reason)
            for member in uow.members.all():
                if member.role == Role.OWNER and member.user_id != chat_id:
                    entry = OutboxEntry(member.user_id, notice, period_of(now), now, now)
                    if uow.alerts.enqueue(entry):
                        told.append(member.user_id)
        uow.commit()
    return told


def digest_of(entries: list[OutboxEntry]) -> list[OutboxEntry]:
    """Entries for one chat in the order a combined message lists them: the daily digest
    first, then by rule as registered, then by subject."""
    order = {name: index for index, name in enumerate(RULES_BY_NAME)}
    return sorted(
        entries,
        key=lambda e: (not isinstance(e.alert, DailyDigest), order.get(e.alert.rule, len(order)), e.alert.subject, e.id),
    )
