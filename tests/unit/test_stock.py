"""The stock ledger, valued at moving weighted average (移动加权平均), with worked numbers."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.stock import (
    AT_COST_OUT,
    NUMBER_PREFIX,
    Movement,
    MovementKind,
    Posting,
    StockBalance,
    fold,
    post_gain,
    post_issue,
    post_receipt,
    post_reversal,
    post_transfer,
)

D = Decimal


def receive(balance: StockBalance, quantity: str, unit_cost: str | None) -> tuple[Posting, StockBalance]:
    posting = post_receipt(balance, D(quantity), None if unit_cost is None else D(unit_cost))
    return posting, balance.plus(posting)


def issue(balance: StockBalance, quantity: str) -> tuple[Posting, StockBalance]:
    costing = post_issue(balance, D(quantity))
    assert costing.shortfall == 0
    return costing.posting, balance.plus(costing.posting)


def test_receipt_of_10_at_2_50_is_worth_25_00() -> None:
    posting, balance = receive(StockBalance(), "10", "2.50")
    assert posting == Posting(D(10), D("25.00"))
    assert balance == StockBalance(D(10), D("25.00"))
    assert balance.unit_cost == D("2.5")


def test_second_receipt_of_10_at_2_60_makes_20_units_worth_51_00_at_average_2_55() -> None:
    _, balance = receive(StockBalance(), "10", "2.50")
    posting, balance = receive(balance, "10", "2.60")
    assert posting.value == D("26.00")
    assert balance == StockBalance(D(20), D("51.00"))
    assert balance.unit_cost == D("2.55")


def test_issue_of_3_at_average_2_55_costs_7_65() -> None:
    balance = StockBalance(D(20), D("51.00"))
    posting, after = issue(balance, "3")
    assert posting == Posting(D(-3), D("-7.65"))
    assert after == StockBalance(D(17), D("43.35"))
    # An issue does not move the average: 43.35 / 17 = 2.55
    assert after.unit_cost == D("2.55")


def test_issue_that_empties_stock_takes_remaining_value() -> None:
    # 3 units worth 10.00, issued one at a time, each at value ÷ on-hand of the moment:
    #   1 × 10.00 / 3 = 3.333… → 3.33, leaving 2 worth 6.67
    #   1 ×  6.67 / 2 = 3.335  → 3.34 (half up), leaving 1 worth 3.33
    #   the last unit empties the stock and takes the remaining 3.33, leaving exactly 0.00.
    balance = StockBalance(D(3), D("10.00"))
    costs = []
    for _ in range(3):
        posting, balance = issue(balance, "1")
        costs.append(-posting.value)
    assert costs == [D("3.33"), D("3.34"), D("3.33")]
    assert sum(costs) == D("10.00")
    assert balance == StockBalance(D(0), D("0.00"))


def test_issue_of_everything_takes_the_whole_value_not_quantity_times_rounded_average() -> None:
    # 3000 units worth 1000.00: the four-place average is 0.3333, and 3000 × 0.3333 = 999.90,
    # which would leave 0.10 on empty stock; the emptying issue takes all 1000.00 instead.
    balance = StockBalance(D(3000), D("1000.00"))
    assert balance.unit_cost == D("0.3333")
    posting, after = issue(balance, "3000")
    assert posting.value == D("-1000.00")
    assert after == StockBalance(D(0), D(0))
    assert after.unit_cost is None


def test_issue_beyond_stock_reports_the_shortfall() -> None:
    costing = post_issue(StockBalance(D(5), D("12.50")), D(8))
    assert costing.shortfall == D(3)


def test_issue_from_empty_stock_is_short_by_the_whole_quantity_and_values_nothing() -> None:
    costing = post_issue(StockBalance(), D("2.5"))
    assert costing.shortfall == D("2.5")
    assert costing.posting == Posting(D("-2.5"), D(0))


def test_issue_within_stock_has_no_shortfall() -> None:
    assert post_issue(StockBalance(D(5), D("12.50")), D(5)).shortfall == 0


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_receipt_and_issue_refuse_a_quantity_that_is_not_positive(quantity: str) -> None:
    with pytest.raises(ValueError):
        post_receipt(StockBalance(), D(quantity), D(1))
    with pytest.raises(ValueError):
        post_issue(StockBalance(D(5), D(5)), D(quantity))


def test_receipt_value_is_rounded_half_up_to_the_fen() -> None:
    # 3 × 0.3333 = 0.9999 → 1.00; 0.5 × 2.25 = 1.125 → 1.13
    assert post_receipt(StockBalance(), D(3), D("0.3333")).value == D("1.00")
    assert post_receipt(StockBalance(), D("0.5"), D("2.25")).value == D("1.13")


def test_receipt_without_unit_cost_is_valued_at_the_current_average() -> None:
    # 20 units worth 51.00 → average 2.55; 4 more at 2.55 = 10.20
    posting = post_receipt(StockBalance(D(20), D("51.00")), D(4), None)
    assert posting == Posting(D(4), D("10.20"))


def test_receipt_without_unit_cost_on_empty_stock_has_zero_value() -> None:
    posting = post_receipt(StockBalance(), D(4), None)
    assert posting == Posting(D(4), D(0))


def test_fold_of_the_postings_equals_the_running_balance() -> None:
    running = StockBalance()
    postings = []
    for step in [("r", "10", "2.50"), ("r", "10", "2.60"), ("i", "3", None), ("r", "1.5", "3.99"), ("i", "18.5", None)]:
        kind, quantity, cost = step
        posting, running = receive(running, quantity, cost) if kind == "r" else issue(running, quantity)
        postings.append(posting)
    assert fold(postings) == running
    assert running == StockBalance(D(0), D(0))


def test_fold_of_nothing_is_an_empty_balance() -> None:
    assert fold([]) == StockBalance(D(0), D(0))


def test_empty_balance_has_no_unit_cost() -> None:
    assert StockBalance().unit_cost is None


def test_posting_unit_cost_is_unsigned_value_per_unit() -> None:
    assert Posting(D(-3), D("-7.65")).unit_cost == D("2.55")
    assert Posting(D(0), D(0)).unit_cost is None


def test_movement_unit_cost_is_derived_from_its_quantity_and_value() -> None:
    at = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)
    movement = Movement(
        kind=MovementKind.ISSUE,
        product_id=1,
        warehouse_id=1,
        quantity=D(-3),
        value=D("-7.65"),
        balance_quantity=D(17),
        balance_value=D("43.35"),
        occurred_at=at,
        recorded_at=at,
        actor_id=1,
        actor_name="老王",
        chat_id=1,
    )
    assert movement.unit_cost == D("2.55")


def test_every_movement_kind_has_its_document_prefix() -> None:
    assert NUMBER_PREFIX == {
        MovementKind.OPENING: "QC",
        MovementKind.RECEIPT: "RK",
        MovementKind.ISSUE: "CK",
        MovementKind.REVERSAL: "CX",  # 冲销
        MovementKind.TRANSFER_OUT: "DB",  # 调拨单: both legs share one number
        MovementKind.TRANSFER_IN: "DB",
        MovementKind.SCRAP: "BS",  # 报损单
        MovementKind.STOCKTAKE_GAIN: "PD",  # 盘点单: gains and losses share one number
        MovementKind.STOCKTAKE_LOSS: "PD",
        MovementKind.COST_ADJUSTMENT: "RK",  # rides on the receipt that restored negative stock
        MovementKind.PURCHASE_RETURN: "CT",  # 采购退货单
        MovementKind.SALES_RETURN: "XT",  # 销售退货单
    }
    assert set(NUMBER_PREFIX) == set(MovementKind)


def test_the_kinds_that_leave_at_cost_are_issue_transfer_out_scrap_and_stocktake_loss() -> None:
    assert AT_COST_OUT == {MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.SCRAP, MovementKind.STOCKTAKE_LOSS}


# ---- 调拨: a transfer moves quantity and value at cost ----------------------------------------


@pytest.mark.parametrize(
    ("source", "quantity", "moved"),
    [
        # 100 @ 2.40 = 240.00; 30 × 240.00 / 100 = 72.00
        ((D(100), D("240.00")), D(30), D("72.00")),
        # 7 worth 10.00: 3 × 10.00 / 7 = 4.2857… → 4.29 (half up); 4 worth 5.71 stay behind
        ((D(7), D("10.00")), D(3), D("4.29")),
        # 3000 worth 1000.00, all of it: the whole 1000.00, not 3000 × 0.3333 = 999.90
        ((D(3000), D("1000.00")), D(3000), D("1000.00")),
        # 3 worth 10.00: 1 × 10.00 / 3 = 3.333… → 3.33
        ((D(3), D("10.00")), D(1), D("3.33")),
        # 2.5 kg worth 32.00: 0.75 × 32.00 / 2.5 = 9.60
        ((D("2.5"), D("32.00")), D("0.75"), D("9.60")),
        # unvalued stock moves unvalued
        ((D(5), D(0)), D(2), D(0)),
    ],
)
def test_post_transfer_worked_numbers(source: tuple[Decimal, Decimal], quantity: Decimal, moved: Decimal) -> None:
    before = StockBalance(*source)
    legs = post_transfer(before, quantity)
    assert legs == (Posting(-quantity, -moved), Posting(quantity, moved))
    out, into = legs
    # Source after + what arrived = the value before, to the fen.
    assert before.plus(out).value + into.value == before.value
    # The outgoing leg is costed exactly as an issue of the same quantity would be.
    assert out == post_issue(before, quantity).posting


def test_post_transfer_of_everything_leaves_nothing_behind() -> None:
    before = StockBalance(D(3000), D("1000.00"))
    out, into = post_transfer(before, D(1000))  # type: ignore[misc]
    assert (out.value, into.value) == (D("-333.33"), D("333.33"))  # 1000 × 1000.00 / 3000 = 333.333…
    rest = before.plus(out)
    assert rest == StockBalance(D(2000), D("666.67"))
    # 666.67 / 2000 = 0.333335 → 0.3333; 2000 × 0.3333 = 666.60 would leave 0.07 on empty stock
    assert rest.unit_cost == D("0.3333")
    out, into = post_transfer(rest, D(2000))  # type: ignore[misc]
    assert (out.value, into.value) == (D("-666.67"), D("666.67"))
    assert rest.plus(out) == StockBalance(D(0), D(0))


@pytest.mark.parametrize(
    ("source", "quantity"),
    [((D(5), D("12.50")), D(8)), ((D(0), D(0)), D(1)), ((D(5), D("12.50")), D("5.001"))],
)
def test_post_transfer_of_more_than_the_source_holds_is_none(source: tuple[Decimal, Decimal], quantity: Decimal) -> None:
    assert post_transfer(StockBalance(*source), quantity) is None


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_post_transfer_refuses_a_quantity_that_is_not_positive(quantity: str) -> None:
    with pytest.raises(ValueError):
        post_transfer(StockBalance(D(5), D(5)), D(quantity))


@settings(max_examples=200, deadline=None)
@given(
    on_hand=st.decimals(min_value=D("0.001"), max_value=D(10000), places=3),
    value=st.decimals(min_value=D(0), max_value=D(100000), places=2),
    share=st.fractions(min_value=0, max_value=1).filter(lambda f: f > 0),
)
def test_a_transfer_never_creates_or_loses_value(on_hand: Decimal, value: Decimal, share) -> None:  # type: ignore[no-untyped-def]
    before = StockBalance(on_hand, value)
    quantity = max(D("0.001"), min(on_hand, (on_hand * D(share.numerator) / D(share.denominator)).quantize(D("0.001"))))
    legs = post_transfer(before, quantity)
    assert legs is not None
    out, into = legs
    assert out.quantity == -into.quantity == -quantity
    assert out.value == -into.value
    rest = before.plus(out)
    assert rest.quantity >= 0 and rest.value >= 0
    assert rest.quantity > 0 or rest.value == 0
    # At most half a fen from the exact share of the value.
    assert abs(into.value - quantity * value / on_hand) <= D("0.005")


# ---- 盘盈: a stocktake gain ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "quantity", "fallback", "value"),
    [
        # 20 worth 51.00: average 2.55; 4 × 2.55 = 10.20 (the purchase price is not used)
        ((D(20), D("51.00")), D(4), D("9.99"), D("10.20")),
        # nothing on hand: the purchase price, 5 × 1.80 = 9.00
        ((D(0), D(0)), D(5), D("1.80"), D("9.00")),
        # nothing on hand and no purchase price: unvalued
        ((D(0), D(0)), D(5), None, D(0)),
        # unvalued stock has no average (0.0000 is no price): the purchase price, 2 × 2.40 = 4.80
        ((D(5), D(0)), D(2), D("2.40"), D("4.80")),
        # 3 worth 10.00: average 3.3333 (four places); 3 × 3.3333 = 9.9999 → 10.00
        ((D(3), D("10.00")), D(3), None, D("10.00")),
        # 3000 worth 1000.00: average 0.3333; 1500 × 0.3333 = 499.95
        ((D(3000), D("1000.00")), D(1500), None, D("499.95")),
    ],
)
def test_post_gain_worked_numbers(
    balance: tuple[Decimal, Decimal], quantity: Decimal, fallback: Decimal | None, value: Decimal
) -> None:
    assert post_gain(StockBalance(*balance), quantity, fallback) == Posting(quantity, value)


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_post_gain_refuses_a_quantity_that_is_not_positive(quantity: str) -> None:
    with pytest.raises(ValueError):
        post_gain(StockBalance(), D(quantity), D(1))


# ---- property: any sequence of receipts and issues keeps the books sound ------------------

quantities = st.decimals(min_value=D("0.001"), max_value=D(1000), places=3)
unit_costs = st.decimals(min_value=D(0), max_value=D(100), places=2)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("receipt"), quantities, unit_costs),
        # an issue of a fraction (0, 1] of what is on hand, so never beyond stock
        st.tuples(st.just("issue"), st.fractions(min_value=0, max_value=1).filter(lambda f: f > 0), st.none()),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_random_receipts_and_issues_keep_quantity_and_value_sound(steps: list[tuple]) -> None:
    balance = StockBalance()
    postings: list[Posting] = []
    for kind, amount, cost in steps:
        if kind == "receipt":
            posting = post_receipt(balance, amount, cost)
        else:
            quantity = (balance.quantity * D(amount.numerator) / D(amount.denominator)).quantize(D("0.001"))
            quantity = min(max(quantity, D("0.001")), balance.quantity)
            if quantity <= 0:
                continue
            costing = post_issue(balance, quantity)
            assert costing.shortfall == 0
            posting = costing.posting
            exact_cost = quantity * balance.value / balance.quantity
            assert abs(-posting.value - exact_cost) <= D("0.01")
        postings.append(posting)
        balance = balance.plus(posting)
        assert balance.quantity >= 0
        assert balance.value >= 0
        if balance.quantity == 0:
            assert balance.value == 0
    assert fold(postings) == balance


# ---- reversal (冲销) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "movement", "expected"),
    [
        # the receipt was the last movement: back to where it started
        ((D(20), D("51.00")), (D(10), D("26.00")), Posting(D(-10), D("-26.00"))),
        # reversing an issue puts its cost back
        ((D(17), D("43.35")), (D(-3), D("-7.65")), Posting(D(3), D("7.65"))),
        # goods of the receipt were since issued: stock would go negative
        ((D(6), D("12.00")), (D(10), D("20.00")), None),
        # a receipt that raised the average later issues took: value would go negative
        ((D(60), D("60.00")), (D(10), D("100.00")), None),
        # back to zero stock: the whole remaining value, not the receipt's, so no residue is left
        ((D(10), D("20.00")), (D(10), D("30.00")), Posting(D(-10), D("-20.00"))),
        ((D(10), D("40.00")), (D(10), D("30.00")), Posting(D(-10), D("-40.00"))),
        # an unvalued receipt
        ((D(5), D("10.00")), (D(2), D(0)), Posting(D(-2), D(0))),
        # exactly all the value, leaving stock worth nothing: allowed
        ((D(5), D("10.00")), (D(2), D("10.00")), Posting(D(-2), D("-10.00"))),
    ],
)
def test_post_reversal_worked_numbers(
    balance: tuple[Decimal, Decimal], movement: tuple[Decimal, Decimal], expected: Posting | None
) -> None:
    assert post_reversal(StockBalance(*balance), *movement) == expected


def _book(steps: list[tuple]) -> tuple[list[StockBalance], list[Posting]]:
    """Run receipts and issues (as the property above draws them): the balance before each
    movement, the final balance last, and the postings."""
    balance = StockBalance()
    balances, postings = [balance], []
    for kind, amount, cost in steps:
        if kind == "receipt":
            posting = post_receipt(balance, amount, cost)
        else:
            quantity = (balance.quantity * D(amount.numerator) / D(amount.denominator)).quantize(D("0.001"))
            quantity = min(max(quantity, D("0.001")), balance.quantity)
            if quantity <= 0:
                continue
            posting = post_issue(balance, quantity).posting
        postings.append(posting)
        balance = balance.plus(posting)
        balances.append(balance)
    return balances, postings


@settings(max_examples=200, deadline=None)
@given(steps=steps)
def test_reversing_the_last_movement_restores_the_balance_before_it_exactly(steps: list[tuple]) -> None:
    balances, postings = _book(steps)
    if not postings:
        return
    last = postings[-1]
    reversal = post_reversal(balances[-1], last.quantity, last.value)
    assert reversal is not None
    assert reversal.quantity == -last.quantity
    assert balances[-1].plus(reversal) == balances[-2]


@settings(max_examples=200, deadline=None)
@given(steps=steps, pick=st.integers(min_value=0))
def test_a_reversal_never_leaves_negative_stock_negative_value_or_value_on_nothing(steps: list[tuple], pick: int) -> None:
    balances, postings = _book(steps)
    if not postings:
        return
    original = postings[pick % len(postings)]
    reversal = post_reversal(balances[-1], original.quantity, original.value)
    if reversal is None:
        return
    assert reversal.quantity == -original.quantity
    after = balances[-1].plus(reversal)
    assert after.quantity >= 0
    assert after.value >= 0
    if after.quantity == 0:
        assert after.value == 0


sound_balances = st.one_of(
    st.just(StockBalance()),
    st.tuples(
        st.decimals(min_value=D("0.001"), max_value=D(10000), places=3),
        st.decimals(min_value=D(0), max_value=D(100000), places=2),
    ).map(lambda t: StockBalance(*t)),
)
movements = st.one_of(
    st.tuples(
        st.decimals(min_value=D("0.001"), max_value=D(10000), places=3),
        st.decimals(min_value=D(0), max_value=D(100000), places=2),
    ),
    st.tuples(
        st.decimals(min_value=D("0.001"), max_value=D(10000), places=3),
        st.decimals(min_value=D(0), max_value=D(100000), places=2),
    ).map(lambda t: (-t[0], -t[1])),
)


@settings(max_examples=500, deadline=None)
@given(balance=sound_balances, movement=movements)
def test_post_reversal_of_any_movement_on_any_sound_balance_keeps_it_sound(
    balance: StockBalance, movement: tuple[Decimal, Decimal]
) -> None:
    reversal = post_reversal(balance, *movement)
    if reversal is None:
        # Refused only when the stock or the value would go negative.
        assert balance.quantity - movement[0] < 0 or balance.value - movement[1] < 0
        return
    after = balance.plus(reversal)
    assert after.quantity >= 0 and after.value >= 0
    assert after.quantity > 0 or after.value == 0
