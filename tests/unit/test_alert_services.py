"""The alert engine over the fake books with a moved clock: conditions raise once, stay quiet,
clear and recur; the outbox dedupes, leases and records delivery outcomes; subscriptions
respect who may see money."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from domain import alert_services as s
from domain import commands as c
from domain import document_services, partner_services, services
from domain.alerts import MAX_ATTEMPTS, ChatGone, DailyDigest, LowStock, OpenItem, Topic
from domain.errors import AlertTopicRefused, UnknownProduct
from tests.factories import SHANGHAI
from tests.fakes import FakeOpenItems, FakeUnitOfWork
from tests.unit.support import BOOKKEEPER, BUYER, GROUP, KEEPER, OWNER, SELLER, ctx_of, shop

D = Decimal
START = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)
PRIVATE = BOOKKEEPER.user_id  # a private chat's id is its user's id
LEASE = timedelta(minutes=2)


def at(hours: float = 0, days: int = 0) -> datetime:
    return START + timedelta(hours=hours, days=days)


def book(uow: FakeUnitOfWork, text: str, now: datetime = START) -> None:
    """入库/出库 as the owner types it (back-dated movements keep their own time)."""
    verb, code, quantity, *rest = text.split()
    price = D(rest[1]) if rest[:1] == ["单价"] else None
    ctx = ctx_of(OWNER, text, now=now, chat_id=OWNER.user_id)
    command = (c.ReceiveStock if verb == "入库" else c.IssueStock)(code, D(quantity), unit_price=price)
    (services.receive_stock if verb == "入库" else services.issue_stock)(uow, ctx, command)  # type: ignore[arg-type]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A shop with 可口可乐 (safety stock 20, at most 100) and 24 on hand, a bound group."""
    books = shop()
    ctx = ctx_of(OWNER, chat_id=OWNER.user_id, now=START - timedelta(days=1))
    services.add_product(books, ctx, c.AddProduct("A001", "可口可乐", (("unit", "罐"), ("safety_stock", D(20)), ("max_stock", D(100)))))
    book(books, "入库 A001 24 单价 2.5", START - timedelta(days=1))
    with books.writing():
        books.chats.bind(GROUP, OWNER.user_id, START)
        books.commit()
    return books


def subscribe(uow: FakeUnitOfWork, *topics: str, member=KEEPER, chat: int = GROUP) -> s.SubscriptionsResult:  # type: ignore[no-untyped-def]
    return s.subscribe(uow, ctx_of(member, chat_id=chat, now=START), c.Subscribe(topics), private=chat > 0)


def pending(uow: FakeUnitOfWork) -> list[tuple[int, str, str]]:
    return [(row.entry.chat_id, row.entry.alert.rule, row.entry.alert.subject) for row in uow.alerts.rows("pending")]


# ---- raise once, clear, recur ---------------------------------------------------------------------


