"""Document use cases (进 · 销 · 财): orders, deliveries, returns, payments, statements.

Each function is one transaction, like the stock use cases: stock moves through
``domain.booking`` (so the valuation method applies), money owed through ``domain.billing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from domain import commands as c
from domain.access import Permission, can
from domain.audit import Action
from domain.billing import LEDGER_OF, Posted, document_number, post_item, record_payment
from domain.batches import BatchTake
from domain.booking import prepare_out, stock_in
from domain.documents import (
    Account,
    Allocation,
    CashEntry,
    Ledger,
    OpenItem,
    Order,
    OrderKind,
    OrderLine,
    Payment,
    PriceSource,
    Receiving,
    StatementLine,
    after_delivery,
    aging,
    apportion,
    approve,
    close,
    delivery_amount,
    initial_status,
    require_deliverable,
    running_balance,
)
from domain.errors import (
    AmbiguousPartner,
    CreditLimitExceeded,
    DocumentRefused,
    NeedsConfirmation,
    NothingToReturn,
    NothingToChange,
    NotOnOrder,
    UnknownDocument,
    UnknownPartner,
)
from domain.guards import Risk, RiskKind
from domain.money import ZERO, quantize_money, quantize_unit_cost
from domain.partners import Partner, PartnerKind
from domain.ports import UnitOfWork, Warehouse
from domain.products import FieldChange, Product, to_base_quantity
from domain.services import PAGE_SIZE, Context, _active_product, _clamp_page, _pages, audit, warehouse_for
from domain.services import _number as movement_number
from domain.stock import Movement, MovementKind


# ---- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineAvailability:
    """A sales order line against the stock: on hand − reserved by other orders."""

    line: OrderLine
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def short(self) -> Decimal:
        return max(self.line.remaining - max(self.available, ZERO), ZERO)


@dataclass(frozen=True, slots=True)
class OrderCreated:
    order: Order
    availability: list[LineAvailability] = field(default_factory=list)
    owed: Decimal | None = None  # the customer's open receivables before this order


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    availability: list[LineAvailability]
    items: list[OpenItem]  # what the order's deliveries still have open


@dataclass(frozen=True, slots=True)
class OrderList:
    kind: OrderKind
    orders: list[Order]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class OrderChanged:
    order: Order
    action: str


@dataclass(frozen=True, slots=True)
class OrderReceived:
    order: Order
    number: str  # the receipt RK-…, "" when nothing passed QC
    receivings: list[Receiving]
    fees: tuple[tuple[str, Decimal], ...]
    posted: Posted | None

    @property
    def goods_value(self) -> Decimal:
        return sum((r.value for r in self.receivings), ZERO)

    @property
    def fees_total(self) -> Decimal:
        return sum((amount for _, amount in self.fees), ZERO)


@dataclass(frozen=True, slots=True)
class ShippedLine:
    line: OrderLine
    quantity: Decimal
    revenue: Decimal
    cost: Decimal
    batches: tuple[BatchTake, ...] = ()  # batch-managed: the batches it left from (negative)

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True, slots=True)
class OrderShipped:
    order: Order
    number: str
    lines: list[ShippedLine]
    posted: Posted
    tracking: str

    @property
    def revenue(self) -> Decimal:
        return sum((line.revenue for line in self.lines), ZERO)

    @property
    def cost(self) -> Decimal:
        return sum((line.cost for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class GoodsReturned:
    partner: Partner
    product: Product
    quantity: Decimal
    number: str
    source: Movement  # the receipt or shipment it came from
    stock_value: Decimal  # what left (to a supplier) or came back (from a customer) at cost
    credit: Decimal  # what the payable or receivable fell by
    posted: Posted | None  # None when the goods carried no price, so nothing owed changes
    balance: Decimal  # what is owed after it


@dataclass(frozen=True, slots=True)
class PaymentRecorded:
    payment: Payment
    allocations: list[tuple[str, Decimal]]  # (document number, amount)
    unused: Decimal
    balance: Decimal  # what the partner owes (应收) / is owed (应付) afterwards


@dataclass(frozen=True, slots=True)
class PartnerOpen:
    partner_name: str
    items: list[OpenItem]
    total: Decimal
    overdue: Decimal
    buckets: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class OpenItemsView:
    ledger: Ledger
    today: date
    partners: list[PartnerOpen]
    buckets: dict[str, Decimal]
    total: Decimal
    credit: Decimal  # unused payments and returns (a partner's credit with us, or ours)
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class Statement:
    partner: Partner
    ledger: Ledger
    since: date
    until: date  # inclusive, for the reply
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal


@dataclass(frozen=True, slots=True)
class CashRecorded:
    entry: CashEntry


# ---- helpers ---------------------------------------------------------------------------------


def _partner(uow: UnitOfWork, kind: PartnerKind, name: str) -> Partner:
    name = name.removeprefix("@").strip()
    partner = uow.partners.get(kind, name)
    if partner is None:
        matches = uow.partners.search(kind, name, 3)
        if len(matches) == 1 and name and name in matches[0].name:
            return matches[0]  # 「@华东」 for 华东饮料: a unique fragment is enough
        raise UnknownPartner(kind.value, name, [p.name for p in matches])
    return partner


def _order(uow: UnitOfWork, number: str, *, lock: bool = False) -> Order:
    order = uow.documents.order(number, lock=lock)
    if order is None:
        raise UnknownDocument(number)
    return order


def _line_quantity(product: Product, line: c.LineInput) -> tuple[Decimal, Decimal | None]:
    """Quantity in the product's own unit and the price per that unit (a 箱 price ÷ 24)."""
    quantity, pack = to_base_quantity(product, line.quantity, line.unit)
    price = line.unit_price
    if pack is not None and price is not None:
        price = quantize_unit_cost(price / pack.factor)
    return quantity, price


