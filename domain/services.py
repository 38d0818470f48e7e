"""Use cases: one function per operation, each one transaction on a unit of work.

Shape (cosmicpython): ``with uow:`` → load → pure domain rule → append/update → commit once.
Every function returns a past-tense result value; the chat edge turns it into a reply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import commands as c
from domain.access import Role
from domain.audit import Action, AuditEntry
from domain.errors import (
    AmbiguousProduct,
    FutureDate,
    InsufficientStock,
    NeedsConfirmation,
    NegativeStockSetting,
    NothingToChange,
    ProductAlreadyExists,
    ProductInactive,
    SameWarehouse,
    UnknownProduct,
    UnknownWarehouse,
    WarehouseExists,
    BatchRefused,
    ValuationRefused,
    WarehouseNotAllowed,
)
from domain.batches import Batch, BatchMismatch, BatchTake, normalise_batch, receipt_expiry
from domain.billing import QuickBilling, bill_quick
from domain.booking import Booked, append_movement, prepare_out, stock_in, transfer
from domain.documents import Discrepancy
from domain.guards import assess
from domain.money import quantize_money, quantize_unit_cost
from domain.periods import Period
from domain.ports import StockLine, StockTotals, UnitOfWork, Warehouse
from domain.products import (
    StockLevels,
    FieldChange,
    PackQuantity,
    Product,
    StockStatus,
    apply_changes,
    is_code_like,
    normalise_code,
    stock_status,
    suggest_codes,
    to_base_quantity,
)
from domain.valuation import LayerMismatch, ValuationMethod
from domain.stock import (
    NUMBER_PREFIX,
    BalanceMismatch,
    Movement,
    MovementKind,
    StockBalance,
    post_transfer,
)

PAGE_SIZE = 10
SEARCH_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, from which chat, in which role; ``warehouse_ids`` None means all."""

    user_id: int
    name: str
    chat_id: int
    role: Role = Role.OWNER
    warehouse_ids: frozenset[int] | None = None
    username: str = ""


@dataclass(frozen=True, slots=True)
class Context:
    """The request's facts: who, when in which time zone, and the text as typed (for the audit log)."""

    actor: Actor
    now: datetime
    tz: ZoneInfo
    text: str = ""

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


# ---- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductAdded:
    product: Product


@dataclass(frozen=True, slots=True)
class ProductChanged:
    product: Product
    changes: list[FieldChange]


@dataclass(frozen=True, slots=True)
class ProductActiveSet:
    product: Product


@dataclass(frozen=True, slots=True)
class ProductCard:
    product: Product
    balance: StockBalance
    status: StockStatus


@dataclass(frozen=True, slots=True)
class ProductMatches:
    query: str | None
    products: list[Product]
    page: int
    pages: int
    total: int


class PriceSource:
    GIVEN = "given"
    PURCHASE_PRICE = "purchase_price"
    AVERAGE = "average"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class StockReceived:
    product: Product
    movement: Movement
    balance: StockBalance
    price_source: str
    unit_cost: Decimal | None
    pack: PackQuantity | None = None
    cost_adjustment: Decimal | None = None  # booked when the receipt restored negative stock
    billing: QuickBilling | None = None  # the payable, when the counterparty is a known supplier
    batches: tuple[BatchTake, ...] = ()  # batch-managed: the batch received, with its expiry


@dataclass(frozen=True, slots=True)
class StockIssued:
    product: Product
    movement: Movement
    balance: StockBalance
    status: StockStatus
    pack: PackQuantity | None = None
    billing: QuickBilling | None = None  # the receivable, when the counterparty is a known customer
    batches: tuple[BatchTake, ...] = ()  # batch-managed: the batches taken (negative), with expiry

    @property
    def cost(self) -> Decimal:
        return -self.movement.value

    @property
    def revenue(self) -> Decimal | None:
        if self.movement.unit_price is None:
            return None
        return quantize_money(-self.movement.quantity * self.movement.unit_price)


