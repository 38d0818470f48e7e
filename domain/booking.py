"""Booking stock in and out: the one place that decides what a movement is worth.

Every use case that changes stock (入库, 出库, 报损, documents' receipts, shipments and returns)
goes through ``stock_in`` or ``prepare_out`` + ``OutPlan.book``, so the valuation method
(moving average or FIFO layers, ``domain/valuation.py``) and the batch rules
(``domain/batches.py``) are applied in one place.

Taking stock out is two steps on purpose: ``prepare_out`` locks the balance, costs the issue
and refuses a shortage without writing anything, so a caller can still ask for confirmation
(a 10× quantity) after the stock check and before anything is booked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.batches import BatchTake, normalise_batch, pick_batches, receipt_expiry
from domain.errors import BatchRefused, InsufficientStock
from domain.money import ZERO
from domain.ports import UnitOfWork, Warehouse
from domain.valuation import CostLayer, LayerDraw, ValuationMethod, draw_fifo, drawn
from domain.products import Product
from domain.stock import (
    Movement,
    MovementKind,
    Posting,
    StockBalance,
    post_issue,
    post_issue_below_zero,
    post_receipt,
    restore_adjustment,
)

if TYPE_CHECKING:
    from domain.services import Context


def append_movement(
    uow: UnitOfWork,
    ctx: Context,
    kind: MovementKind,
    product_id: int,
    warehouse_id: int,
    before: StockBalance,
    posting: Posting,
    number: str,
    *,
    occurred_at: datetime | None = None,
    unit_price: Decimal | None = None,
    counterparty: str = "",
    note: str = "",
    reverses_id: int | None = None,
) -> tuple[Movement, StockBalance]:
    """Append one ledger row and move its balance with it, in the caller's transaction.

    Every change of stock goes through here, so a balance can never move without its movement.
    Returns the movement and the balance after it.
    """
    after = before.plus(posting)
    movement = uow.stock.append(
        Movement(
            kind=kind,
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=posting.quantity,
            value=posting.value,
            balance_quantity=after.quantity,
            balance_value=after.value,
            occurred_at=occurred_at or ctx.now,
            recorded_at=ctx.now,
            actor_id=ctx.actor.user_id,
            actor_name=ctx.actor.name,
            chat_id=ctx.actor.chat_id,
            unit_price=unit_price,
            counterparty=counterparty,
            note=note,
            number=number,
            reverses_id=reverses_id,
        )
    )
    uow.stock.save_balance(product_id, warehouse_id, before, after)
    return movement, after


@dataclass(frozen=True, slots=True)
class Booked:
    """What one booking appended: the movement, the warehouse balance after it, and the cost
    adjustment a receipt onto negative stock (or a return that empties the stock) added.

    Under FIFO also what it did to the cost layers: ``draws`` (an outgoing movement: the layers
    it took from, oldest first, with quantity and value) or ``layers`` (an incoming one: the
    layers it opened)."""

    movement: Movement
    before: StockBalance
    after: StockBalance
    adjustment: Movement | None = None
    draws: tuple[LayerDraw, ...] = ()
    layers: tuple[CostLayer, ...] = ()
    batches: tuple[BatchTake, ...] = ()  # batch-managed: the batches moved (signed, with expiry)

    @property
    def cost(self) -> Decimal:
        """The value the goods carried (positive), adjustment included."""
        extra = self.adjustment.value if self.adjustment is not None else ZERO
        return abs(self.movement.value + extra)


def stock_in(
    uow: UnitOfWork,
    ctx: Context,
    kind: MovementKind,
    product: Product,
    warehouse: Warehouse,
    quantity: Decimal,
    number: str,
    *,
    unit_cost: Decimal | None = None,
    value: Decimal | None = None,
    occurred_at: datetime | None = None,
    unit_price: Decimal | None = None,
    counterparty: str = "",
    note: str = "",
    batch: str | None = None,
    expires_on: date | None = None,
    produced_on: date | None = None,
) -> Booked:
    """Book ``quantity`` units in, worth ``value`` exactly when given (a customer return at the
    cost it left with, a pack price), else ``quantity × unit_cost`` (None: the current average).

    A batch-managed product needs ``batch`` (a customer return: the batch it left from); its
    expiry is ``expires_on``, else ``produced_on`` + 保质期, else the batch's known expiry
    (``domain.batches.receipt_expiry``; BatchRefused says why not).

    A receipt onto negative stock also books the cost adjustment that values the restored units
    at this receipt's cost (see ``restore_adjustment``). Under FIFO the units open a cost layer
    dated ``occurred_at`` (a back-dated receipt is drawn in its date's turn)."""
    before = uow.stock.lock_balance(product.id, warehouse.id)
    batch = normalise_batch(batch)
    takes: tuple[BatchTake, ...] = ()
    if product.batch_managed or batch is not None or expires_on is not None or produced_on is not None:
        existing = uow.batches.find(product.id, warehouse.id, batch) if batch is not None else None
        expiry = receipt_expiry(product, batch, expires_on, produced_on, existing, None)
        takes = (BatchTake(batch, quantity, expiry),) if batch is not None else ()
    posting = Posting(quantity, value) if value is not None else post_receipt(before, quantity, unit_cost)
    movement, after = append_movement(
        uow, ctx, kind, product.id, warehouse.id, before, posting, number,
        occurred_at=occurred_at, unit_price=unit_price, counterparty=counterparty, note=note,
    )
    _move_batches(uow, movement, takes)
    if is_fifo(uow):
        layer = _open_layer(uow, movement, posting.quantity, posting.value, movement.occurred_at)
        return Booked(movement, before, after, layers=(layer,), batches=takes)
    correction = restore_adjustment(before, posting)
    adjustment = None
    if correction is not None:
        adjustment, after = append_movement(
            uow, ctx, MovementKind.COST_ADJUSTMENT, product.id, warehouse.id, after, correction, number,
            occurred_at=occurred_at, note="负库存补货成本调整",
        )
    return Booked(movement, before, after, adjustment, batches=takes)


def is_fifo(uow: UnitOfWork) -> bool:
    return uow.valuation.method() is ValuationMethod.FIFO


def _move_batches(uow: UnitOfWork, movement: Movement, takes: Sequence[BatchTake]) -> None:
    if takes:
        assert movement.id is not None
        uow.batches.record_moves(movement.id, movement.product_id, movement.warehouse_id, takes)


def _open_layer(uow: UnitOfWork, movement: Movement, quantity: Decimal, value: Decimal, received_at: datetime) -> CostLayer:
    assert movement.id is not None
    return uow.valuation.add_layer(
        CostLayer(movement.product_id, movement.warehouse_id, received_at, movement.id, quantity, value, quantity, value)
    )


@dataclass(slots=True)
class OutPlan:
    """A costed issue that has passed the stock check but is not booked yet (under FIFO with
    the layer draws it will record)."""

    product: Product
    warehouse: Warehouse
    quantity: Decimal
    before: StockBalance
    posting: Posting
    draws: tuple[LayerDraw, ...] = ()
    fifo: bool = False
    # Batch-managed: the batches it takes (picked in prepare_out when it knew the day, else at
    # booking), the batch named, whether expired batches may go (报损, 调拨, 盘亏).
    batches: tuple[BatchTake, ...] | None = None
    batch: str | None = None
    allow_expired: bool = False
    action: str = "出库"

    @property
    def cost(self) -> Decimal:
        return -self.posting.value

    def book(
        self,
        uow: UnitOfWork,
        ctx: Context,
        kind: MovementKind,
        number: str,
        *,
        occurred_at: datetime | None = None,
        unit_price: Decimal | None = None,
        counterparty: str = "",
        note: str = "",
    ) -> Booked:
        takes: tuple[BatchTake, ...] = ()
        if self.product.batch_managed:
            takes = self.batches if self.batches is not None else self._pick(uow, ctx.today)
        movement, after = append_movement(
            uow, ctx, kind, self.product.id, self.warehouse.id, self.before, self.posting, number,
            occurred_at=occurred_at, unit_price=unit_price, counterparty=counterparty, note=note,
        )
        _move_batches(uow, movement, takes)
        adjustment = None
        if self.fifo:
            assert movement.id is not None
            uow.valuation.record_draws(movement.id, self.draws)
            # Left at a price of its own (a return to the supplier at the purchase price): the
            # layers gave up their own cost, so the difference goes to cost of goods sold and
            # the balance stays equal to its layers.
            residue = self.before.value - drawn(self.draws).value - after.value
            if residue:
                adjustment, after = append_movement(
                    uow, ctx, MovementKind.COST_ADJUSTMENT, self.product.id, self.warehouse.id, after,
                    Posting(ZERO, residue), number, occurred_at=occurred_at, note="先进先出成本调整",
                )
            return Booked(movement, self.before, after, adjustment, draws=self.draws, batches=takes)
        if after.quantity == 0 and after.value != 0:
            # Left at a price of its own (a return to the supplier at the purchase price): the
            # residue on the now-empty stock goes to cost of goods sold, so none stays on zero.
            adjustment, after = append_movement(
                uow, ctx, MovementKind.COST_ADJUSTMENT, self.product.id, self.warehouse.id, after,
                Posting(ZERO, -after.value), number, occurred_at=occurred_at, note="清零成本调整",
            )
        return Booked(movement, self.before, after, adjustment, batches=takes)

    def _pick(self, uow: UnitOfWork, today: date) -> tuple[BatchTake, ...]:
        return tuple(
            pick_batches(
                self.product, uow.batches.batches(self.product.id, self.warehouse.id), self.quantity, today,
                named=self.batch, allow_expired=self.allow_expired, action=self.action,
            )
        )


def prepare_out(
    uow: UnitOfWork,
    product: Product,
    warehouse: Warehouse,
    quantity: Decimal,
    *,
    action: str = "出库",
    name_warehouse: bool = True,
    allow_negative: bool = False,
    value: Decimal | None = None,
    batch: str | None = None,
    today: date | None = None,
    allow_expired: bool = False,
) -> OutPlan:
    """Lock the balance and cost taking ``quantity`` out: at the moving average, or at
    ``value`` exactly when given (a return to the supplier at the price it was bought at).

    Raises InsufficientStock (naming ``action``) unless ``allow_negative``; then the units
    beyond the stock are costed at the last known rate. Under FIFO the oldest layers are drawn
    first and a shortage is always refused (FIFO has no negative stock).

    A batch-managed product takes its batches earliest expiry first (or only ``batch``), never
    an expired one unless ``allow_expired`` (报损, 调拨, 盘亏), and never goes below zero. With
    ``today`` the batches are picked (and refused) here, else when the plan is booked."""
    plan = _cost_out(uow, product, warehouse, quantity, action, name_warehouse, allow_negative and not product.batch_managed, value)
    if not product.batch_managed:
        if batch is not None:
            raise BatchRefused(BatchRefused.NOT_MANAGED, product.code, product.name)
        return plan
    plan.batch, plan.allow_expired, plan.action = normalise_batch(batch), allow_expired, action
    if today is not None:
        plan.batches = plan._pick(uow, today)
    return plan


def _cost_out(
    uow: UnitOfWork,
    product: Product,
    warehouse: Warehouse,
    quantity: Decimal,
    action: str,
    name_warehouse: bool,
    allow_negative: bool,
    value: Decimal | None,
) -> OutPlan:
    before = uow.stock.lock_balance(product.id, warehouse.id)
    if is_fifo(uow):
        draws, shortfall = draw_fifo(uow.valuation.open_layers(product.id, warehouse.id), quantity)
        if shortfall > 0:
            available = max(before.quantity, ZERO)
            raise InsufficientStock(
                product.code, product.name, product.unit, quantity, available,
                warehouse.name if name_warehouse else "", action,
            )
        cost = drawn(draws).value if value is None else value
        return OutPlan(product, warehouse, quantity, before, Posting(-quantity, -cost), tuple(draws), fifo=True)
    costing = post_issue(before, quantity)
    posting = costing.posting
    if costing.shortfall > 0:
        if not allow_negative:
            available = max(before.quantity, ZERO)
            raise InsufficientStock(
                product.code, product.name, product.unit, quantity, available,
                warehouse.name if name_warehouse else "", action,
            )
        posting = post_issue_below_zero(before, quantity, product.purchase_price)
    if value is not None:
        posting = Posting(-quantity, -value)
    return OutPlan(product, warehouse, quantity, before, posting)


def estimate_out(uow: UnitOfWork, product_id: int, warehouse_id: int, balance: StockBalance, quantity: Decimal) -> tuple[Posting, Decimal]:
    """What taking ``quantity`` out would cost now, without locking or writing (a preview such
    as the stocktake's variance): (posting, shortfall)."""
    if is_fifo(uow):
        draws, shortfall = draw_fifo(uow.valuation.open_layers(product_id, warehouse_id), quantity)
        return Posting(-quantity, -drawn(draws).value), shortfall
    costing = post_issue(balance, quantity)
    return costing.posting, costing.shortfall


@dataclass(frozen=True, slots=True)
class Moved:
    """A transfer booked: the outgoing leg (with its draws under FIFO) and the incoming one
    (with the layers it opened in the target)."""

    out: Booked
    into: Booked

    @property
    def value(self) -> Decimal:
        return -self.out.movement.value


def transfer(
    uow: UnitOfWork,
    ctx: Context,
    product: Product,
    source: Warehouse,
    target: Warehouse,
    quantity: Decimal,
    number: str,
    *,
    note: str = "",
    confirm: Callable[[], None] | None = None,
) -> Moved:
    """Move ``quantity`` from ``source`` to ``target`` at cost, under one number: out as an issue
    is costed, in with exactly that value. Under FIFO the drawn layers arrive in the target as
    layers of their own, keeping their dates. ``confirm`` runs after the stock check and before
    anything is written (it may raise to ask first).

    Raises InsufficientStock (调出) when the source has too little."""
    # Lock in warehouse order, so two opposite transfers cannot wait on each other.
    locked = {wid: uow.stock.lock_balance(product.id, wid) for wid in sorted((source.id, target.id))}
    # Expired batches may move (to a returns or scrap area); they arrive with their expiry.
    plan = prepare_out(uow, product, source, quantity, action="调出", today=ctx.today, allow_expired=True)
    if confirm is not None:
        confirm()
    out = plan.book(uow, ctx, MovementKind.TRANSFER_OUT, number, counterparty=target.name, note=note)
    posting = Posting(quantity, plan.cost)
    movement, after = append_movement(
        uow, ctx, MovementKind.TRANSFER_IN, product.id, target.id, locked[target.id], posting, number,
        counterparty=source.name, note=note,
    )
    arriving = tuple(BatchTake(take.code, -take.quantity, take.expires_on) for take in out.batches)
    _move_batches(uow, movement, arriving)
    layers: tuple[CostLayer, ...] = ()
    if plan.fifo:
        layers = tuple(
            _open_layer(uow, movement, draw.quantity, draw.value, draw.received_at or movement.occurred_at)
            for draw in plan.draws
        )
    return Moved(out, Booked(movement, locked[target.id], after, layers=layers, batches=arriving))