def _no_duplicates(lines: tuple[c.LineInput, ...]) -> None:
    seen: set[str] = set()
    for line in lines:
        code = line.code.upper()
        if code in seen:
            raise DocumentRefused(DocumentRefused.DUPLICATE_LINE, code=line.code)
        seen.add(code)


def _availability(uow: UnitOfWork, order: Order, ctx: Context) -> list[LineAvailability]:
    result = []
    for line in order.lines:
        on_hand = uow.stock.total_balance(line.product_id, frozenset({order.warehouse_id})).quantity
        reserved = uow.documents.remaining(OrderKind.SALE, line.product_id)
        if order.is_open:
            reserved -= line.remaining  # this order's own reservation is not a competitor
        result.append(LineAvailability(line, on_hand, max(reserved, ZERO)))
    return result


# ---- orders ----------------------------------------------------------------------------------


def _order_lines(
    uow: UnitOfWork, given: tuple[c.LineInput, ...], default_price: Callable[[Product], tuple[Decimal, PriceSource]]
) -> list[OrderLine]:
    """The order's lines: active products in their own unit, at the price typed, else the default."""
    lines = []
    for entry in given:
        product = _active_product(uow, entry.code)
        quantity, price = _line_quantity(product, entry)
        price, source = (price, PriceSource.GIVEN) if price is not None else default_price(product)
        lines.append(OrderLine(product.id, product.code, product.name, product.unit, quantity, price, source))
    return lines


def _purchase_price(product: Product) -> tuple[Decimal, PriceSource]:
    if product.purchase_price is None:
        raise DocumentRefused(DocumentRefused.MISSING_PRICE, code=product.code, name=product.name, kind="进价")
    return product.purchase_price, PriceSource.PURCHASE_LIST


def _sale_price(uow: UnitOfWork, partner: Partner, product: Product) -> tuple[Decimal, PriceSource]:
    """The customer's last price for the product, else its list price."""
    last = uow.stock.last_movement_with(product.id, partner.name, MovementKind.ISSUE.value)
    if last is not None and last.unit_price is not None:
        return last.unit_price, PriceSource.LAST
    if product.sale_price is not None:
        return product.sale_price, PriceSource.LIST
    raise DocumentRefused(DocumentRefused.MISSING_PRICE, code=product.code, name=product.name, kind="售价")