@dataclass(frozen=True, slots=True)
class StockCard:
    product: Product
    balance: StockBalance
    status: StockStatus
    by_warehouse: tuple[tuple[Warehouse, StockBalance], ...] = ()
    batches: tuple[tuple[Warehouse, Batch], ...] = ()  # batch-managed: earliest expiry first
    today: date | None = None  # to mark expired batches
    # Warehouses with levels of their own: (warehouse, its levels, its status against them).
    warehouse_levels: tuple[tuple[Warehouse, StockLevels, StockStatus], ...] = ()


@dataclass(frozen=True, slots=True)
class StockTransferred:
    product: Product
    number: str
    quantity: Decimal
    value: Decimal
    source: Warehouse
    target: Warehouse
    source_balance: StockBalance
    target_balance: StockBalance
    pack: PackQuantity | None = None


@dataclass(frozen=True, slots=True)
class StockScrapped:
    product: Product
    movement: Movement
    warehouse: Warehouse
    balance: StockBalance
    status: StockStatus
    pack: PackQuantity | None = None
    batches: tuple[BatchTake, ...] = ()

    @property
    def cost(self) -> Decimal:
        return -self.movement.value


@dataclass(frozen=True, slots=True)
class StockOverview:
    lines: list[tuple[StockLine, StockStatus]]
    totals: StockTotals
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class LedgerPage:
    product: Product
    movements: list[Movement]
    period: Period | None
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class WarehouseList:
    warehouses: list[Warehouse]
    allowed: frozenset[int] | None


@dataclass(frozen=True, slots=True)
class WarehouseAdded:
    warehouse: Warehouse


@dataclass(frozen=True, slots=True)
class CheckReport:
    balances: int
    movements: int
    mismatches: list[BalanceMismatch]
    layer_mismatches: list[LayerMismatch] = field(default_factory=list)  # FIFO: layers ≠ balance
    batch_mismatches: list[BatchMismatch] = field(default_factory=list)  # batches ≠ balance
    discrepancies: list[Discrepancy] = field(default_factory=list)  # in the documents: open items, allocations, order lines

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.layer_mismatches or self.batch_mismatches or self.discrepancies)


# ---- helpers ---------------------------------------------------------------------------


def _pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


def _clamp_page(page: int, pages: int) -> int:
    return min(max(page, 1), pages)


def get_product(uow: UnitOfWork, code: str) -> Product:
    """Load a product by code or explain, with suggestions, why it is not there.

    Raises:
        UnknownProduct: no such code; carries close codes and name matches as hints.
    """
    product = uow.products.get(normalise_code(code))
    if product is not None:
        return product
    if is_lookup_query(code):
        # Not a code: a name fragment, pinyin or barcode digits. One match proceeds (the reply
        # names the product); several are offered to choose from, never guessed.
        matches = uow.products.lookup(code, LOOKUP_CHOICES + 1)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousProduct(code, [p.hint() for p in matches[:LOOKUP_CHOICES]])
    hints = suggest_codes(code, uow.products.hints())
    if not hints and not is_code_like(code):
        hints = [p.hint() for p in uow.products.search(code, 3)]
    raise UnknownProduct(code, hints)


LOOKUP_CHOICES = 6


def is_lookup_query(text: str) -> bool:
    """Text worth a fuzzy product lookup: Chinese (a name), letters only (pinyin) or 6+ digits
    (a barcode). Mixed codes like A00l keep their "did you mean" hints instead."""
    text = text.strip()
    if not text or len(text) > 32:
        return False
    if any(ord(ch) > 0x2E80 for ch in text):
        return True
    return text.isascii() and (text.isalpha() and len(text) >= 2 or text.isdigit() and len(text) >= 6)


def _active_product(uow: UnitOfWork, code: str) -> Product:
    product = get_product(uow, code)
    if not product.active:
        raise ProductInactive(product.code, product.name)
    return product


def _occurred_at(ctx: Context, day: date | None) -> datetime:
    """Business time of a booking: now, or the given past day at the current local time."""
    if day is None:
        return ctx.now
    if day > ctx.today:
        raise FutureDate(day)
    local_time = ctx.now.astimezone(ctx.tz).timetz().replace(tzinfo=None)
    return datetime.combine(day, local_time, tzinfo=ctx.tz).astimezone(timezone.utc)