def test_a_low_stock_condition_alerts_once_until_it_clears_and_recurs(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    assert s.evaluate(uow, at(0)).queued == 0  # 24 ≥ 20: nothing holds

    book(uow, "出库 A001 16 单价 3.5", at(1))  # 8 left
    first = s.evaluate(uow, at(1))
    assert (first.queued, [a.subject for a in first.raised]) == (1, ["A001"])
    (row,) = uow.alerts.rows()
    assert isinstance(row.entry.alert, LowStock) and row.entry.alert.on_hand == D(8)
    assert row.entry.key == ("low_stock", "A001", "2026-11-22T02:00:00Z")

    book(uow, "出库 A001 3", at(2))  # lower still: the same condition, no new alert
    assert s.evaluate(uow, at(2)) == s.Evaluation([], 0, 0)
    assert s.evaluate(uow, at(30)).queued == 0  # a day later: still the same condition

    book(uow, "入库 A001 50", at(31))  # clears
    cleared = s.evaluate(uow, at(31))
    assert (cleared.cleared, cleared.queued) == (1, 0)

    book(uow, "出库 A001 40", at(32))  # recurs: alerts again, with a new period
    again = s.evaluate(uow, at(32))
    assert again.queued == 1
    assert [row.entry.period for row in uow.alerts.rows()] == ["2026-11-22T02:00:00Z", "2026-11-23T09:00:00Z"]


def test_the_condition_is_tracked_even_before_anyone_subscribes(uow: FakeUnitOfWork) -> None:
    book(uow, "出库 A001 20")
    assert s.evaluate(uow, at(1)).queued == 0
    with uow:
        (condition,) = uow.alerts.conditions()
    assert (condition.rule, condition.subject, condition.active) == ("low_stock", "A001", True)
    subscribe(uow, "库存")
    assert s.evaluate(uow, at(2)).queued == 0  # raised before: the subscriber sees it with 预警


def test_over_stock_alerts_and_clears(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    book(uow, "入库 A001 90")  # 114 > 100
    result = s.evaluate(uow, at(1))
    assert pending(uow) == [(GROUP, "over_stock", "A001")] and result.queued == 1
    book(uow, "出库 A001 20", at(2))
    assert s.evaluate(uow, at(2)).cleared == 1


def test_every_subscribed_chat_gets_its_own_row(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    subscribe(uow, "库存", member=OWNER, chat=OWNER.user_id)
    book(uow, "出库 A001 20")
    assert s.evaluate(uow, at(1)).queued == 2
    assert sorted(chat for chat, *_ in pending(uow)) == [GROUP, OWNER.user_id]


def test_an_unbound_group_or_a_departed_member_receives_nothing(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    subscribe(uow, "库存", member=BUYER, chat=BUYER.user_id)
    with uow.writing():
        uow.chats.unbind(GROUP)
        uow.members.remove(BUYER.user_id)
        uow.commit()
    book(uow, "出库 A001 20")
    assert s.evaluate(uow, at(1)).queued == 0


# ---- snooze, quiet hours, periods ------------------------------------------------------------------


def test_ignoring_a_product_silences_it_across_clear_and_recur_until_the_days_are_over(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    snoozed = s.snooze_alert(uow, ctx_of(KEEPER, now=START), c.SnoozeAlert("a001", 7))
    assert (snoozed.code, snoozed.until) == ("A001", START + timedelta(days=7))
    book(uow, "出库 A001 20", at(1))
    assert s.evaluate(uow, at(1)).queued == 0
    book(uow, "入库 A001 20", at(2))
    s.evaluate(uow, at(2))
    book(uow, "出库 A001 20", at(3))
    assert s.evaluate(uow, at(3)).queued == 0
    assert s.evaluate(uow, at(days=8)).queued == 0  # still the same condition after the snooze
    book(uow, "入库 A001 20", at(days=8, hours=1))
    s.evaluate(uow, at(days=8, hours=1))
    book(uow, "出库 A001 20", at(days=8, hours=2))
    assert s.evaluate(uow, at(days=8, hours=2)).queued == 1  # recurs after the snooze: alerts


def test_ignoring_an_unknown_product_is_refused_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    before = uow.state()
    with pytest.raises(UnknownProduct):
        s.snooze_alert(uow, ctx_of(KEEPER, now=START), c.SnoozeAlert("Z999"))
    assert uow.state() == before


def test_an_alert_raised_in_quiet_hours_waits_for_their_end(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    s.set_alert_settings(uow, ctx_of(OWNER, now=START), c.SetAlertSettings((("quiet", (time(22), time(8))),)))
    night = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    book(uow, "出库 A001 20", night)
    s.evaluate(uow, night)
    (row,) = uow.alerts.rows()
    assert row.entry.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    assert s.claim(uow, night + timedelta(hours=8), "me", LEASE) == []  # 07:30: still quiet
    assert len(s.claim(uow, row.entry.not_before, "me", LEASE)) == 1


def test_the_digest_goes_once_a_day_with_the_days_figures(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "日报")
    book(uow, "出库 A001 10 单价 3.5", at(1))  # 35.00 sales at 25.00 cost
    evening = datetime(2026, 11, 22, 21, 0, tzinfo=SHANGHAI)
    assert s.evaluate(uow, evening - timedelta(minutes=1)).queued == 0
    assert s.evaluate(uow, evening).queued == 1
    assert s.evaluate(uow, evening + timedelta(hours=1)).queued == 0
    (row,) = uow.alerts.rows()
    digest = row.entry.alert
    assert isinstance(digest, DailyDigest)
    assert (digest.sales, digest.gross_profit, digest.receipts, digest.issue_count, digest.stock_value) == (
        D("35.00"), D("10.00"), D("0"), 1, D("35.00"),
    )
    assert (row.entry.period, row.entry.show_money) == ("2026-11-22", False)  # the group is not marked for cost
    assert s.evaluate(uow, evening + timedelta(days=1)).queued == 1  # the next day's


def test_the_digest_shows_money_in_a_private_chat_of_someone_who_may_see_cost(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "日报", member=KEEPER, chat=KEEPER.user_id)
    s.evaluate(uow, datetime(2026, 11, 22, 21, 0, tzinfo=SHANGHAI))
    (row,) = uow.alerts.rows()
    assert (row.entry.chat_id, row.entry.show_money) == (KEEPER.user_id, True)


# ---- money topics --------------------------------------------------------------------------------

DUE = OpenItem("华东饮料", "PO-2026-0001", D("9000"), START.date() + timedelta(days=3), 7)
OVERDUE = OpenItem("张三超市", "SO-2026-0001", D("1200"), START.date() - timedelta(days=12), 4)


def open_items(uow):  # type: ignore[no-untyped-def]
    return FakeOpenItems([DUE], [OVERDUE])


def test_payment_topics_need_the_money_permission(uow: FakeUnitOfWork) -> None:
    before = uow.state()
    with pytest.raises(AlertTopicRefused) as refused:
        subscribe(uow, "库存", "应收", member=KEEPER, chat=KEEPER.user_id)
    assert refused.value.roles == ["老板", "管理员", "财务"] and not refused.value.group
    assert uow.state() == before  # not even 库存 was subscribed


def test_payment_topics_in_a_group_need_it_marked_for_sensitive_figures(uow: FakeUnitOfWork) -> None:
    before = uow.state()
    with pytest.raises(AlertTopicRefused) as refused:
        subscribe(uow, "应付", member=BOOKKEEPER)
    assert refused.value.group and uow.state() == before
    with uow.writing():
        uow.chats.set_show_sensitive(GROUP, True)
        uow.commit()
    assert subscribe(uow, "应付", member=BOOKKEEPER).added == [Topic.PAYABLES]


def test_payment_alerts_reach_the_bookkeeper_privately_and_repeat_weekly_while_overdue(uow: FakeUnitOfWork) -> None:
    assert subscribe(uow, "应付", "应收", member=BOOKKEEPER, chat=PRIVATE).added == [Topic.PAYABLES, Topic.RECEIVABLES]
    assert s.evaluate(uow, at(1), open_items).queued == 2
    assert sorted(rule for _, rule, _ in pending(uow)) == ["payables_due", "receivables_overdue"]
    # 3 days later the payable is due today: the same due date, the same condition, no new alert
    assert s.evaluate(uow, at(days=3), open_items).queued == 0
    # a day later it is overdue: the due-soon condition clears, the overdue one is raised
    late = s.evaluate(uow, at(days=4), open_items)
    assert ([a.rule for a in late.raised], late.cleared) == (["payables_overdue"], 1)
    assert s.evaluate(uow, at(days=6), open_items).queued == 0
    reminder = s.evaluate(uow, at(1, days=7), open_items)  # a week on, the customer still owes: reminded
    assert [a.rule for a in reminder.raised] == ["receivables_overdue"]


def test_payment_alerts_stop_when_the_subscriber_loses_the_permission(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "应收", member=BOOKKEEPER, chat=PRIVATE)
    with uow.writing():
        uow.members.update(replace(BOOKKEEPER, role=SELLER.role))
        uow.commit()
    assert s.evaluate(uow, at(1), open_items).queued == 0


def test_without_documents_the_payment_rules_are_skipped_and_listed_as_such(uow: FakeUnitOfWork) -> None:
    active = s.show_alerts(uow, ctx_of(BOOKKEEPER, now=START), c.ShowAlerts())
    assert active.skipped_topics == (Topic.PAYABLES, Topic.RECEIVABLES)
    with_docs = s.show_alerts(uow, ctx_of(BOOKKEEPER, now=START), c.ShowAlerts(), open_items)
    assert [a.rule for a in with_docs.alerts] == ["payables_due", "receivables_overdue"]
    keeper = s.show_alerts(uow, ctx_of(KEEPER, now=START), c.ShowAlerts(), open_items)
    assert keeper.alerts == []  # no money permission: payment alerts are not listed


# ---- commands ------------------------------------------------------------------------------------


def test_subscribing_twice_and_unsubscribing(uow: FakeUnitOfWork) -> None:
    assert subscribe(uow, "库存", "日报").added == [Topic.STOCK, Topic.DIGEST]
    again = subscribe(uow, "库存")
    assert (again.added, again.unchanged, again.topics) == ([], [Topic.STOCK], [Topic.STOCK, Topic.DIGEST])
    gone = s.unsubscribe(uow, ctx_of(KEEPER, now=START), c.Unsubscribe(("日报", "应收")))
    assert (gone.removed, gone.unchanged, gone.topics) == ([Topic.DIGEST], [Topic.RECEIVABLES], [Topic.STOCK])
    everything = s.unsubscribe(uow, ctx_of(KEEPER, now=START), c.Unsubscribe(()))
    assert (everything.removed, everything.topics) == ([Topic.STOCK], [])
    listed = s.list_subscriptions(uow, ctx_of(KEEPER, now=START), c.ListSubscriptions())
    assert listed.topics == [] and listed.action == "list"


def test_settings_change_only_what_differs_and_are_audited(uow: FakeUnitOfWork) -> None:
    result = s.set_alert_settings(
        uow, ctx_of(OWNER, now=START), c.SetAlertSettings((("digest_at", time(20, 30)), ("sales_days", 7)))
    )
    assert result.changed == ["digest_at"] and result.settings.digest_at == time(20, 30)
    with uow:
        assert uow.alerts.settings().digest_at == time(20, 30)
    before = uow.state()
    unchanged = s.set_alert_settings(uow, ctx_of(OWNER, now=START), c.SetAlertSettings((("digest_at", time(20, 30)),)))
    assert unchanged.changed == [] and uow.state() == before
    shown = s.set_alert_settings(uow, ctx_of(OWNER, now=START), c.SetAlertSettings())
    assert shown.settings.digest_at == time(20, 30) and uow.state() == before


def test_checking_evaluates_now_and_lists_what_holds(uow: FakeUnitOfWork) -> None:
    subscribe(uow, "库存")
    book(uow, "出库 A001 20")
    check = s.check_alerts(uow, ctx_of(KEEPER, now=at(1)), c.CheckAlerts())
    assert (check.evaluation.queued, check.subscribers, [a.subject for a in check.active.alerts]) == (1, 1, ["A001"])
    assert s.check_alerts(uow, ctx_of(KEEPER, now=at(2)), c.CheckAlerts()).evaluation.queued == 0


# ---- delivery ------------------------------------------------------------------------------------


@pytest.fixture
def queued(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    subscribe(uow, "库存")
    book(uow, "出库 A001 20")
    s.evaluate(uow, at(1))
    return uow


def test_a_claimed_row_is_leased_to_one_sender_until_the_lease_runs_out(queued: FakeUnitOfWork) -> None:
    (entry,) = s.claim(queued, at(1), "one", LEASE)
    assert s.claim(queued, at(1) + timedelta(minutes=1), "two", LEASE) == []
    # The first sender died: after the lease another takes the row over, and the dead one's
    # late acknowledgement no longer counts.
    (taken,) = s.claim(queued, at(1) + LEASE + timedelta(seconds=1), "two", LEASE)
    assert taken.id == entry.id
    assert s.delivered(queued, [entry.id], "one", at(2)) == 0
    assert s.delivered(queued, [entry.id], "two", at(2)) == 1
    assert queued.alerts.rows("pending") == [] and s.claim(queued, at(3), "three", LEASE) == []


def test_retry_after_waits_exactly_and_backoff_doubles(queued: FakeUnitOfWork) -> None:
    entries = s.claim(queued, at(1), "me", LEASE)
    assert s.retry(queued, entries, "me", at(1), "flood", timedelta(seconds=7))
    (row,) = queued.alerts.rows("pending")
    assert (row.entry.not_before, row.entry.attempts, row.error) == (at(1) + timedelta(seconds=7), 1, "flood")
    assert s.claim(queued, at(1) + timedelta(seconds=6), "me", LEASE) == []
    entries = s.claim(queued, at(1) + timedelta(seconds=7), "me", LEASE)
    assert s.retry(queued, entries, "me", at(2), "Bad Gateway")  # second attempt: 10 s
    assert queued.alerts.rows("pending")[0].entry.not_before == at(2) + timedelta(seconds=10)


def test_a_row_is_given_up_after_too_many_network_failures(queued: FakeUnitOfWork) -> None:
    (entry,) = s.claim(queued, at(1), "me", LEASE)
    assert not s.retry(queued, [replace(entry, attempts=MAX_ATTEMPTS - 1)], "me", at(1), "timed out")
    assert [row.status for row in queued.alerts.rows()] == ["failed"]


def test_a_gone_chat_ends_its_subscriptions_and_the_owners_are_told_privately(queued: FakeUnitOfWork) -> None:
    subscribe(queued, "日报")
    ids = [e.id for e in s.claim(queued, at(1), "me", LEASE)]
    told = s.chat_gone(queued, GROUP, ids, "me", at(1), "Forbidden: bot was kicked from the group chat")
    assert told == [OWNER.user_id]
    with queued:
        assert queued.alerts.subscriptions(GROUP) == []
    (failed,) = queued.alerts.rows("failed")
    (notice,) = queued.alerts.rows("pending")
    assert notice.entry.chat_id == OWNER.user_id
    assert notice.entry.alert == ChatGone(GROUP, ("库存", "日报"), "Forbidden: bot was kicked from the group chat")
    # The owner's own chat gone as well: no notice about the notice.
    assert s.chat_gone(queued, OWNER.user_id, [], "me", at(2), "Forbidden") == []


def test_a_combined_message_lists_the_digest_first_then_rules_in_order() -> None:
    from domain.alerts import OutboxEntry, OverStock

    low = LowStock("B001", "b", "罐", D(1), D(2), D(0), 7, None, D(1))
    over = OverStock("A001", "a", "罐", D(9), D(5))
    digest = DailyDigest(START.date(), D(0), D(0), D(0), 0, 0, D(0), 0, None, None)
    entries = [OutboxEntry(GROUP, alert, "p", START, START, id=n) for n, alert in enumerate((over, low, digest))]
    assert [e.alert.rule for e in s.digest_of(entries)] == ["daily_digest", "low_stock", "over_stock"]


# ---- the documents' open items and the batches, as the rules read them -----------------------------


def partner(uow: FakeUnitOfWork, kind: str, name: str, terms: int) -> None:
    partner_services.add_partner(uow, ctx_of(OWNER, now=START), c.AddPartner(kind, name, (("terms_days", terms),)))


def raised(evaluation: s.Evaluation, *rules: str) -> list:  # type: ignore[type-arg]
    """The alerts of these rules an evaluation raised (the stock rules run alongside)."""
    return [alert for alert in evaluation.raised if alert.rule in rules]


def active_conditions(uow: FakeUnitOfWork, *rules: str) -> list[bool]:
    with uow:
        return [cond.active for cond in uow.alerts.conditions() if cond.rule in rules]


def trade(uow: FakeUnitOfWork, kind: type, code: str, quantity: str, price: str, who: str, now: datetime = START) -> None:
    ctx = ctx_of(OWNER, now=now, chat_id=OWNER.user_id)
    command = kind(code, D(quantity), unit_price=D(price), counterparty=who, occurred_on=now.date(), confirmed=True)
    (services.receive_stock if kind is c.ReceiveStock else services.issue_stock)(uow, ctx, command)


def test_payables_from_the_documents_alert_three_days_ahead_in_the_issues_words(uow: FakeUnitOfWork) -> None:
    partner(uow, "供应商", "华东饮料", 3)
    partner(uow, "供应商", "百事批发", 3)
    trade(uow, c.ReceiveStock, "A001", "100", "90", "华东饮料")  # 9,000.00 due 11-25
    trade(uow, c.ReceiveStock, "A001", "100", "60", "百事批发")  # 6,000.00 due 11-25
    subscribe(uow, "应付", member=BOOKKEEPER, chat=PRIVATE)
    first = s.evaluate(uow, START, s.DocumentOpenItems)
    (alert,) = raised(first, "payables_due")
    assert (alert.rule, alert.days, alert.total) == ("payables_due", 3, D("15000.00"))
    assert [(i.partner, i.amount) for i in alert.items] == [("华东饮料", D("9000.00")), ("百事批发", D("6000.00"))]
    assert all(i.number.startswith("RK-") and i.partner_id for i in alert.items)
    assert first.queued == 1
    # Paid in part the next day: the same due date, the same condition — not announced again.
    document_services.pay(uow, ctx_of(OWNER, now=at(24)), c.RecordPayment("付款", "华东饮料", D(4000)))
    assert s.evaluate(uow, at(24), s.DocumentOpenItems).queued == 0
    active = s.show_alerts(uow, ctx_of(BOOKKEEPER, now=at(24)), c.ShowAlerts(), s.DocumentOpenItems)
    (listed,) = [a for a in active.alerts if a.rule == "payables_due"]
    assert (listed.days, listed.total) == (2, D("11000.00"))  # 5,000 + 6,000 still open
    # Paid in full: nothing open, the condition clears.
    document_services.pay(uow, ctx_of(OWNER, now=at(25)), c.RecordPayment("付款", "华东饮料", D(5000)))
    document_services.pay(uow, ctx_of(OWNER, now=at(25)), c.RecordPayment("付款", "百事批发", D(6000)))
    s.evaluate(uow, at(25), s.DocumentOpenItems)
    assert active_conditions(uow, "payables_due") == [False]


def test_overdue_receivables_from_the_documents_are_one_alert_per_customer(uow: FakeUnitOfWork) -> None:
    partner(uow, "客户", "张三超市", 15)
    partner(uow, "客户", "李四商店", 30)
    trade(uow, c.IssueStock, "A001", "2", "3.5", "张三超市")  # 7.00 due 12-07
    trade(uow, c.IssueStock, "A001", "4", "3.5", "张三超市", at(24))  # 14.00 due 12-08
    trade(uow, c.IssueStock, "A001", "1", "3.5", "李四商店")  # 3.50 due 12-22
    subscribe(uow, "应收", member=BOOKKEEPER, chat=PRIVATE)
    assert s.evaluate(uow, at(0, days=15), s.DocumentOpenItems).queued == 0  # 12-07: due today, not late
    late = s.evaluate(uow, at(0, days=20), s.DocumentOpenItems)  # 12-12
    (alert,) = raised(late, "receivables_overdue")
    assert (alert.partner, alert.total, alert.days, len(alert.items)) == ("张三超市", D("21.00"), 5, 2)
    assert late.queued == 1
    assert s.customer_name(uow, alert.partner_id) == "张三超市"


def test_expiring_and_expired_batches_alert_once_each_and_the_expired_weekly(uow: FakeUnitOfWork) -> None:
    ctx = ctx_of(OWNER, now=START, chat_id=OWNER.user_id)
    services.add_product(uow, ctx, c.AddProduct("B001", "鲜牛奶", (("unit", "盒"), ("batch_managed", True))))
    services.receive_stock(uow, ctx, c.ReceiveStock("B001", D(10), unit_price=D(2), batch="L1", expires_on=START.date() + timedelta(days=9)))
    services.receive_stock(uow, ctx, c.ReceiveStock("B001", D(5), unit_price=D(2), batch="L2", expires_on=START.date() + timedelta(days=60)))
    subscribe(uow, "临期")
    first = s.evaluate(uow, START)  # 11-22: L1 expires 12-01, in the 30 days; L2 does not
    assert [(a.rule, a.batch, a.days, a.quantity) for a in raised(first, "batch_expiring", "batch_expired")] == [("batch_expiring", "L1", 9, D(10))]
    assert first.queued == 1
    assert s.evaluate(uow, at(0, days=1)).queued == 0  # the same condition

    expired = s.evaluate(uow, at(0, days=10))  # 12-02: L1 expired the day after its date
    assert [(a.rule, a.batch, a.days) for a in raised(expired, "batch_expiring", "batch_expired")] == [("batch_expired", "L1", 1)]
    assert expired.queued == 1  # and 临期 cleared
    assert s.evaluate(uow, at(0, days=11)).queued == 0
    assert [a.days for a in raised(s.evaluate(uow, at(0, days=17)), "batch_expired")] == [8]  # still on hand a week on: again

    services.scrap_stock(uow, ctx_of(OWNER, now=at(0, days=18)), c.ScrapStock("B001", D(10), "过期", batch="L1"))
    assert s.evaluate(uow, at(0, days=18)).queued == 0
    assert active_conditions(uow, "batch_expiring", "batch_expired") == [False, False]