def create_purchase_order(uow: UnitOfWork, ctx: Context, cmd: c.CreatePurchaseOrder) -> OrderCreated:
    """采购: a draft purchase order at the given prices (else the products' purchase prices)."""
    _no_duplicates(cmd.lines)
    with uow.writing():
        partner = _partner(uow, PartnerKind.SUPPLIER, cmd.partner)
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        lines = _order_lines(uow, cmd.lines, _purchase_price)
        order = uow.documents.add_order(
            Order(
                kind=OrderKind.PURCHASE, number=document_number(uow, ctx, "PO"), partner_id=partner.id,
                partner_name=partner.name, status=initial_status(OrderKind.PURCHASE), created_at=ctx.now,
                created_by=ctx.actor.name, lines=tuple(lines), warehouse_id=warehouse.id, due_on=cmd.due_on,
                note=cmd.note, tax_rate=uow.settings.get().tax_rate,
            )
        )
        audit(uow, ctx, Action.CREATE_ORDER, partner.name, numbers=(order.number,))
        uow.commit()
    return OrderCreated(order)


def create_sales_order(uow: UnitOfWork, ctx: Context, cmd: c.CreateSalesOrder) -> OrderCreated:
    """销售: a sales order that reserves stock; prices given, else the customer's last price,
    else the list price. Going over the customer's credit limit needs an admin's confirmation."""
    _no_duplicates(cmd.lines)
    with uow.writing():
        partner = _partner(uow, PartnerKind.CUSTOMER, cmd.partner)
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        lines = _order_lines(uow, cmd.lines, lambda product: _sale_price(uow, partner, product))
        order = Order(
            kind=OrderKind.SALE, number="", partner_id=partner.id, partner_name=partner.name,
            status=initial_status(OrderKind.SALE), created_at=ctx.now, created_by=ctx.actor.name, lines=tuple(lines),
            warehouse_id=warehouse.id, discount=cmd.discount, note=cmd.note, tax_rate=uow.settings.get().tax_rate,
        )
        owed = uow.documents.balance(Ledger.RECEIVABLE, partner.id)
        if partner.credit_limit is not None and owed + order.total > partner.credit_limit and not cmd.confirmed:
            if not can(ctx.actor.role, Permission.APPROVE):
                raise CreditLimitExceeded(partner.name, partner.credit_limit, owed, order.total)
            risk = Risk(RiskKind.CREDIT_LIMIT, owed + order.total, partner.credit_limit)
            raise NeedsConfirmation([risk], replace(cmd, confirmed=True), None)
        order = uow.documents.add_order(replace(order, number=document_number(uow, ctx, "SO")))
        availability = _availability(uow, order, ctx)
        audit(uow, ctx, Action.CREATE_ORDER, partner.name, numbers=(order.number,))
        uow.commit()
    return OrderCreated(order, availability, owed)


def show_orders(uow: UnitOfWork, ctx: Context, cmd: c.ShowOrders) -> OrderView | OrderList:
    kind = OrderKind(cmd.kind)
    with uow:
        if cmd.number is not None:
            order = _order(uow, cmd.number)
            availability = _availability(uow, order, ctx) if order.kind is OrderKind.SALE else []
            ledger = Ledger.PAYABLE if order.kind is OrderKind.PURCHASE else Ledger.RECEIVABLE
            items = [item for item in uow.documents.open_items(ledger, order.partner_id) if item.order_number == order.number]
            return OrderView(order, availability, items)
        total = uow.documents.count_orders(kind)
        pages = _pages(total)
        page = _clamp_page(cmd.page, pages)
        return OrderList(kind, uow.documents.orders(kind, (page - 1) * PAGE_SIZE, PAGE_SIZE), page, pages, total)


def approve_order(uow: UnitOfWork, ctx: Context, cmd: c.ApproveOrder) -> OrderChanged:
    with uow.writing():
        order = approve(_order(uow, cmd.number, lock=True))
        uow.documents.save_order(order)
        audit(uow, ctx, Action.APPROVE_ORDER, order.partner_name, numbers=(order.number,))
        uow.commit()
    return OrderChanged(order, "审核")