def audit(
    uow: UnitOfWork,
    ctx: Context,
    action: Action,
    subject: str = "",
    numbers: tuple[str, ...] = (),
    changes: tuple[FieldChange, ...] = (),
    undoes: int | None = None,
) -> AuditEntry:
    """Record a change in the caller's transaction: it is logged exactly when it happens."""
    actor = ctx.actor
    return uow.audit.add(
        AuditEntry(
            action=action,
            user_id=actor.user_id,
            user_name=actor.name,
            chat_id=actor.chat_id,
            text=ctx.text,
            at=ctx.now,
            subject=subject,
            numbers=numbers,
            changes=changes,
            undoes=undoes,
        )
    )


def warehouse_for(uow: UnitOfWork, ctx: Context, name: str | None) -> Warehouse:
    """The named warehouse (default: 主仓), if the actor may work in it."""
    if name is None:
        warehouse = uow.stock.default_warehouse()
    else:
        found = uow.stock.warehouse_named(name)
        if found is None:
            raise UnknownWarehouse(name, [w.name for w in uow.stock.warehouses() if _allowed(ctx, w.id)])
        warehouse = found
    if not _allowed(ctx, warehouse.id):
        raise WarehouseNotAllowed(warehouse.name)
    return warehouse


def _allowed(ctx: Context, warehouse_id: int) -> bool:
    allowed = ctx.actor.warehouse_ids
    return allowed is None or warehouse_id in allowed


def _number(uow: UnitOfWork, ctx: Context, kind: MovementKind) -> str:
    year = ctx.today.year
    prefix = NUMBER_PREFIX[kind]
    return f"{prefix}-{year}-{uow.numbers.next(f'{prefix}-{year}'):04d}"


# ---- products --------------------------------------------------------------------------


def add_product(uow: UnitOfWork, ctx: Context, cmd: c.AddProduct) -> ProductAdded:
    """Create a product (商品 新增)."""
    code = normalise_code(cmd.code)
    product = Product(code=code, name=cmd.name.strip(), **dict(cmd.fields))
    with uow.writing():
        existing = uow.products.get(code)
        if existing is not None:
            raise ProductAlreadyExists(existing.code, existing.name)
        product = uow.products.add(product)
        audit(uow, ctx, Action.ADD_PRODUCT, product.code)
        uow.commit()
    return ProductAdded(product)


def change_product(uow: UnitOfWork, ctx: Context, cmd: c.ChangeProduct) -> ProductChanged:
    """Change a product's master data (商品 修改), reporting before and after."""
    with uow.writing():
        product = get_product(uow, cmd.code)
        updated, changes = apply_changes(product, dict(cmd.fields))
        if not changes:
            raise NothingToChange(product.code)
        refuse_batch_switch_with_stock(uow, product, updated)
        uow.products.update(updated)
        audit(uow, ctx, Action.CHANGE_PRODUCT, product.code, changes=tuple(changes))
        uow.commit()
    return ProductChanged(updated, changes)


def set_product_active(uow: UnitOfWork, ctx: Context, cmd: c.SetProductActive) -> ProductActiveSet:
    """Deactivate (商品 停用) or reactivate (商品 启用) a product; its history stays."""
    with uow.writing():
        product = get_product(uow, cmd.code)
        if product.active == cmd.active:
            raise NothingToChange(product.code)
        updated, changes = apply_changes(product, {"active": cmd.active})
        uow.products.update(updated)
        action = Action.ACTIVATE_PRODUCT if cmd.active else Action.DEACTIVATE_PRODUCT
        audit(uow, ctx, action, product.code, changes=tuple(changes))
        uow.commit()
    return ProductActiveSet(updated)


