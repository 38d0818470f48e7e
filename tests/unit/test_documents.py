"""The pure rules of the documents, with worked numbers: status moves, partial deliveries that
add up to the fen, landed cost, due dates, allocation and aging."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from domain.documents import (
    AGING_BUCKETS,
    Allocation,
    Credit,
    tax_in,
    Ledger,
    OpenItem,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Receiving,
    StatementLine,
    after_delivery,
    aging,
    aging_bucket,
    allocate,
    apportion,
    approve,
    close,
    delivery_amount,
    due_date,
    initial_status,
    require_deliverable,
    running_balance,
)
from domain.errors import IllegalTransition

D = Decimal
AT = datetime(2026, 3, 10, 1, 30, tzinfo=timezone.utc)


def line(quantity: str = "100", price: str = "2.40", *, code: str = "A001", line_no: int = 1, **more: object) -> OrderLine:
    return replace(OrderLine(line_no, code, "可乐", "罐", D(quantity), D(price), line_no=line_no), **more)


def order(kind: OrderKind = OrderKind.PURCHASE, status: OrderStatus | None = None, *lines: OrderLine, discount: str | None = None) -> Order:
    number = f"{kind.prefix}-2026-0001"
    return Order(
        kind, number, 1, "华东饮料", status or initial_status(kind), AT, "老王", lines or (line(),), 1,
        discount=D(discount) if discount else None,
    )


# ---- kinds, totals -------------------------------------------------------------------------------


def test_a_number_tells_its_kind_and_each_kind_its_prefix() -> None:
    assert OrderKind.of_number("PO-2026-0001") is OrderKind.PURCHASE
    assert OrderKind.of_number("SO-2026-0007") is OrderKind.SALE
    assert OrderKind.of_number("RK-2026-0001") is None
    assert (OrderKind.PURCHASE.prefix, OrderKind.SALE.prefix) == ("PO", "SO")


def test_a_sales_total_with_9折_is_10x3_50x0_9_plus_5x3_00x0_9_equals_45_00() -> None:
    # 10 × 3.50 × 0.9 = 31.50 and 5 × 3.00 × 0.9 = 13.50: 45.00 for 15 units.
    so = order(OrderKind.SALE, None, line("10", "3.50"), line("5", "3.00", code="A002", line_no=2), discount="0.9")
    assert [l.amount(so.discount) for l in so.lines] == [D("31.50"), D("13.50")]
    assert (so.total, so.quantity) == (D("45.00"), D("15"))
    assert so.line_for("A002") is so.lines[1] and so.line_for("B001") is None


def test_a_line_amount_is_rounded_half_up_to_the_fen() -> None:
    # 3 × 3.335 = 10.005 → 10.01 (half up, not banker's 10.00)
    assert line("3", "3.335").amount() == D("10.01")
    assert line("3", "3.335").amount(D("1")) == D("10.01")


def test_remaining_is_what_is_still_to_come_and_never_negative() -> None:
    assert line("100", done=D("98")).remaining == D("2")
    assert line("100", done=D("120")).remaining == D("0")  # a confirmed over-delivery


# ---- the status machine --------------------------------------------------------------------------


def test_a_purchase_order_starts_as_a_draft_and_a_sales_order_reserves_at_once() -> None:
    assert initial_status(OrderKind.PURCHASE) is OrderStatus.DRAFT
    assert initial_status(OrderKind.SALE) is OrderStatus.OPEN
    assert not order().is_open  # a draft reserves nothing and expects nothing
    assert order(OrderKind.SALE).is_open


def test_approving_a_draft_makes_it_approved_and_open() -> None:
    approved = approve(order())
    assert approved.status is OrderStatus.APPROVED and approved.is_open


def test_approving_twice_is_refused_with_the_status_it_has() -> None:
    with pytest.raises(IllegalTransition) as refused:
        approve(approve(order()))
    assert (refused.value.number, refused.value.status, refused.value.action) == ("PO-2026-0001", "已审核", "审核")


def test_a_sales_order_is_not_approved() -> None:
    with pytest.raises(IllegalTransition) as refused:
        approve(order(OrderKind.SALE))
    assert refused.value.status == "待发货"


@pytest.mark.parametrize("status", [OrderStatus.DONE, OrderStatus.CLOSED])
def test_a_completed_or_closed_order_cannot_be_closed(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        close(order(OrderKind.SALE, status))
    assert (refused.value.status, refused.value.action) == (status.value, "关闭")


@pytest.mark.parametrize("status", [OrderStatus.DRAFT, OrderStatus.APPROVED, OrderStatus.PARTLY_RECEIVED])
def test_an_unfinished_purchase_order_can_be_closed(status: OrderStatus) -> None:
    assert close(order(OrderKind.PURCHASE, status)).status is OrderStatus.CLOSED


def test_receiving_a_draft_is_refused() -> None:
    with pytest.raises(IllegalTransition) as refused:
        require_deliverable(order())
    assert (refused.value.status, refused.value.action) == ("草稿", "到货")


@pytest.mark.parametrize("status", [OrderStatus.CLOSED, OrderStatus.DONE])
def test_shipping_a_closed_or_completed_order_is_refused(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        require_deliverable(order(OrderKind.SALE, status))
    assert (refused.value.status, refused.value.action) == (status.value, "发货")


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (OrderKind.PURCHASE, OrderStatus.APPROVED),
        (OrderKind.PURCHASE, OrderStatus.PARTLY_RECEIVED),
        (OrderKind.SALE, OrderStatus.OPEN),
        (OrderKind.SALE, OrderStatus.PARTLY_SHIPPED),
    ],
)
def test_open_orders_may_deliver(kind: OrderKind, status: OrderStatus) -> None:
    assert require_deliverable(order(kind, status)) is None  # no refusal


def test_the_status_follows_the_lines_partly_then_done() -> None:
    po = order(OrderKind.PURCHASE, OrderStatus.APPROVED, line("100"), line("50", code="A002", line_no=2))
    partly = after_delivery(po, (replace(po.lines[0], done=D("98")), po.lines[1]))
    assert partly.status is OrderStatus.PARTLY_RECEIVED
    done = after_delivery(partly, (replace(po.lines[0], done=D("100")), replace(po.lines[1], done=D("50"))))
    assert done.status is OrderStatus.DONE and not done.is_open
    so = order(OrderKind.SALE, None, line("10"))
    assert after_delivery(so, (replace(so.lines[0], done=D("6")),)).status is OrderStatus.PARTLY_SHIPPED
    assert after_delivery(so, (replace(so.lines[0], done=D("12")),)).status is OrderStatus.DONE  # more than ordered also completes


# ---- partial deliveries add up exactly -----------------------------------------------------------


def test_three_partial_shipments_of_3_x_3_33_at_9折_bill_3_00_2_99_3_00_which_is_the_line_amount_8_99() -> None:
    # The line is worth 3 × 3.33 × 0.9 = 8.991 → 8.99. Rounding each shipment on its own would
    # bill 3.00 three times (9.00); billing the cumulative amount minus what was billed does not.
    discount = D("0.9")
    current = line("3", "3.33")
    billed = []
    for _ in range(3):
        amount = delivery_amount(current, D("1"), discount)
        billed.append(amount)
        current = replace(current, done=current.done + 1, billed=current.billed + amount)
    assert billed == [D("3.00"), D("2.99"), D("3.00")]
    assert sum(billed) == current.amount(discount) == D("8.99")


def test_a_receipt_of_98_of_100_at_2_40_is_235_20_and_the_last_2_are_4_80() -> None:
    first = delivery_amount(line("100", "2.40"), D("98"), None)
    rest = delivery_amount(line("100", "2.40", done=D("98"), billed=first), D("2"), None)
    assert (first, rest, first + rest) == (D("235.20"), D("4.80"), D("240.00"))


# ---- landed cost ---------------------------------------------------------------------------------


def test_freight_50_over_goods_235_20_and_150_00_is_30_53_and_19_47() -> None:
    # 50 × 235.20 / 385.20 = 30.5296… → 30.53; the last line takes the rest: 50 − 30.53 = 19.47.
    assert apportion(D("50"), [D("235.20"), D("150.00")]) == [D("30.53"), D("19.47")]


def test_10_over_three_equal_lines_is_3_33_3_33_and_the_last_takes_3_34() -> None:
    shares = apportion(D("10"), [D("5"), D("5"), D("5")])
    assert shares == [D("3.33"), D("3.33"), D("3.34")] and sum(shares) == D("10")


def test_fees_over_lines_without_value_are_shared_equally() -> None:
    assert apportion(D("10"), [D("0"), D("0"), D("0")]) == [D("3.33"), D("3.33"), D("3.34")]


def test_one_line_takes_all_the_fees_and_no_line_takes_none() -> None:
    assert apportion(D("50"), [D("235.20")]) == [D("50")]
    assert apportion(D("50"), []) == []
    assert sum(apportion(D("0"), [D("1"), D("2")])) == D("0")


def test_a_fen_of_fees_goes_to_the_larger_line_first_and_still_adds_up() -> None:
    # 0.01 × 2/3 = 0.0067 and 0.01 × 1/3 = 0.0033: the one fen goes to the larger part.
    assert apportion(D("0.01"), [D("2"), D("1")]) == [D("0.01"), D("0.00")]


def test_0_03_over_five_equal_lines_gives_no_line_a_negative_share() -> None:
    # 0.006 each: rounding every share up to 0.01 and leaving the last the rest gave it −0.01.
    # Cut down to 0.00 each, the three fens left go to the later lines on the tie.
    assert apportion(D("0.03"), [D("1")] * 5) == [D("0"), D("0"), D("0.01"), D("0.01"), D("0.01")]


def test_a_line_of_almost_no_value_takes_almost_none_of_the_fees() -> None:
    # 0.10 over four lines of 1.00 and one of 0.01: 0.0249 each and 0.0002 — not 0.02 for the last.
    assert apportion(D("0.10"), [D("1")] * 4 + [D("0.01")]) == [D("0.02"), D("0.02"), D("0.03"), D("0.03"), D("0")]


def test_a_receiving_knows_what_was_rejected() -> None:
    assert Receiving(line("100"), D("100"), D("98")).rejected == D("2")
    assert Receiving(line("100"), D("5"), D("0")).rejected == D("5")


# ---- due dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "terms", "due"),
    [
        (date(2026, 3, 10), 30, date(2026, 4, 9)),  # 账期 30天
        (date(2026, 3, 10), 0, date(2026, 3, 10)),  # 现结: due at once
        (date(2026, 12, 20), 15, date(2027, 1, 4)),  # across the year end
        (date(2028, 2, 14), 15, date(2028, 2, 29)),  # a leap year
    ],
)
def test_due_date_is_the_day_plus_the_partners_terms(day: date, terms: int, due: date) -> None:
    assert due_date(day, terms) == due


# ---- allocation ----------------------------------------------------------------------------------


def item(item_id: int, amount: str, due: date = date(2026, 3, 1), open_amount: str | None = None) -> OpenItem:
    return OpenItem(
        Ledger.RECEIVABLE, 1, "张三超市", f"CK-2026-{item_id:04d}", D(amount), due, due, open=D(open_amount or amount), id=item_id
    )


def test_a_payment_of_1000_settles_the_oldest_items_first_300_then_500_then_200_of_400() -> None:
    items = [item(1, "300"), item(2, "500"), item(3, "400")]
    assert allocate([Credit("payment", 7, D("1000"))], items) == [
        Allocation(1, "payment", 7, D("300")),
        Allocation(2, "payment", 7, D("500")),
        Allocation(3, "payment", 7, D("200")),
    ]


def test_an_overpayment_of_100_against_30_and_50_leaves_20_unallocated() -> None:
    allocations = allocate([Credit("payment", 1, D("100"))], [item(1, "30"), item(2, "50")])
    assert sum(a.amount for a in allocations) == D("80")  # the other 20 stays the customer's credit


def test_an_item_already_partly_settled_takes_only_what_is_open() -> None:
    assert allocate([Credit("payment", 1, D("100"))], [item(1, "300", open_amount="40")]) == [Allocation(1, "payment", 1, D("40"))]


def test_credits_are_used_in_the_order_given_a_return_then_a_payment() -> None:
    # A return of 7.00 (a negative item) and a payment of 50 settle an item of 45 and one of 20.
    credits = [Credit("item", 9, D("7")), Credit("payment", 3, D("50"))]
    assert allocate(credits, [item(1, "45"), item(2, "20")]) == [
        Allocation(1, "item", 9, D("7")),
        Allocation(1, "payment", 3, D("38")),
        Allocation(2, "payment", 3, D("12")),
    ]


def test_nothing_to_settle_or_nothing_to_settle_with_allocates_nothing() -> None:
    assert allocate([], [item(1, "30")]) == []
    assert allocate([Credit("payment", 1, D("30"))], []) == []
    assert allocate([Credit("payment", 1, D("30"))], [item(1, "30", open_amount="0")]) == []


# ---- aging ---------------------------------------------------------------------------------------

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "未到期"),
        (0, "未到期"),  # due today is not overdue
        (1, "1–30天"),
        (30, "1–30天"),
        (31, "31–60天"),
        (60, "31–60天"),
        (61, "61–90天"),
        (90, "61–90天"),
        (91, "90天以上"),
        (400, "90天以上"),
    ],
)
def test_aging_bucket_by_days_past_due(days: int, bucket: str) -> None:
    overdue = item(1, "10", date.fromordinal(TODAY.toordinal() - days))
    assert aging_bucket(overdue, TODAY) == bucket
    assert overdue.days_overdue(TODAY) == max(days, 0)


def test_aging_sums_the_open_amounts_per_bucket_with_every_bucket_in_order() -> None:
    items = [
        item(1, "100", date(2026, 7, 15)),  # not yet due
        item(2, "300", date(2026, 6, 20), open_amount="120"),  # 10 days: only its open 120 counts
        item(3, "80", date(2026, 3, 1)),  # 121 days
    ]
    buckets = aging(items, TODAY)
    assert list(buckets) == list(AGING_BUCKETS)
    assert buckets == {"未到期": D("100"), "1–30天": D("120"), "31–60天": D("0"), "61–90天": D("0"), "90天以上": D("80")}
    assert aging([], TODAY) == dict.fromkeys(AGING_BUCKETS, D("0"))


# ---- statements ----------------------------------------------------------------------------------


def test_a_statement_runs_from_the_opening_100_through_plus_45_minus_7_minus_200_to_minus_62() -> None:
    lines = running_balance(
        D("100"),
        [
            StatementLine(date(2026, 3, 3), "CK-2026-0004", "销售", D("45"), D("0")),
            StatementLine(date(2026, 3, 5), "XT-2026-0001", "退货", D("0"), D("7")),
            StatementLine(date(2026, 3, 9), "SK-2026-0001", "收款", D("0"), D("200")),
        ],
    )
    assert [l.balance for l in lines] == [D("145"), D("138"), D("-62")]  # −62: the customer's prepayment
    assert running_balance(D("12.5"), []) == []


# ---- properties ------------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

fen = st.integers(0, 10_000_000).map(lambda n: D(n).scaleb(-2))
milli = st.integers(1, 1_000_000).map(lambda n: D(n).scaleb(-3))


@settings(max_examples=300, deadline=None)
@given(fen, st.lists(fen, min_size=1, max_size=12))
def test_the_shares_of_the_fees_add_up_to_the_fees_to_the_fen(fees: Decimal, values: list[Decimal]) -> None:
    shares = apportion(fees, values)
    assert len(shares) == len(values) and sum(shares) == fees
    assert all(share == share.quantize(D("0.01")) for share in shares)
    assert all(share >= 0 for share in shares)
    # and each is within a fen of its exact part
    total = sum(values)
    for share, value in zip(shares, values, strict=True):
        exact = fees * value / total if total else fees / len(values)
        assert abs(share - exact) < D("0.01")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 50).flatmap(lambda parts: st.lists(milli, min_size=parts, max_size=parts)),
    st.integers(1, 1_000_000).map(lambda n: D(n).scaleb(-4)),
    st.none() | st.integers(1, 99).map(lambda n: D(n) / 100),
)
def test_partial_deliveries_always_bill_exactly_the_line_amount(parts: list[Decimal], price: Decimal, discount: Decimal | None) -> None:
    current = replace(line(str(sum(parts)), str(price)))
    for quantity in parts:
        amount = delivery_amount(current, quantity, discount)
        current = replace(current, done=current.done + quantity, billed=current.billed + amount)
    assert current.billed == current.amount(discount)


@settings(max_examples=300, deadline=None)
@given(st.lists(fen, max_size=6), st.lists(fen, max_size=6))
def test_allocation_never_takes_more_than_a_credit_has_or_an_item_owes(credit_amounts: list[Decimal], item_amounts: list[Decimal]) -> None:
    credits = [Credit("payment", n, amount) for n, amount in enumerate(credit_amounts, start=1)]
    items = [item(n, str(amount)) for n, amount in enumerate(item_amounts, start=1)]
    allocations = allocate(credits, items)
    assert all(a.amount > 0 for a in allocations)
    for credit in credits:
        assert sum(a.amount for a in allocations if a.source_id == credit.id) <= credit.remaining
    for owed in items:
        assert sum(a.amount for a in allocations if a.item_id == owed.id) <= owed.open
    # Whatever is left on one side, the other is used up: no credit and open item both remain.
    total = sum(a.amount for a in allocations)
    assert total == min(sum(credit_amounts, D(0)), sum(item_amounts, D(0)))


# ---- tax (设置 税率): prices include it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "tax"),
    [
        (D("113.00"), D("0.13"), D("13.00")),  # 113 × 0.13 ÷ 1.13 = 13
        (D("45.00"), D("0.13"), D("5.18")),  # 45 × 0.13 ÷ 1.13 = 5.1770… → 5.18
        (D("100.00"), D("0.09"), D("8.26")),  # 100 × 0.09 ÷ 1.09 = 8.2568… → 8.26
        (D("100.00"), None, None),  # no rate set: no tax shown
    ],
)
def test_the_tax_inside_a_tax_inclusive_amount(amount, rate, tax) -> None:  # type: ignore[no-untyped-def]
    assert tax_in(amount, rate) == tax