def close_order(uow: UnitOfWork, ctx: Context, cmd: c.CloseOrder) -> OrderChanged:
    """关闭: nothing more will come (PO) or go (SO); a sales order's reservation is released."""
    with uow.writing():
        order = close(_order(uow, cmd.number, lock=True))
        uow.documents.save_order(order)
        audit(uow, ctx, Action.CLOSE_ORDER, order.partner_name, numbers=(order.number,))
        uow.commit()
    return OrderChanged(order, "关闭")


def _deliveries(
    uow: UnitOfWork, order: Order, given: tuple[c.LineInput, ...]
) -> list[tuple[OrderLine, Decimal, Decimal, c.LineInput | None]]:
    """(line, quantity, accepted, as written) for 到货/发货: the lines written, else everything still open."""
    if not given:
        found = [(line, line.remaining, line.remaining, None) for line in order.lines if line.remaining > 0]
        if not found:
            raise DocumentRefused(DocumentRefused.NOTHING_LEFT, number=order.number)
        return found
    _no_duplicates(given)
    found = []
    for entry in given:
        line = order.line_for(entry.code.upper()) or order.line_for(entry.code)
        if line is None:
            raise NotOnOrder(order.number, entry.code, [l.code for l in order.lines])
        product = uow.products.get(line.code)
        assert product is not None
        quantity, _ = to_base_quantity(product, entry.quantity, entry.unit)
        accepted = quantity
        if entry.accepted is not None:
            accepted, _ = to_base_quantity(product, entry.accepted, entry.unit)
            if accepted > quantity:
                raise DocumentRefused(DocumentRefused.ACCEPTED_OVER, code=line.code, arrived=quantity, accepted=accepted, unit=line.unit)
        found.append((line, quantity, accepted, entry))
    return found


def _over(order: Order, deliveries: list[tuple[OrderLine, Decimal, Decimal, c.LineInput | None]], confirmed: bool, cmd: object) -> None:
    """More than the order still expects: asked about, like a 10× quantity."""
    if confirmed:
        return
    risks = [
        Risk(RiskKind.OVER_DELIVERY, accepted, line.remaining)
        for line, _, accepted, _ in deliveries
        if accepted > line.remaining
    ]
    if risks:
        raise NeedsConfirmation(risks, replace(cmd, confirmed=True), None)  # type: ignore[type-var]


def receive_order(uow: UnitOfWork, ctx: Context, cmd: c.ReceiveOrder) -> OrderReceived:
    """到货: what passed QC enters stock at the order price plus its share of the fees (by
    value); the rejected units are recorded on the line; a payable for goods and fees."""
    with uow.writing():
        order = _order(uow, cmd.number, lock=True)
        if order.kind is not OrderKind.PURCHASE:
            raise DocumentRefused(DocumentRefused.NOT_A_RECEIPT, number=order.number, action="到货")
        require_deliverable(order)
        deliveries = _deliveries(uow, order, cmd.lines)
        _over(order, deliveries, cmd.confirmed, cmd)
        warehouse = _warehouse(uow, ctx, order)
        receivings = [Receiving(line, arrived, accepted, written=written) for line, arrived, accepted, written in deliveries]
        for receiving in receivings:
            receiving.value = delivery_amount(receiving.line, receiving.accepted, None)
        fees = sum((amount for _, amount in cmd.fees), ZERO)
        priced = [r for r in receivings if r.accepted > 0]
        if fees and not priced:
            raise DocumentRefused(DocumentRefused.FEES_WITHOUT_GOODS, number=order.number, fees=fees)
        for receiving, share in zip(priced, apportion(fees, [r.value for r in priced]), strict=True):
            receiving.landed = share
        number = movement_number(uow, ctx, MovementKind.RECEIPT) if priced else ""
        partner = _partner(uow, PartnerKind.SUPPLIER, order.partner_name)
        lines = {line.line_no: line for line in order.lines}
        for receiving in receivings:
            line = receiving.line
            if receiving.accepted > 0:
                product = uow.products.get(line.code)
                assert product is not None
                written = receiving.written
                booked = stock_in(
                    uow, ctx, MovementKind.RECEIPT, product, warehouse, receiving.accepted, number,
                    value=receiving.value + receiving.landed, unit_price=line.unit_price,
                    counterparty=partner.name, note=order.number,
                    batch=written.batch if written else None, expires_on=written.expires_on if written else None,
                    produced_on=written.produced_on if written else None,
                )
                receiving.batches = booked.batches
            lines[line.line_no] = replace(
                line, done=line.done + receiving.accepted, billed=line.billed + receiving.value,
                rejected=line.rejected + receiving.rejected,
                over_confirmed=line.over_confirmed or receiving.accepted > line.remaining,
            )
        order = after_delivery(order, tuple(lines.values()))
        uow.documents.save_order(order)
        posted = None
        if priced:
            amount = sum((r.value for r in priced), ZERO) + fees
            posted = post_item(uow, partner, number, amount, ctx.today, order_number=order.number)
        audit(uow, ctx, Action.RECEIVE_ORDER, partner.name, numbers=tuple(n for n in (order.number, number) if n))
        uow.commit()
    return OrderReceived(order, number, receivings, cmd.fees, posted)