def find_products(uow: UnitOfWork, ctx: Context, cmd: c.FindProducts) -> ProductCard | ProductMatches:
    """Show one product's card by code, or list the products a name fragment matches."""
    with uow:
        if cmd.query is not None:
            exact = uow.products.get(normalise_code(cmd.query))
            if exact is not None:
                balance = uow.stock.total_balance(exact.id, ctx.actor.warehouse_ids)
                return ProductCard(exact, balance, stock_status(exact, balance.quantity))
        total = uow.products.count_matching(cmd.query)
        if total == 0 and cmd.query is not None:
            get_product(uow, cmd.query)  # raises UnknownProduct with suggestions
        if total == 1 and cmd.query is not None:
            (only,) = uow.products.page(cmd.query, 0, 1)
            balance = uow.stock.total_balance(only.id, ctx.actor.warehouse_ids)
            return ProductCard(only, balance, stock_status(only, balance.quantity))
        pages = _pages(total)
        page = _clamp_page(cmd.page, pages)
        products = uow.products.page(cmd.query, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        return ProductMatches(cmd.query, products, page, pages, total)


# ---- stock -----------------------------------------------------------------------------


def _audited(uow: UnitOfWork, ctx: Context, kind: MovementKind, product: Product, booked: Booked) -> StockBalance:
    """Record a 入库 or 出库 in the audit log; returns the product's total balance."""
    action = Action.RECEIVE if kind is MovementKind.RECEIPT else Action.ISSUE
    audit(uow, ctx, action, product.code, numbers=(booked.movement.number,))
    return uow.stock.total_balance(product.id, ctx.actor.warehouse_ids)


def _confirm_risks(
    uow: UnitOfWork,
    cmd: c.StockChange,
    product: Product,
    kind: MovementKind,
    reference_price: Decimal | None,
    quantity: Decimal,
    unit_price: Decimal | None,
) -> None:
    """Ask before booking a quantity or price (both per base unit) that looks like a slip."""
    if cmd.confirmed:
        return
    typical = uow.stock.typical_quantity(product.id, kind)
    last_price = uow.stock.last_unit_price(product.id, kind) if unit_price is not None else None
    risks = assess(quantity, typical, unit_price, last_price or reference_price)
    if risks:
        raise NeedsConfirmation(risks, replace(cmd, confirmed=True), product)


def _confirm_quantity(
    uow: UnitOfWork, cmd: c.TransferStock | c.ScrapStock, product: Product, kind: MovementKind, quantity: Decimal
) -> None:
    """调拨 and 报损 ask, like 入库 and 出库, before moving 10× the usual quantity."""
    if cmd.confirmed:
        return
    risks = assess(quantity, uow.stock.typical_quantity(product.id, kind), None, None)
    if risks:
        raise NeedsConfirmation(risks, replace(cmd, confirmed=True), product)


def _in_base_units(product: Product, cmd: c.StockChange) -> tuple[Decimal, PackQuantity | None, Decimal | None]:
    """Quantity and unit price in the product's own unit: a price typed with ``2箱`` is per 箱."""
    quantity, pack = to_base_quantity(product, cmd.quantity, cmd.unit)
    unit_price = cmd.unit_price
    if pack is not None and unit_price is not None:
        unit_price = quantize_unit_cost(unit_price / pack.factor)
    return quantity, pack, unit_price


def receive_stock(uow: UnitOfWork, ctx: Context, cmd: c.ReceiveStock) -> StockReceived:
    """Book goods into stock (入库) at the given price, else the list purchase price."""
    occurred_at = _occurred_at(ctx, cmd.occurred_on)  # refuses a future date before touching the books
    with uow.writing():
        product = _active_product(uow, cmd.code)
        quantity, pack, unit_price = _in_base_units(product, cmd)
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        _confirm_risks(uow, cmd, product, MovementKind.RECEIPT, product.purchase_price, quantity, unit_price)
        if unit_price is not None:
            unit_cost, source = unit_price, PriceSource.GIVEN
        elif product.purchase_price is not None:
            unit_cost, source = product.purchase_price, PriceSource.PURCHASE_PRICE
        else:
            unit_cost, source = None, PriceSource.NONE  # at the current average, if there is one
        # Priced per pack: the value is packs × pack price exactly, not via a rounded unit cost.
        value = quantize_money(pack.quantity * cmd.unit_price) if pack is not None and cmd.unit_price is not None else None
        _refuse_expired_arrival(uow, cmd, product, warehouse, cmd.occurred_on or ctx.today)
        booked = stock_in(
            uow, ctx, MovementKind.RECEIPT, product, warehouse, quantity, _number(uow, ctx, MovementKind.RECEIPT),
            unit_cost=unit_cost, value=value, occurred_at=occurred_at, unit_price=unit_price,
            counterparty=cmd.counterparty, note=cmd.note,
            batch=cmd.batch, expires_on=cmd.expires_on, produced_on=cmd.produced_on,
        )
        movement, adjustment = booked.movement, booked.adjustment
        if source is PriceSource.NONE and booked.before.unit_cost:  # an average of 0.00 is no price either
            unit_cost, source = booked.before.unit_cost, PriceSource.AVERAGE
        total = _audited(uow, ctx, MovementKind.RECEIPT, product, booked)
        priced = source in (PriceSource.GIVEN, PriceSource.PURCHASE_PRICE)
        billing = bill_quick(uow, ctx, movement, movement.value if priced else None)
        uow.commit()
    return StockReceived(
        product, movement, total, source, unit_cost, pack, adjustment.value if adjustment is not None else None,
        billing=billing, batches=booked.batches,
    )


def _refuse_expired_arrival(uow: UnitOfWork, cmd: c.ReceiveStock, product: Product, warehouse: Warehouse, day: date) -> None:
    """A 入库 of goods already expired on the day they came in is refused (a customer return of
    them is not); a receipt back-dated with 日期 is judged on its own day."""
    if cmd.batch is None and cmd.expires_on is None and cmd.produced_on is None and not product.batch_managed:
        return
    batch = normalise_batch(cmd.batch)
    existing = uow.batches.find(product.id, warehouse.id, batch) if batch is not None else None
    receipt_expiry(product, batch, cmd.expires_on, cmd.produced_on, existing, day)


def issue_stock(uow: UnitOfWork, ctx: Context, cmd: c.IssueStock) -> StockIssued:
    """Take goods out of stock (出库) at moving-average cost; never below zero."""
    occurred_at = _occurred_at(ctx, cmd.occurred_on)
    with uow.writing():
        product = _active_product(uow, cmd.code)
        quantity, pack, unit_price = _in_base_units(product, cmd)
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        plan = prepare_out(
            uow, product, warehouse, quantity, name_warehouse=bool(cmd.warehouse),
            allow_negative=uow.settings.get().allow_negative, batch=cmd.batch, today=ctx.today,
        )
        _confirm_risks(uow, cmd, product, MovementKind.ISSUE, product.sale_price, quantity, unit_price)
        booked = plan.book(
            uow, ctx, MovementKind.ISSUE, _number(uow, ctx, MovementKind.ISSUE),
            occurred_at=occurred_at, unit_price=unit_price, counterparty=cmd.counterparty, note=cmd.note,
        )
        movement = booked.movement
        total = _audited(uow, ctx, MovementKind.ISSUE, product, booked)
        revenue = quantize_money(quantity * unit_price) if unit_price is not None else None
        if pack is not None and cmd.unit_price is not None:
            revenue = quantize_money(pack.quantity * cmd.unit_price)  # priced per pack: exactly packs × price
        billing = bill_quick(uow, ctx, movement, revenue, cash=cmd.cash)
        uow.commit()
    return StockIssued(
        product, movement, total, stock_status(product, total.quantity), pack, billing=billing, batches=booked.batches
    )


def show_stock(uow: UnitOfWork, ctx: Context, cmd: c.ShowStock) -> StockCard | StockOverview:
    """One product's stock card, or a page of all products, most urgent first."""
    with uow:
        if cmd.code is not None:
            product = get_product(uow, cmd.code)
            balance = uow.stock.total_balance(product.id, ctx.actor.warehouse_ids)
            split = tuple(uow.stock.balances_by_warehouse(product.id, ctx.actor.warehouse_ids))
            # Batches and warehouse levels cost a query each: only asked for where they can exist.
            found = uow.batches.of_product(product.id, ctx.actor.warehouse_ids) if product.batch_managed else []
            own_levels = sorted(uow.thresholds.of_product(product.id).items())
            names = {w.id: w for w in uow.stock.warehouses()} if found or own_levels else {}
            batches = tuple((names[b.warehouse_id], b) for b in found)
            on_hand = {w.id: b.quantity for w, b in split}
            levels = tuple(
                (names[wid], own, warehouse_status(product, on_hand.get(wid, Decimal(0)), own))
                for wid, own in own_levels
                if _allowed(ctx, wid)
            )
            return StockCard(product, balance, stock_status(product, balance.quantity), split, batches, ctx.today, levels)
        totals = uow.stock.totals(ctx.actor.warehouse_ids)
        pages = _pages(totals.products)
        page = _clamp_page(cmd.page, pages)
        lines = uow.stock.overview((page - 1) * PAGE_SIZE, PAGE_SIZE, ctx.actor.warehouse_ids)
        return StockOverview(
            [(line, stock_status(line.product, line.balance.quantity)) for line in lines], totals, page, pages
        )


def show_ledger(uow: UnitOfWork, ctx: Context, cmd: c.ShowLedger) -> LedgerPage:
    """The latest movements of one product (流水), optionally within a period."""
    since = until = None
    if cmd.period is not None:
        since = datetime.combine(cmd.period.begin, time(), tzinfo=ctx.tz)
        until = datetime.combine(cmd.period.end, time(), tzinfo=ctx.tz)
    with uow:
        product = get_product(uow, cmd.code)
        allowed = ctx.actor.warehouse_ids
        total = uow.stock.count_movements(product.id, since, until, allowed)
        pages = _pages(total)
        page = _clamp_page(cmd.page, pages)
        movements = uow.stock.movements(product.id, since, until, (page - 1) * PAGE_SIZE, PAGE_SIZE, allowed)
    return LedgerPage(product, movements, cmd.period, page, pages, total)


def transfer_stock(uow: UnitOfWork, ctx: Context, cmd: c.TransferStock) -> StockTransferred:
    """Move goods between warehouses (调拨) at cost: the value leaving one arrives in the other."""
    with uow.writing():
        product = _active_product(uow, cmd.code)
        quantity, pack = to_base_quantity(product, cmd.quantity, cmd.unit)
        source = warehouse_for(uow, ctx, cmd.source)
        target = warehouse_for(uow, ctx, cmd.target)
        if source.id == target.id:
            raise SameWarehouse(source.name)
        number = _number(uow, ctx, MovementKind.TRANSFER_OUT)
        moved = transfer(
            uow, ctx, product, source, target, quantity, number, note=cmd.note,
            # After the stock check, before anything is written.
            confirm=lambda: _confirm_quantity(uow, cmd, product, MovementKind.TRANSFER_OUT, quantity),
        )
        audit(uow, ctx, Action.TRANSFER, product.code, numbers=(number,))
        uow.commit()
    return StockTransferred(
        product, number, quantity, moved.value, source, target, moved.out.after, moved.into.after, pack
    )


def scrap_stock(uow: UnitOfWork, ctx: Context, cmd: c.ScrapStock) -> StockScrapped:
    """Write off damaged or lost goods (报损) at cost, with the reason."""
    with uow.writing():
        product = _active_product(uow, cmd.code)
        quantity, pack = to_base_quantity(product, cmd.quantity, cmd.unit)
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        # Expired goods are what 报损 is for: earliest expiry first, expired batches included.
        plan = prepare_out(uow, product, warehouse, quantity, action="报损", batch=cmd.batch, today=ctx.today, allow_expired=True)
        _confirm_quantity(uow, cmd, product, MovementKind.SCRAP, quantity)
        booked = plan.book(uow, ctx, MovementKind.SCRAP, _number(uow, ctx, MovementKind.SCRAP), note=cmd.reason)
        movement = booked.movement
        audit(uow, ctx, Action.SCRAP, product.code, numbers=(movement.number,))
        total = uow.stock.total_balance(product.id, ctx.actor.warehouse_ids)
        uow.commit()
    return StockScrapped(product, movement, warehouse, total, stock_status(product, total.quantity), pack, booked.batches)


# ---- warehouses ------------------------------------------------------------------------


def list_warehouses(uow: UnitOfWork, ctx: Context, cmd: c.ListWarehouses) -> WarehouseList:
    with uow:
        return WarehouseList(uow.stock.warehouses(), ctx.actor.warehouse_ids)


def add_warehouse(uow: UnitOfWork, ctx: Context, cmd: c.AddWarehouse) -> WarehouseAdded:
    with uow.writing():
        if uow.stock.warehouse_named(cmd.name) is not None:
            raise WarehouseExists(cmd.name)
        warehouse = uow.stock.add_warehouse(cmd.name)
        audit(uow, ctx, Action.ADD_WAREHOUSE, cmd.name)
        uow.commit()
    return WarehouseAdded(warehouse)


@dataclass(frozen=True, slots=True)
class SettingChanged:
    allow_negative: bool


def set_negative_stock(uow: UnitOfWork, ctx: Context, cmd: c.SetNegativeStock) -> SettingChanged:
    """Allow or forbid 出库 below zero for the whole workspace."""
    with uow.writing():
        if uow.settings.get().allow_negative == cmd.allow:
            raise NegativeStockSetting(cmd.allow)
        if cmd.allow and uow.valuation.method() is ValuationMethod.FIFO:
            raise ValuationRefused(ValuationRefused.FIFO_NO_NEGATIVE, ValuationMethod.FIFO.label)
        uow.settings.set_allow_negative(cmd.allow)
        audit(uow, ctx, Action.SETTINGS, "负库存", changes=(FieldChange("allow_negative", not cmd.allow, cmd.allow),))
        uow.commit()
    return SettingChanged(cmd.allow)


def check_books(uow: UnitOfWork) -> CheckReport:
    """Prove every stored balance equals the sum of its movements (quantity and value), under
    FIFO the sum of its cost layers, and for a batch-managed product the sum of its batches; and
    that what is owed adds up: no item or credit allocated beyond its amount, every order line
    billed exactly for what was delivered."""
    with uow:
        balances, movements, mismatches = uow.stock.check()
        layer_mismatches = uow.valuation.check()
        batch_mismatches = uow.batches.check()
        documents = uow.documents.check()
    return CheckReport(balances, movements, mismatches, layer_mismatches, batch_mismatches, documents)


# ---- valuation ----


@dataclass(frozen=True, slots=True)
class ValuationMethodSet:
    method: ValuationMethod


def set_valuation_method(uow: UnitOfWork, ctx: Context, cmd: c.SetValuationMethod) -> ValuationMethodSet:
    """Choose 先进先出 or 移动加权平均 for the workspace — only before its first movement, since
    the stock already booked was valued by the other method."""
    method = ValuationMethod(cmd.method)
    with uow.writing():
        current = uow.valuation.method()
        if current is method:
            raise ValuationRefused(ValuationRefused.ALREADY, method.label)
        if uow.valuation.any_movement():
            raise ValuationRefused(ValuationRefused.HAS_MOVEMENTS, method.label, current=current.label)
        if method is ValuationMethod.FIFO and uow.settings.get().allow_negative:
            raise ValuationRefused(ValuationRefused.FIFO_NO_NEGATIVE, method.label)
        uow.valuation.set_method(method)
        audit(uow, ctx, Action.SETTINGS, "计价", changes=(FieldChange("valuation", current.label, method.label),))
        uow.commit()
    return ValuationMethodSet(method)


def warehouse_status(product: Product, on_hand: Decimal, levels: StockLevels | None) -> StockStatus:
    """A warehouse's status: its own levels where set, else the product's."""
    if levels is None:
        return stock_status(product, on_hand)
    return stock_status(
        product,
        on_hand,
        safety_stock=levels.safety_stock if levels.safety_stock is not None else product.safety_stock,
        max_stock=levels.max_stock if levels.max_stock is not None else product.max_stock,
    )


def refuse_batch_switch_with_stock(uow: UnitOfWork, product: Product, updated: Product) -> None:
    """批次管理 switches only while the product has no stock anywhere: stock on hand would
    otherwise belong to no batch (or batches would outlive the rule)."""
    if product.batch_managed == updated.batch_managed:
        return
    assert product.id is not None
    on_hand = [(w.name, b.quantity) for w, b in uow.stock.balances_by_warehouse(product.id) if b.quantity != 0]
    if on_hand:
        raise BatchRefused(BatchRefused.STOCK_ON_HAND, product.code, product.name, unit=product.unit, on_hand=on_hand)
