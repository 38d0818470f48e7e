"""Stocktake (盘点): open a count for a warehouse, record counted quantities, review the
variance, then book gains and losses at current cost in one document (PD-…).

Each count is compared with the book quantity *at the moment it was counted*, so goods that
move while the count is open do not distort the variance: the gain or loss booked at
confirmation is ``counted − book then``, applied to whatever the balance is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain import commands as c
from domain.audit import Action
from domain.errors import (
    AmbiguousStocktake,
    BatchRefused,
    EmptyStocktake,
    InsufficientStock,
    NeedsConfirmation,
    NoOpenStocktake,
    StocktakeBelowZero,
    StocktakeOpen,
)
from domain.money import ZERO
from domain.ports import Stocktake, StocktakeLine, UnitOfWork
from domain.products import to_base_quantity
from domain.services import (
    PAGE_SIZE,
    Context,
    _allowed,
    _clamp_page,
    _number,
    _pages,
    audit,
    get_product,
    warehouse_for,
)
from domain.booking import OutPlan, estimate_out, prepare_out, stock_in
from domain.stock import Movement, MovementKind, Posting, StockBalance, post_gain


@dataclass(frozen=True, slots=True)
class StocktakeStarted:
    stocktake: Stocktake


@dataclass(frozen=True, slots=True)
class StockCounted:
    stocktake: Stocktake
    line: StocktakeLine
    counted_lines: int


@dataclass(frozen=True, slots=True)
class VarianceLine:
    line: StocktakeLine
    value: Decimal  # the estimated value of the variance at current cost (signed)


@dataclass(frozen=True, slots=True)
class StocktakeVariance:
    stocktake: Stocktake
    lines: list[VarianceLine]
    counted: int
    gains: Decimal
    losses: Decimal
    page: int
    pages: int
    differing: int = 0  # counted products whose count differs from the book (all pages)


@dataclass(frozen=True, slots=True)
class StocktakeConfirmed:
    stocktake: Stocktake
    booked: list[tuple[StocktakeLine, Movement]]
    counted: int
    gain_value: Decimal
    loss_value: Decimal


@dataclass(frozen=True, slots=True)
class StocktakeCancelled:
    stocktake: Stocktake
    counted: int


def _open_count(uow: UnitOfWork, ctx: Context, warehouse_name: str | None) -> Stocktake:
    if warehouse_name is not None:
        warehouse = warehouse_for(uow, ctx, warehouse_name)
        found = uow.stocktakes.open_in(warehouse.id)
        if found is None:
            raise NoOpenStocktake(warehouse.name)
        return found
    counts = [s for s in uow.stocktakes.open_counts() if _allowed(ctx, s.warehouse.id)]
    if not counts:
        raise NoOpenStocktake(None)
    if len(counts) > 1:
        raise AmbiguousStocktake([s.warehouse.name for s in counts])
    return counts[0]


def _balance_in(uow: UnitOfWork, product_id: int, warehouse_id: int) -> StockBalance:
    for warehouse, balance in uow.stock.balances_by_warehouse(product_id, frozenset({warehouse_id})):
        if warehouse.id == warehouse_id:
            return balance
    return StockBalance()


def start_stocktake(uow: UnitOfWork, ctx: Context, cmd: c.StartStocktake) -> StocktakeStarted:
    with uow.writing():
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        existing = uow.stocktakes.open_in(warehouse.id)
        if existing is not None:
            raise StocktakeOpen(existing.number, warehouse.name)
        number = _number(uow, ctx, MovementKind.STOCKTAKE_GAIN)
        stocktake = uow.stocktakes.start(Stocktake(number, warehouse, ctx.now, ctx.actor.name))
        audit(uow, ctx, Action.STOCKTAKE_START, warehouse.name, numbers=(number,))
        uow.commit()
    return StocktakeStarted(stocktake)


def count_stock(uow: UnitOfWork, ctx: Context, cmd: c.CountStock) -> StockCounted:
    """Record a counted quantity (a recount replaces the earlier one)."""
    with uow.writing():
        stocktake = _open_count(uow, ctx, cmd.warehouse)
        product = get_product(uow, cmd.code)
        counted, _ = to_base_quantity(product, cmd.quantity, cmd.unit)
        book = _balance_in(uow, product.id, stocktake.warehouse.id).quantity
        uow.stocktakes.record(stocktake.id, product.id, counted, book, ctx.now, ctx.actor.name)
        audit(uow, ctx, Action.STOCKTAKE_COUNT, product.code, numbers=(stocktake.number,))
        lines = uow.stocktakes.lines(stocktake.id)
        uow.commit()
    line = next(line for line in lines if line.product.id == product.id)
    return StockCounted(stocktake, line, len(lines))


def _posting(uow: UnitOfWork, warehouse_id: int, line: StocktakeLine, balance: StockBalance) -> tuple[Posting, Decimal]:
    """What confirming a line books, from the balance now: (posting, shortfall). The preview and
    the booking cost the same way (a loss as an issue: the average, or the oldest FIFO layers),
    so the question shows exactly the values then booked."""
    if line.variance > 0:
        return post_gain(balance, line.variance, line.product.purchase_price), ZERO
    return estimate_out(uow, line.product.id, warehouse_id, balance, -line.variance)


def _variance(uow: UnitOfWork, stocktake: Stocktake, page: int, size: int | None = PAGE_SIZE) -> StocktakeVariance:
    """The variance, a page of ``size`` lines (None: every line, as the confirmation asks)."""
    lines = uow.stocktakes.lines(stocktake.id)
    valued: list[VarianceLine] = []
    gains = losses = ZERO
    for line in lines:
        value = ZERO
        if line.variance != 0:
            warehouse_id = stocktake.warehouse.id
            value = _posting(uow, warehouse_id, line, _balance_in(uow, line.product.id, warehouse_id))[0].value
        valued.append(VarianceLine(line, value))
        if value > 0:
            gains += value
        else:
            losses -= value
    # Differences first (largest value first), then the lines that matched the book.
    valued.sort(key=lambda v: (v.line.variance == 0, -abs(v.value), v.line.product.code))
    differing = sum(1 for v in valued if v.line.variance != 0)
    if size is None:
        return StocktakeVariance(stocktake, valued, len(lines), gains, losses, 1, 1, differing)
    pages = _pages(len(valued), size)
    page = _clamp_page(page, pages)
    shown = valued[(page - 1) * size : page * size]
    return StocktakeVariance(stocktake, shown, len(lines), gains, losses, page, pages, differing)


def show_stocktake(uow: UnitOfWork, ctx: Context, cmd: c.ShowStocktake) -> StocktakeVariance:
    with uow:
        return _variance(uow, _open_count(uow, ctx, cmd.warehouse), cmd.page)


def confirm_stocktake(uow: UnitOfWork, ctx: Context, cmd: c.ConfirmStocktake) -> StocktakeConfirmed:
    """Book every counted difference (asks first); products not counted are untouched."""
    with uow.writing():
        stocktake = _open_count(uow, ctx, cmd.warehouse)
        lines = uow.stocktakes.lines(stocktake.id)
        if not lines:
            raise EmptyStocktake(stocktake.number)
        planned: list[tuple[StocktakeLine, Posting, OutPlan | None, str | None]] = []
        for line in lines:
            if line.variance == 0:
                continue
            before = uow.stock.lock_balance(line.product.id, stocktake.warehouse.id)
            if line.variance > 0:
                batch = _gain_batch(uow, line, stocktake)
                planned.append((line, post_gain(before, line.variance, line.product.purchase_price), None, batch))
                continue
            try:
                # Counted away: expired batches go first (earliest expiry first).
                plan = prepare_out(
                    uow, line.product, stocktake.warehouse, -line.variance, action="盘亏", today=ctx.today, allow_expired=True
                )
            except InsufficientStock:  # goods left after the count: refused before anyone is asked
                product = line.product
                raise StocktakeBelowZero(product.code, product.name, product.unit, -line.variance, before.quantity) from None
            planned.append((line, plan.posting, plan, None))
        if not cmd.confirmed:
            again = c.ConfirmStocktake(stocktake.warehouse.name, confirmed=True)
            raise NeedsConfirmation([], again, _variance(uow, stocktake, 1, size=None))
        booked: list[tuple[StocktakeLine, Movement]] = []
        for line, posting, plan, batch in planned:
            note = f"盘点 实盘 {line.counted.normalize():f} 账面 {line.book_quantity.normalize():f}"
            if plan is None:
                done = stock_in(
                    uow, ctx, MovementKind.STOCKTAKE_GAIN, line.product, stocktake.warehouse, posting.quantity,
                    stocktake.number, value=posting.value, note=note, batch=batch,
                )
            else:
                done = plan.book(uow, ctx, MovementKind.STOCKTAKE_LOSS, stocktake.number, note=note)
            booked.append((line, done.movement))
        uow.stocktakes.close(stocktake.id, "confirmed", ctx.now)
        # A count that matched the book everywhere booked nothing, so there is nothing to undo.
        action = Action.STOCKTAKE_CONFIRM if booked else Action.STOCKTAKE_MATCHED
        audit(uow, ctx, action, stocktake.warehouse.name, numbers=(stocktake.number,))
        uow.commit()
    gain_value = sum((p.value for _, p, _, _ in planned if p.value > 0), ZERO)
    loss_value = -sum((p.value for _, p, _, _ in planned if p.value < 0), ZERO)
    return StocktakeConfirmed(stocktake, booked, len(lines), gain_value, loss_value)


def _gain_batch(uow: UnitOfWork, line: StocktakeLine, stocktake: Stocktake) -> str | None:
    """A batch-managed gain joins the stocked batch that expires first (so the found units are
    the first to be sold or flagged, never assumed fresher than they may be); with no batch in
    stock it cannot be placed and is refused — book it with 入库 … 批次 … instead."""
    product = line.product
    if not product.batch_managed:
        return None
    assert product.id is not None
    stocked = uow.batches.batches(product.id, stocktake.warehouse.id)
    if not stocked:
        raise BatchRefused(BatchRefused.GAIN_WITHOUT_BATCH, product.code, product.name, unit=product.unit, gain=line.variance)
    return stocked[0].code


def cancel_stocktake(uow: UnitOfWork, ctx: Context, cmd: c.CancelStocktake) -> StocktakeCancelled:
    with uow.writing():
        stocktake = _open_count(uow, ctx, cmd.warehouse)
        counted = len(uow.stocktakes.lines(stocktake.id))
        uow.stocktakes.close(stocktake.id, "cancelled", ctx.now)
        audit(uow, ctx, Action.STOCKTAKE_CANCEL, stocktake.warehouse.name, numbers=(stocktake.number,))
        uow.commit()
    return StocktakeCancelled(stocktake, counted)