def _warehouse(uow: UnitOfWork, ctx: Context, order: Order) -> Warehouse:
    found = next(w for w in uow.stock.warehouses() if w.id == order.warehouse_id)
    return warehouse_for(uow, ctx, found.name)  # the member must be allowed there


def ship_order(uow: UnitOfWork, ctx: Context, cmd: c.ShipOrder) -> OrderShipped:
    """发货: stock out at cost (the cost of goods sold per line), a receivable for the goods at
    the order's (discounted) prices, due after the customer's terms."""
    with uow.writing():
        order = _order(uow, cmd.number, lock=True)
        if order.kind is not OrderKind.SALE:
            raise DocumentRefused(DocumentRefused.NOT_A_RECEIPT, number=order.number, action="发货")
        require_deliverable(order)
        deliveries = _deliveries(uow, order, cmd.lines)
        _over(order, deliveries, cmd.confirmed, cmd)
        warehouse = _warehouse(uow, ctx, order)
        partner = _partner(uow, PartnerKind.CUSTOMER, order.partner_name)
        plans = []
        for line, quantity, _, _ in deliveries:
            product = uow.products.get(line.code)
            assert product is not None
            plans.append((line, quantity, prepare_out(uow, product, warehouse, quantity, action="发货")))
        number = movement_number(uow, ctx, MovementKind.ISSUE)
        net = order.discount or Decimal(1)
        note = order.number + (f" 快递 {cmd.tracking}" if cmd.tracking else "")
        lines = {line.line_no: line for line in order.lines}
        shipped = []
        for line, quantity, plan in plans:
            revenue = delivery_amount(line, quantity, order.discount)
            booked = plan.book(
                uow, ctx, MovementKind.ISSUE, number, unit_price=quantize_unit_cost(line.unit_price * net),
                counterparty=partner.name, note=note,
            )
            shipped.append(ShippedLine(line, quantity, revenue, booked.cost, tuple(booked.batches)))
            lines[line.line_no] = replace(
                line, done=line.done + quantity, billed=line.billed + revenue,
                over_confirmed=line.over_confirmed or quantity > line.remaining,  # asked and confirmed (_over)
            )
        order = after_delivery(order, tuple(lines.values()))
        uow.documents.save_order(order)
        posted = post_item(uow, partner, number, sum((s.revenue for s in shipped), ZERO), ctx.today, order_number=order.number)
        audit(uow, ctx, Action.SHIP_ORDER, partner.name, numbers=(order.number, number))
        uow.commit()
    return OrderShipped(order, number, shipped, posted, cmd.tracking)


# ---- returns ---------------------------------------------------------------------------------


