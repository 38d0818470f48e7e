"""The stock ledger: appended movements and the balances derived from them.

Valuation is moving weighted average (移动加权平均): the stock *value* is kept exactly in fen
and the unit cost is derived from it. An issue costs ``qty × value ÷ on_hand`` rounded half up
to the fen, except the issue that empties the stock, which takes the whole remaining value, so
no residue of rounding is ever left on zero stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.money import ZERO, quantize_money, quantize_unit_cost


class MovementKind(StrEnum):
    """Why stock moved; the sign of the quantity follows from it."""

    OPENING = "opening"
    RECEIPT = "receipt"
    ISSUE = "issue"
    REVERSAL = "reversal"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    SCRAP = "scrap"
    STOCKTAKE_GAIN = "stocktake_gain"
    STOCKTAKE_LOSS = "stocktake_loss"
    COST_ADJUSTMENT = "cost_adjustment"
    PURCHASE_RETURN = "purchase_return"  # back to the supplier at the price it was bought at
    SALES_RETURN = "sales_return"  # back from a customer at the cost it left with


# Document-number prefixes per kind: 入库单 RK, 出库单 CK, 期初 QC (as Chinese ERPs write them).
NUMBER_PREFIX: dict[MovementKind, str] = {
    MovementKind.OPENING: "QC",
    MovementKind.RECEIPT: "RK",
    MovementKind.ISSUE: "CK",
    MovementKind.REVERSAL: "CX",  # 冲销
    MovementKind.TRANSFER_OUT: "DB",  # 调拨单: both legs of a transfer carry one number
    MovementKind.TRANSFER_IN: "DB",
    MovementKind.SCRAP: "BS",  # 报损单
    MovementKind.STOCKTAKE_GAIN: "PD",  # 盘点单: all its gains and losses carry one number
    MovementKind.STOCKTAKE_LOSS: "PD",
    MovementKind.COST_ADJUSTMENT: "RK",  # rides on the receipt that restored negative stock
    MovementKind.PURCHASE_RETURN: "CT",  # 采购退货单
    MovementKind.SALES_RETURN: "XT",  # 销售退货单
}

# Kinds that take stock out at its moving-average cost (and record the cost they carried).
AT_COST_OUT = frozenset({MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.SCRAP, MovementKind.STOCKTAKE_LOSS})


@dataclass(frozen=True, slots=True)
class StockBalance:
    """Quantity and value on hand for one product in one warehouse."""

    quantity: Decimal = ZERO
    value: Decimal = ZERO

    @property
    def unit_cost(self) -> Decimal | None:
        """The moving-average cost per unit, or None when nothing is on hand."""
        if self.quantity <= 0:
            return None
        return quantize_unit_cost(self.value / self.quantity)

    def plus(self, posting: Posting) -> StockBalance:
        return StockBalance(self.quantity + posting.quantity, self.value + posting.value)


@dataclass(frozen=True, slots=True)
class Posting:
    """The signed change one movement makes to a balance."""

    quantity: Decimal
    value: Decimal

    @property
    def unit_cost(self) -> Decimal | None:
        if self.quantity == 0:
            return None
        return quantize_unit_cost(abs(self.value / self.quantity))


@dataclass(frozen=True, slots=True)
class IssueCosting:
    """The result of costing an issue: what to post and how much was missing."""

    posting: Posting
    shortfall: Decimal


def post_receipt(balance: StockBalance, quantity: Decimal, unit_cost: Decimal | None) -> Posting:
    """Cost a receipt of ``quantity`` units at ``unit_cost`` each.

    Args:
        balance: the balance before the receipt.
        quantity: units received, > 0.
        unit_cost: yuan per unit; None books the units unvalued at the current average
            (zero value when nothing is on hand).

    Returns:
        The posting: +quantity and its value, rounded half up to the fen.
    """
    if quantity <= 0:
        raise ValueError("a receipt needs a positive quantity")
    if unit_cost is None:
        unit_cost = balance.unit_cost or ZERO
    return Posting(quantity, quantize_money(quantity * unit_cost))


def post_issue(balance: StockBalance, quantity: Decimal) -> IssueCosting:
    """Cost an issue of ``quantity`` units at the moving average.

    Args:
        balance: the balance before the issue.
        quantity: units issued, > 0.

    Returns:
        The posting (−quantity, −value) and the shortfall (units beyond what is on hand).
        With a shortfall the caller refuses; the posting is then only indicative.
    """
    if quantity <= 0:
        raise ValueError("an issue needs a positive quantity")
    shortfall = max(ZERO, quantity - max(balance.quantity, ZERO))
    if balance.quantity <= 0:
        return IssueCosting(Posting(-quantity, ZERO), shortfall)
    if quantity >= balance.quantity:
        # Emptying the stock takes all remaining value: no rounding residue survives.
        return IssueCosting(Posting(-quantity, -balance.value), shortfall)
    value = quantize_money(quantity * balance.value / balance.quantity)
    return IssueCosting(Posting(-quantity, -value), shortfall)


def post_transfer(source: StockBalance, quantity: Decimal) -> tuple[Posting, Posting] | None:
    """Move ``quantity`` between warehouses at cost: out of the source as an issue would be
    costed, into the target with exactly that value. None when the source has too little."""
    costing = post_issue(source, quantity)
    if costing.shortfall > 0:
        return None
    out = costing.posting
    return out, Posting(quantity, -out.value)


def post_gain(balance: StockBalance, quantity: Decimal, fallback_cost: Decimal | None) -> Posting:
    """A stocktake gain: valued at the current average cost, else ``fallback_cost`` (the
    product's purchase price), else unvalued."""
    if quantity <= 0:
        raise ValueError("a gain needs a positive quantity")
    unit_cost = balance.unit_cost or fallback_cost or ZERO
    return Posting(quantity, quantize_money(quantity * unit_cost))


def post_issue_below_zero(balance: StockBalance, quantity: Decimal, fallback_rate: Decimal | None) -> Posting:
    """An issue allowed beyond the stock (设置 负库存 允许): costed at the last known rate — the
    average while stock is positive, the rate of the deficit while it is negative, else the
    product's purchase price (``fallback_rate``), else zero."""
    if quantity <= 0:
        raise ValueError("an issue needs a positive quantity")
    if balance.quantity > 0 and quantity <= balance.quantity:
        return post_issue(balance, quantity).posting
    if balance.quantity != 0:
        rate = balance.value / balance.quantity
    else:
        rate = fallback_rate or ZERO
    return Posting(-quantity, -quantize_money(quantity * rate))


def restore_adjustment(before: StockBalance, receipt: Posting) -> Posting | None:
    """The cost adjustment (quantity 0) that a receipt onto negative stock books.

    The units issued below zero were costed at the deficit's rate; the receipt that restores
    them values them at its own cost instead, and the difference goes to cost of goods sold as
    a separate movement (nothing already booked is rewritten). Afterwards the stock is worth
    exactly ``quantity × receipt cost`` (the average starts afresh), or, while still negative,
    the remaining deficit stays at its old rate. None when there is nothing to adjust.
    """
    if before.quantity >= 0 or receipt.quantity <= 0:
        return None
    after = before.quantity + receipt.quantity
    if after > 0:
        target = quantize_money(after * receipt.value / receipt.quantity)
    else:
        target = quantize_money(after * before.value / before.quantity)
    adjustment = target - (before.value + receipt.value)
    return Posting(ZERO, adjustment) if adjustment else None


def post_reversal(balance: StockBalance, quantity: Decimal, value: Decimal) -> Posting | None:
    """The posting that reverses a movement of (quantity, value), or None when it cannot be.

    It cannot when later movements depend on it: the stock would go negative (goods from a
    receipt have since been issued), or value would be left negative (issues since then took
    cost at an average the receipt raised). Reversing to zero stock takes the whole remaining
    value, as an emptying issue does, so no residue is left.
    """
    after_quantity = balance.quantity - quantity
    if after_quantity < 0:
        return None
    if after_quantity == 0:
        return Posting(-quantity, -balance.value)
    if balance.value - value < 0:
        return None
    return Posting(-quantity, -value)


def fold(postings: Iterable[Posting]) -> StockBalance:
    """The balance a sequence of postings adds up to (what ``jxc check`` recomputes)."""
    balance = StockBalance()
    for posting in postings:
        balance = balance.plus(posting)
    return balance


@dataclass(frozen=True, slots=True)
class Movement:
    """One appended ledger row. Never updated, never deleted.

    Attributes:
        number: per-workspace document number such as RK-2026-0001.
        quantity / value: signed change (+ in, − out).
        balance_quantity / balance_value: the running balance after this movement.
        occurred_at: business time (may be back-dated with 日期); recorded_at: booking time.
    """

    kind: MovementKind
    product_id: int
    warehouse_id: int
    quantity: Decimal
    value: Decimal
    balance_quantity: Decimal
    balance_value: Decimal
    occurred_at: datetime
    recorded_at: datetime
    actor_id: int
    actor_name: str
    chat_id: int
    unit_price: Decimal | None = None
    counterparty: str = ""
    note: str = ""
    number: str = ""
    id: int | None = None
    reverses_id: int | None = None  # a reversal points at the movement it cancels
    reversed_by: str = ""  # the number of the reversal that cancelled this one (derived on read)

    @property
    def unit_cost(self) -> Decimal | None:
        return Posting(self.quantity, self.value).unit_cost


@dataclass(frozen=True, slots=True)
class BalanceMismatch:
    """A stored balance that differs from the sum of its movements."""

    product_code: str
    warehouse: str
    stored: StockBalance
    derived: StockBalance
