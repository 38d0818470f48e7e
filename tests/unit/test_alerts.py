"""The alert rules as pure functions of the books and the time, with worked numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from domain import alerts as a
from tests.factories import SHANGHAI, make_product

D = Decimal
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)  # a Sunday morning in Shanghai
SETTINGS = a.AlertSettings()
COLA = make_product("A001", name="可口可乐", safety_stock=D(20), id=1)


def books(*levels: a.StockLevel, **parts: object) -> a.Books:
    return a.Books(SETTINGS, tuple(levels), **parts)  # type: ignore[arg-type]


# ---- low stock -----------------------------------------------------------------------------------


def test_low_stock_reads_as_the_issue_words_it() -> None:
    # 8 on hand, 35 sold in 7 days: 5 a day, 8 ÷ 5 = 1.6 days left. Target = 20 + 5 × (7 + 14) = 125,
    # so 117 to order.
    (alert,) = a.low_stock(books(a.StockLevel(COLA, D(8), D(35))), NOW)
    assert alert == a.LowStock("A001", "可口可乐", "罐", D(8), D(20), D("5.00"), 7, D("1.6"), D(117))
    assert (alert.rule, alert.subject) == ("low_stock", "A001")


def test_days_left_rounds_half_up_to_one_decimal_and_the_average_to_the_fen() -> None:
    # 10 sold in 7 days: 1.428…/day shown as 1.43; 5 ÷ 1.428… = 3.5 days.
    (alert,) = a.low_stock(books(a.StockLevel(COLA, D(5), D(10))), NOW)
    assert (alert.daily, alert.days_left) == (D("1.43"), D("3.5"))


def test_stock_exactly_at_safety_stock_is_not_low_and_one_below_is() -> None:
    assert a.low_stock(books(a.StockLevel(COLA, D(20), D(7))), NOW) == []
    assert [x.on_hand for x in a.low_stock(books(a.StockLevel(COLA, D("19.999"), D(7))), NOW)] == [D("19.999")]


def test_nothing_sold_gives_no_estimate_and_the_safety_stock_as_target() -> None:
    (alert,) = a.low_stock(books(a.StockLevel(COLA, D(0), D(0))), NOW)
    assert (alert.daily, alert.days_left, alert.suggested) == (D("0.00"), None, D(20))


def test_negative_stock_is_low_with_zero_days_left() -> None:
    (alert,) = a.low_stock(books(a.StockLevel(COLA, D(-3), D(14))), NOW)
    assert alert.days_left == D("0.0")
    assert alert.suggested == D(65)  # 20 + 2 × 21 = 62, minus −3


def test_the_suggestion_is_exact_where_the_daily_average_is_not() -> None:
    # 16 sold in 7 days (2.2857…/day): 21 days of demand are exactly 48, target 68, order 60.
    (alert,) = a.low_stock(books(a.StockLevel(COLA, D(8), D(16))), NOW)
    assert (alert.daily, alert.days_left, alert.suggested) == (D("2.29"), D("3.5"), D(60))


def test_a_max_stock_is_the_target_of_the_suggestion() -> None:
    product = replace(COLA, max_stock=D(100))
    (alert,) = a.low_stock(books(a.StockLevel(product, D(8), D(35))), NOW)
    assert alert.suggested == D(92)


@pytest.mark.parametrize("product", [replace(COLA, safety_stock=None), replace(COLA, safety_stock=D(0)), replace(COLA, active=False)])
def test_products_without_a_safety_stock_or_inactive_never_alert(product) -> None:  # type: ignore[no-untyped-def]
    assert a.low_stock(books(a.StockLevel(product, D(0), D(5))), NOW) == []


def test_the_days_of_sales_follow_the_settings() -> None:
    fortnight = a.Books(replace(SETTINGS, sales_days=14), (a.StockLevel(COLA, D(8), D(35)),))
    (alert,) = a.low_stock(fortnight, NOW)
    assert (alert.daily, alert.sales_days, alert.days_left) == (D("2.50"), 14, D("3.2"))


def test_low_stock_alerts_come_by_code() -> None:
    b = make_product("B001", safety_stock=D(5), id=2)
    found = a.low_stock(books(a.StockLevel(b, D(1)), a.StockLevel(COLA, D(1))), NOW)
    assert [x.code for x in found] == ["A001", "B001"]


# ---- over-stock ------------------------------------------------------------------------------------


def test_over_stock_names_the_excess() -> None:
    product = replace(COLA, max_stock=D(100))
    (alert,) = a.over_stock(books(a.StockLevel(product, D(130))), NOW)
    assert (alert.on_hand, alert.max_stock, alert.excess, alert.subject) == (D(130), D(100), D(30), "A001")
    assert a.over_stock(books(a.StockLevel(product, D(100))), NOW) == []
    assert a.over_stock(books(a.StockLevel(replace(product, max_stock=D(0)), D(100))), NOW) == []


# ---- payables and receivables ----------------------------------------------------------------------

TODAY = date(2026, 11, 22)


def item(partner: str, number: str, amount: str, due: date, partner_id: int = 1) -> a.OpenItem:
    return a.OpenItem(partner, number, D(amount), due, partner_id)


def test_payables_due_within_three_days_are_one_alert_per_due_date() -> None:
    payables = (
        item("华东饮料", "PO-2026-0001", "9000", TODAY + timedelta(days=3)),
        item("百事批发", "PO-2026-0004", "6000", TODAY + timedelta(days=3), 2),
        item("华东饮料", "PO-2026-0002", "500", TODAY),
        item("华东饮料", "PO-2026-0003", "800", TODAY + timedelta(days=4)),  # beyond the window
        item("华东饮料", "PO-2026-0009", "0", TODAY),  # fully paid
        item("华东饮料", "PO-2026-0008", "700", TODAY - timedelta(days=1)),  # overdue: another rule
    )
    found = a.payables_due(books(payables=payables), NOW)
    assert [(x.due, x.days, x.total, [i.number for i in x.items]) for x in found] == [
        (TODAY, 0, D("500.00"), ["PO-2026-0002"]),
        (TODAY + timedelta(days=3), 3, D("15000.00"), ["PO-2026-0001", "PO-2026-0004"]),  # largest first
    ]
    assert found[1].subject == "2026-11-25"


def test_the_payables_window_follows_the_settings() -> None:
    payables = (item("华东饮料", "PO-2026-0003", "800", TODAY + timedelta(days=4)),)
    wider = a.Books(replace(SETTINGS, payables_days=5), payables=payables)
    assert [x.days for x in a.payables_due(wider, NOW)] == [4]


def test_overdue_receivables_are_one_consolidated_alert_per_customer() -> None:
    receivables = (
        item("张三超市", "SO-2026-0001", "1200", TODAY - timedelta(days=12), 4),
        item("张三超市", "SO-2026-0003", "2000", TODAY - timedelta(days=7), 4),
        item("李四商店", "SO-2026-0002", "300.50", TODAY - timedelta(days=1), 5),
        item("李四商店", "SO-2026-0005", "999", TODAY),  # due today: not yet overdue
    )
    found = a.receivables_overdue(books(receivables=receivables), NOW)
    assert [(x.partner, x.partner_id, x.total, x.days, len(x.items)) for x in found] == [
        ("张三超市", 4, D("3200.00"), 12, 2),
        ("李四商店", 5, D("300.50"), 1, 1),
    ]
    assert found[0].rule == "receivables_overdue" and found[0].subject == "张三超市"


def test_overdue_payables_are_one_alert_per_supplier() -> None:
    payables = (item("华东饮料", "PO-2026-0008", "700", TODAY - timedelta(days=5)),)
    (alert,) = a.payables_overdue(books(payables=payables), NOW)
    assert (alert.rule, alert.partner, alert.total, alert.days) == ("payables_overdue", "华东饮料", D("700.00"), 5)


def test_rules_without_their_books_are_not_available() -> None:
    rules = {rule.name: rule for rule in a.RULES}
    plain = books(a.StockLevel(COLA, D(1)), day=a.DayFigures())
    assert rules["low_stock"].available(plain) and rules["daily_digest"].available(plain)
    assert not rules["payables_due"].available(plain)
    assert not rules["receivables_overdue"].available(plain)
    assert rules["receivables_overdue"].available(replace(plain, receivables=()))


# ---- expiry (临期, 过期) -------------------------------------------------------------------------------


def batch(code: str, expires: date, quantity: str, warehouse: str = "") -> a.BatchStock:
    return a.BatchStock("A001", "可口可乐", "罐", warehouse, code, expires, D(quantity))


def test_batches_expiring_within_the_window_are_linqi_soonest_first() -> None:
    # Today 11-22, window 30 days: through 12-22. A batch is usable through its expiry date.
    batches = (
        batch("L3", TODAY + timedelta(days=30), "5"),  # the window's last day: in
        batch("L4", TODAY + timedelta(days=31), "5"),  # beyond
        batch("L1", TODAY, "12"),  # expires today: still 临期, not yet expired
        batch("L2", TODAY + timedelta(days=9), "0"),  # nothing left: nothing to say
        batch("L0", TODAY - timedelta(days=1), "2"),  # expired yesterday: the other rule
    )
    found = a.batches_expiring(books(batches=batches), NOW)
    assert [(x.batch, x.days, x.quantity) for x in found] == [("L1", 0, D(12)), ("L3", 30, D(5))]
    assert found[0].subject == "A001//L1" and found[0].rule == "batch_expiring"


def test_the_expiry_window_follows_the_settings() -> None:
    batches = (batch("L1", TODAY + timedelta(days=10), "5"),)
    assert a.batches_expiring(a.Books(replace(SETTINGS, expiry_days=7), batches=batches), NOW) == []
    assert [x.days for x in a.batches_expiring(a.Books(replace(SETTINGS, expiry_days=10), batches=batches), NOW)] == [10]


def test_expired_stock_on_hand_alerts_with_the_days_since_and_the_warehouse() -> None:
    batches = (
        batch("L0", TODAY - timedelta(days=3), "2", "二仓"),
        batch("L9", TODAY - timedelta(days=40), "0.5"),
        batch("L8", TODAY - timedelta(days=1), "0"),  # scrapped already
    )
    found = a.batches_expired(books(batches=batches), NOW)
    assert [(x.batch, x.warehouse, x.days, x.quantity_text) for x in found] == [("L9", "", 40, "0.5"), ("L0", "二仓", 3, "2")]
    assert found[1].subject == "A001/二仓/L0"


def test_expiry_rules_need_the_batches() -> None:
    rules = {rule.name: rule for rule in a.RULES}
    assert not rules["batch_expiring"].available(books())
    assert rules["batch_expired"].available(books(batches=())) and rules["batch_expired"].repeat == timedelta(days=7)


# ---- the daily digest --------------------------------------------------------------------------------

DAY = a.DayFigures(sales=D("350.00"), cost=D("240.00"), receipts=D("125.00"), issue_count=3, receipt_count=1)


def test_the_digest_waits_for_its_time_and_names_the_day() -> None:
    evening = datetime(2026, 11, 22, 21, 0, tzinfo=SHANGHAI)
    b = books(a.StockLevel(COLA, D(8)), stock_value=D("1000.00"), day=DAY)
    assert a.daily_digest(b, evening - timedelta(seconds=1)) == []
    (digest,) = a.daily_digest(b, evening)
    # gross profit = 350.00 sales − 240.00 cost of the issues
    assert digest == a.DailyDigest(date(2026, 11, 22), D("350.00"), D("110.00"), D("125.00"), 3, 1, D("1000.00"), 1, None, None)
    assert (digest.period, digest.subject) == ("2026-11-22", "")


def test_the_digest_uses_workspace_time_not_utc() -> None:
    b = books(day=DAY)
    utc_evening = datetime(2026, 11, 22, 13, 0, tzinfo=timezone.utc)  # 21:00 in Shanghai
    assert [x.day for x in a.daily_digest(b, utc_evening)] == [date(2026, 11, 22)]
    early = a.Books(replace(SETTINGS, digest_at=time(8, 0)), day=DAY)
    assert [x.day for x in a.daily_digest(early, NOW)] == [date(2026, 11, 22)]


def test_the_digest_counts_due_items_once_the_documents_exist() -> None:
    evening = datetime(2026, 11, 22, 22, 0, tzinfo=SHANGHAI)
    b = books(
        day=DAY,
        payables=(item("华东饮料", "PO-1", "10", TODAY + timedelta(days=1)),),
        receivables=(item("张三超市", "SO-1", "10", TODAY - timedelta(days=2)), item("李四", "SO-2", "5", TODAY - timedelta(days=2), 2)),
    )
    (digest,) = a.daily_digest(b, evening)
    assert (digest.payables_due, digest.receivables_overdue) == (1, 2)


# ---- quiet hours, backoff, storage form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "at", "quiet", "ends"),
    [
        (time(22), time(8), datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI), True, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)),
        (time(22), time(8), datetime(2026, 11, 22, 7, 59, tzinfo=SHANGHAI), True, datetime(2026, 11, 22, 8, 0, tzinfo=SHANGHAI)),
        (time(22), time(8), datetime(2026, 11, 22, 8, 0, tzinfo=SHANGHAI), False, None),
        (time(12), time(14), datetime(2026, 11, 22, 13, 0, tzinfo=SHANGHAI), True, datetime(2026, 11, 22, 14, 0, tzinfo=SHANGHAI)),
        (time(12), time(14), datetime(2026, 11, 22, 14, 0, tzinfo=SHANGHAI), False, None),
    ],
)
def test_quiet_hours_may_span_midnight_and_end_at_their_end(start, end, at, quiet, ends) -> None:  # type: ignore[no-untyped-def]
    settings = a.AlertSettings(quiet_from=start, quiet_until=end)
    assert settings.in_quiet_hours(at) is quiet
    assert settings.quiet_end(at) == (ends or at)


def test_no_quiet_hours_by_default() -> None:
    assert not SETTINGS.in_quiet_hours(NOW) and SETTINGS.quiet_end(NOW) == NOW


def test_backoff_doubles_from_five_seconds_and_stops_at_thirty_minutes() -> None:
    assert [a.backoff(n).total_seconds() for n in (1, 2, 3, 4, 10, 60)] == [5, 10, 20, 40, 1800, 1800]


@pytest.mark.parametrize(
    "alert",
    [
        a.LowStock("A001", "可口可乐", "罐", D("8.000"), D("20"), D("5.00"), 7, D("1.6"), D(117)),
        a.LowStock("A001", "可口可乐", "罐", D("0"), D("20"), D("0"), 7, None, D(20)),
        a.OverStock("A001", "可口可乐", "罐", D("130"), D("100")),
        a.PayablesDue(TODAY, 3, D("15000.00"), (item("华东饮料", "PO-1", "9000.01", TODAY),)),
        a.ReceivablesOverdue("张三超市", 4, D("3200.00"), 12, (item("张三超市", "SO-1", "3200", TODAY, 4),)),
        a.PayablesOverdue("华东饮料", 1, D("1.00"), 1, ()),
        a.DailyDigest(TODAY, D("1234567890123456.78"), D("1"), D("0"), 1, 0, D("0"), 0, None, 3),
        a.ChatGone(-100123, ("库存", "日报"), "Forbidden: bot was kicked"),
        a.BatchExpiring("A001", "可口可乐", "罐", "", "L1", TODAY, D("12.500"), 0),
        a.BatchExpired("A001", "可口可乐", "罐", "二仓", "L0", TODAY, D("2"), 3),
    ],
    ids=lambda alert: alert.rule,
)
def test_an_alert_survives_its_storage_form_exactly(alert: a.Alert) -> None:
    import json

    stored = json.loads(json.dumps(a.alert_to_dict(alert)))
    assert a.alert_from_dict(stored) == alert
    assert "1234567890123456.78" in json.dumps(a.alert_to_dict(alert)) or alert.rule != "daily_digest"


def test_the_rule_registry_names_each_alert_class_once_with_its_topic() -> None:
    assert [rule.name for rule in a.RULES] == [
        "low_stock", "over_stock", "payables_due", "payables_overdue", "receivables_overdue", "batch_expiring",
        "batch_expired", "daily_digest",
    ]
    assert {rule.name: rule.topic for rule in a.RULES}["batch_expired"] is a.Topic.EXPIRY
    assert {rule.name: rule.topic for rule in a.RULES}["receivables_overdue"] is a.Topic.RECEIVABLES
    assert [rule.name for rule in a.RULES if not rule.condition] == ["daily_digest"]
    assert a.MONEY_TOPICS == {a.Topic.PAYABLES, a.Topic.RECEIVABLES}


def test_a_condition_period_is_its_raise_time_in_utc() -> None:
    assert a.period_of(NOW) == "2026-11-22T01:00:00Z"