def _either_partner(uow: UnitOfWork, name: str, kind: str | None, verb: str) -> Partner:
    """A supplier or customer by name, for 退货 and 对账单; ``kind`` decides when the name is both."""
    name = name.removeprefix("@").strip()
    if kind is not None:
        return _partner(uow, PartnerKind(kind), name)
    supplier = uow.partners.get(PartnerKind.SUPPLIER, name)
    customer = uow.partners.get(PartnerKind.CUSTOMER, name)
    if supplier is not None and customer is not None:
        raise AmbiguousPartner(name, verb)
    if supplier is None and customer is None:
        suggestions = [p.name for kind in PartnerKind for p in uow.partners.search(kind, name, 2)]
        raise UnknownPartner("供应商或客户", name, suggestions)
    return supplier or customer  # type: ignore[return-value]


def return_goods(uow: UnitOfWork, ctx: Context, cmd: c.ReturnGoods) -> GoodsReturned:
    """退货: to a supplier at the price it was bought at (the payable falls by as much), or
    from a customer at the cost it left with (the receivable falls by its sale price)."""
    with uow.writing():
        partner = _either_partner(uow, cmd.partner, cmd.kind, "退货")
        product = _active_product(uow, cmd.code)
        quantity, _ = to_base_quantity(product, cmd.quantity, cmd.unit)
        to_supplier = partner.kind is PartnerKind.SUPPLIER
        came, went = (
            (MovementKind.RECEIPT, MovementKind.PURCHASE_RETURN) if to_supplier else (MovementKind.ISSUE, MovementKind.SALES_RETURN)
        )
        returnable = uow.stock.quantity_with(product.id, partner.name, came.value) - uow.stock.quantity_with(
            product.id, partner.name, went.value
        )
        if quantity > returnable:
            raise NothingToReturn(partner.kind.value, partner.name, product.code, product.name, product.unit, quantity, max(returnable, ZERO))
        if cmd.number is not None:
            source = next(
                (
                    m for m in uow.stock.movements_by_number(cmd.number)
                    if m.product_id == product.id and m.kind is came and m.counterparty == partner.name and not m.reversed_by
                ),
                None,
            )
            if source is None:
                raise DocumentRefused(DocumentRefused.NOT_A_RECEIPT, number=cmd.number, action="退货", partner=partner.name, code=product.code)
        else:
            source = uow.stock.last_movement_with(product.id, partner.name, came.value)
            assert source is not None  # returnable > 0 means there was one
        warehouse = next(w for w in uow.stock.warehouses() if w.id == source.warehouse_id)
        warehouse = warehouse_for(uow, ctx, warehouse.name)
        number = movement_number(uow, ctx, went)
        note = cmd.note or f"退 {source.number}"
        # A batch-managed product goes back to (or comes back into) the batches the source moved.
        source_batches = [t for t in uow.batches.moves_of(source.id) if t.quantity] if product.batch_managed and source.id else []
        if to_supplier:
            price = source.unit_price if source.unit_price is not None else (source.unit_cost or ZERO)
            value = quantize_money(quantity * price)
            batch = source_batches[0].code if len(source_batches) == 1 else None
            plan = prepare_out(uow, product, warehouse, quantity, action="退货", value=value, batch=batch)
            booked = plan.book(uow, ctx, went, number, unit_price=price, counterparty=partner.name, note=note)
            stock_value, credit = booked.cost, value
        else:
            cost = abs(source.value) if quantity == abs(source.quantity) else quantize_money(quantity * abs(source.value) / abs(source.quantity))
            for batch, part, part_cost in _split_by_batches(source_batches, quantity, cost):
                stock_in(
                    uow, ctx, went, product, warehouse, part, number, value=part_cost, unit_price=source.unit_price,
                    counterparty=partner.name, note=note, batch=batch.code if batch else None,
                    expires_on=batch.expires_on if batch else None,
                )
            stock_value = cost
            credit = quantize_money(quantity * source.unit_price) if source.unit_price is not None else ZERO
        posted = post_item(uow, partner, number, -credit, ctx.today) if credit else None  # nothing was billed for it
        balance = uow.documents.balance(LEDGER_OF[partner.kind], partner.id)
        audit(uow, ctx, Action.RETURN_GOODS, product.code, numbers=(number,))
        uow.commit()
    return GoodsReturned(partner, product, quantity, number, source, stock_value, credit, posted, balance)


def _split_by_batches(
    batches: list[BatchTake], quantity: Decimal, cost: Decimal
) -> list[tuple[BatchTake | None, Decimal, Decimal]]:
    """A customer return of ``quantity`` worth ``cost`` spread over the batches its shipment took,
    in the order it took them; each part's cost by quantity, the last taking the remainder."""
    if not batches:
        return [(None, quantity, cost)]
    parts: list[tuple[BatchTake | None, Decimal, Decimal]] = []
    left = quantity
    for take in batches:
        part = min(abs(take.quantity), left)
        if part > 0:
            parts.append((take, part, quantize_money(cost * part / quantity)))
            left -= part
    if left > 0:  # more than that shipment took (returnable counts every shipment): the last batch
        last = parts[-1]
        parts[-1] = (last[0], last[1] + left, last[2])
    shares = sum((p[2] for p in parts[:-1]), ZERO)
    parts[-1] = (parts[-1][0], parts[-1][1], cost - shares)
    return parts


# ---- money -----------------------------------------------------------------------------------


def pay(uow: UnitOfWork, ctx: Context, cmd: c.RecordPayment) -> PaymentRecorded:
    """收款 from a customer / 付款 to a supplier, settling the named document first, then the
    oldest open items; an overpayment stays as the partner's credit."""
    kind = PartnerKind.CUSTOMER if cmd.kind == "收款" else PartnerKind.SUPPLIER
    with uow.writing():
        partner = _partner(uow, kind, cmd.partner)
        ledger = LEDGER_OF[kind]
        only = None
        if cmd.number is not None:
            named = [i for i in uow.documents.open_items(ledger, partner.id) if cmd.number in (i.number, i.order_number)]
            if not named:
                _named_document_exists(uow, cmd.number, partner)
            only = {item.id for item in named}
        payment, allocations = record_payment(uow, ctx, partner, cmd.amount, Account(cmd.account), note=cmd.note, only=only)
        numbers = {item.id: item.number for item in uow.documents.open_items(ledger, partner.id)}
        numbers.update(_settled_numbers(uow, ledger, partner.id, allocations, numbers))
        unused = cmd.amount - sum((a.amount for a in allocations), ZERO)
        balance = uow.documents.balance(ledger, partner.id)
        audit(uow, ctx, Action.PAYMENT, partner.name, numbers=(payment.number,))
        uow.commit()
    return PaymentRecorded(payment, [(numbers.get(a.item_id, "?"), a.amount) for a in allocations], unused, balance)


def _named_document_exists(uow: UnitOfWork, number: str, partner: Partner) -> None:
    """A 收款 naming a document with nothing open: unknown number, or already settled (fine)."""
    if uow.documents.order(number) is None and not uow.stock.movements_by_number(number):
        raise UnknownDocument(number)


def _settled_numbers(uow: UnitOfWork, ledger: Ledger, partner_id: int, allocations: list[Allocation], known: dict[int, str]) -> dict[int, str]:
    """Numbers of the items a payment settled in full (no longer among the open items)."""
    missing = {a.item_id for a in allocations} - set(known)
    if not missing:
        return {}
    items = uow.documents.items_between(ledger, partner_id, date.min, date.max)
    return {item.id: item.number for item in items if item.id in missing}


def show_open_items(uow: UnitOfWork, ctx: Context, cmd: c.ShowOpenItems) -> OpenItemsView:
    """应收 / 应付: open items with due dates and days overdue, in aging buckets, per partner."""
    ledger = Ledger(cmd.kind)
    kind = PartnerKind.CUSTOMER if ledger is Ledger.RECEIVABLE else PartnerKind.SUPPLIER
    today = ctx.today
    with uow:
        partner_id = _partner(uow, kind, cmd.partner).id if cmd.partner is not None else None
        items = uow.documents.open_items(ledger, partner_id)
        by_partner: dict[str, list[OpenItem]] = {}
        for item in items:
            by_partner.setdefault(item.partner_name, []).append(item)
        credit = sum((cr.remaining for cr in uow.documents.credits(ledger, partner_id)), ZERO)
    groups = [
        PartnerOpen(
            name,
            group,
            sum((i.open for i in group), ZERO),
            sum((i.open for i in group if i.days_overdue(today) > 0), ZERO),
            aging(group, today),
        )
        for name, group in by_partner.items()
    ]
    groups.sort(key=lambda g: (-g.overdue, -g.total, g.partner_name))
    pages = _pages(len(groups))
    page = _clamp_page(cmd.page, pages)
    shown = groups[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return OpenItemsView(ledger, today, shown, aging(items, today), sum((i.open for i in items), ZERO), credit, page, pages)


def show_statement(uow: UnitOfWork, ctx: Context, cmd: c.ShowStatement) -> Statement:
    """对账单: opening balance, documents and payments in order, closing balance."""
    today = ctx.today
    since = cmd.period.begin if cmd.period is not None else today.replace(day=1)
    until = cmd.period.end if cmd.period is not None else today + timedelta(days=1)
    with uow:
        partner = _either_partner(uow, cmd.partner, None, "对账单")
        ledger = LEDGER_OF[partner.kind]
        opening = uow.documents.balance(ledger, partner.id, before=since)
        # Same day: documents in the order they were booked, then the day's payments.
        keyed = [
            (
                (item.occurred_on, 0, item.id),
                StatementLine(
                    item.occurred_on, item.number, _item_label(item, partner.kind),
                    item.amount if item.amount > 0 else ZERO, -item.amount if item.amount < 0 else ZERO,
                ),
            )
            for item in uow.documents.items_between(ledger, partner.id, since, until)
        ]
        keyed += [
            (
                (p.occurred_on, 1, p.id),
                StatementLine(p.occurred_on, p.number, f"{'收款' if ledger is Ledger.RECEIVABLE else '付款'}（{p.account.value}）", ZERO, p.amount),
            )
            for p in uow.documents.payments_between(ledger, partner.id, since, until)
        ]
    lines = running_balance(opening, [line for _, line in sorted(keyed, key=lambda pair: pair[0])])
    closing = lines[-1].balance if lines else opening
    return Statement(partner, ledger, since, until - timedelta(days=1), opening, lines, closing)


def _item_label(item: OpenItem, kind: PartnerKind) -> str:
    if item.number.startswith("CX"):
        return "冲销"
    if item.amount < 0:
        return "退货"
    label = "进货" if kind is PartnerKind.SUPPLIER else "销售"
    return f"{label} {item.order_number}" if item.order_number else label


@dataclass(frozen=True, slots=True)
class TaxRateSet:
    rate: Decimal | None


def set_tax_rate(uow: UnitOfWork, ctx: Context, cmd: c.SetTaxRate) -> TaxRateSet:
    """设置 税率: documents made from now on keep this rate and show the tax inside their totals."""
    with uow.writing():
        current = uow.settings.get().tax_rate
        if current == cmd.rate:
            raise NothingToChange("税率")
        uow.settings.set_tax_rate(cmd.rate)
        audit(uow, ctx, Action.SETTINGS, "税率", changes=(FieldChange("tax_rate", current, cmd.rate),))
        uow.commit()
    return TaxRateSet(cmd.rate)


def record_cash(uow: UnitOfWork, ctx: Context, cmd: c.RecordCashEntry) -> CashRecorded:
    """其他收入 / 费用: a cash-book entry on an account."""
    with uow.writing():
        entry = uow.documents.add_cash_entry(
            CashEntry(
                number=document_number(uow, ctx, "SR" if cmd.income else "FY"), income=cmd.income, amount=cmd.amount,
                account=Account(cmd.account), note=cmd.note, occurred_at=ctx.now,
            )
        )
        audit(uow, ctx, Action.CASH_ENTRY, cmd.note, numbers=(entry.number,))
        uow.commit()
    return CashRecorded(entry)
