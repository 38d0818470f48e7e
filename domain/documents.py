"""Trade documents and what is owed: orders, open items, payments and their allocation.

进: 采购单 (PO) → 审核 → 到货 (receipt RK, QC, landed cost) → 应付 → 付款.
销: 销售单 (SO, reserves stock) → 发货 (shipment CK, COGS) → 应收 → 收款.

Money owed is kept as *open items* (one per receipt, shipment or return; a return is a
negative item, a credit) and *payments*; allocations tie credits (payments and negative
items) to positive items. An item's open amount and a credit's unused remainder are derived
from the allocations, and ``jxc check`` proves they add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from domain.errors import IllegalTransition
from domain.money import ZERO, quantize_money

ONE = Decimal(1)
FEN = Decimal("0.01")


class OrderKind(StrEnum):
    PURCHASE = "采购单"
    SALE = "销售单"

    @property
    def prefix(self) -> str:
        return "PO" if self is OrderKind.PURCHASE else "SO"

    @classmethod
    def of_number(cls, number: str) -> OrderKind | None:
        head = number.split("-", 1)[0]
        return {"PO": cls.PURCHASE, "SO": cls.SALE}.get(head)


class OrderStatus(StrEnum):
    DRAFT = "草稿"
    APPROVED = "已审核"
    OPEN = "待发货"
    PARTLY_RECEIVED = "部分到货"
    PARTLY_SHIPPED = "部分发货"
    DONE = "已完成"
    CLOSED = "已关闭"


# Orders whose remaining quantities still count: reserved stock (sales) and stock on order (purchases).
OPEN_STATUSES = {
    OrderKind.PURCHASE: (OrderStatus.APPROVED, OrderStatus.PARTLY_RECEIVED),
    OrderKind.SALE: (OrderStatus.OPEN, OrderStatus.PARTLY_SHIPPED),
}


class PriceSource(StrEnum):
    GIVEN = "所填单价"
    LAST = "该客户上次成交价"
    LIST = "商品售价"
    PURCHASE_LIST = "商品进价"


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One product on an order. ``done`` is received (PO) or shipped (SO); ``billed`` the
    amount already turned into open items, so the last delivery takes the exact remainder."""

    product_id: int
    code: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    price_source: PriceSource = PriceSource.GIVEN
    done: Decimal = ZERO
    billed: Decimal = ZERO
    rejected: Decimal = ZERO
    line_no: int = 0
    over_confirmed: bool = False  # someone confirmed delivering more than ordered

    def amount(self, discount: Decimal | None = None) -> Decimal:
        return quantize_money(self.quantity * self.unit_price * (discount or ONE))

    @property
    def remaining(self) -> Decimal:
        return max(self.quantity - self.done, ZERO)


@dataclass(frozen=True, slots=True)
class Order:
    kind: OrderKind
    number: str
    partner_id: int
    partner_name: str
    status: OrderStatus
    created_at: datetime
    created_by: str
    lines: tuple[OrderLine, ...]
    warehouse_id: int
    due_on: date | None = None  # 交期 (PO)
    discount: Decimal | None = None  # 折扣 (SO), e.g. 0.9 for 9折
    note: str = ""
    id: int = 0
    tax_rate: Decimal | None = None  # prices include it (价税合计); set when the order was made

    @property
    def total(self) -> Decimal:
        return sum((line.amount(self.discount) for line in self.lines), ZERO)

    @property
    def tax(self) -> Decimal | None:
        """The tax inside the total: total × rate ÷ (1 + rate), to the fen."""
        return tax_in(self.total, self.tax_rate)

    @property
    def quantity(self) -> Decimal:
        return sum((line.quantity for line in self.lines), ZERO)

    def line_for(self, code: str) -> OrderLine | None:
        return next((line for line in self.lines if line.code == code), None)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES[self.kind]


def tax_in(amount: Decimal, rate: Decimal | None) -> Decimal | None:
    """The tax included in a tax-inclusive amount (13%: 113.00 holds 13.00), half up to the fen."""
    if rate is None:
        return None
    return quantize_money(amount * rate / (ONE + rate))


def initial_status(kind: OrderKind) -> OrderStatus:
    """A purchase order waits for 审核; a sales order reserves stock at once."""
    return OrderStatus.DRAFT if kind is OrderKind.PURCHASE else OrderStatus.OPEN


def approve(order: Order) -> Order:
    if order.kind is not OrderKind.PURCHASE or order.status is not OrderStatus.DRAFT:
        raise IllegalTransition(order.number, order.status.value, "审核")
    return replace(order, status=OrderStatus.APPROVED)


def close(order: Order) -> Order:
    if order.status in (OrderStatus.DONE, OrderStatus.CLOSED):
        raise IllegalTransition(order.number, order.status.value, "关闭")
    return replace(order, status=OrderStatus.CLOSED)


def require_deliverable(order: Order) -> None:
    """到货 needs an approved purchase order, 发货 an open sales order."""
    action = "到货" if order.kind is OrderKind.PURCHASE else "发货"
    if not order.is_open:
        raise IllegalTransition(order.number, order.status.value, action)


def after_delivery(order: Order, lines: tuple[OrderLine, ...]) -> Order:
    """The order with its lines' new progress and the status that follows from them."""
    complete = all(line.done >= line.quantity for line in lines)
    if order.kind is OrderKind.PURCHASE:
        status = OrderStatus.DONE if complete else OrderStatus.PARTLY_RECEIVED
    else:
        status = OrderStatus.DONE if complete else OrderStatus.PARTLY_SHIPPED
    return replace(order, lines=lines, status=status)


def delivery_amount(line: OrderLine, quantity: Decimal, discount: Decimal | None) -> Decimal:
    """What ``quantity`` more of a line is worth: the cumulative amount delivered, to the fen,
    minus what was already billed, so partial deliveries add up to the line amount exactly."""
    return quantize_money((line.done + quantity) * line.unit_price * (discount or ONE)) - line.billed


# ---- landed cost ---------------------------------------------------------------------------


def apportion(fees: Decimal, values: list[Decimal]) -> list[Decimal]:
    """Share ``fees`` (运费, 关税, 其他费用) over received lines in proportion to their value.

    Each share is its exact part cut down to the fen; the fens that leaves go one each to the
    largest cut-off parts (on a tie, the later line), so the shares add up to the fees exactly and
    none is negative — rounding every share up and leaving the last the rest could (0.03 over
    five equal lines gave the last −0.01). With no value at all the fees are shared equally.
    """
    if not values:
        return []
    total = sum(values, ZERO)
    weights = values if total > 0 else [ONE] * len(values)
    weight_total = total if total > 0 else Decimal(len(values))
    exact = [fees * weight / weight_total for weight in weights]
    shares = [part.quantize(FEN, rounding=ROUND_FLOOR) for part in exact]
    left = int((fees - sum(shares, ZERO)) / FEN)
    by_remainder = sorted(range(len(exact)), key=lambda i: (exact[i] - shares[i], i), reverse=True)
    for index in by_remainder[:left]:
        shares[index] += FEN
    return shares


# ---- what is owed --------------------------------------------------------------------------


class Ledger(StrEnum):
    """Which book an item or payment is in: what customers owe us, or what we owe suppliers."""

    RECEIVABLE = "应收"
    PAYABLE = "应付"


class Account(StrEnum):
    CASH = "现金"
    BANK = "银行"
    WECHAT = "微信"
    ALIPAY = "支付宝"


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A document's effect on what is owed: + a receipt/shipment, − a return (a credit).

    ``open`` is the amount not yet settled (derived from allocations on read)."""

    ledger: Ledger
    partner_id: int
    partner_name: str
    number: str  # the stock document: RK-…, CK-…, CT-…, XT-…
    amount: Decimal
    occurred_on: date
    due_on: date
    order_number: str = ""
    open: Decimal = ZERO
    id: int = 0

    def days_overdue(self, today: date) -> int:
        return max((today - self.due_on).days, 0)


@dataclass(frozen=True, slots=True)
class Payment:
    """收款 (from a customer) or 付款 (to a supplier); ``unused`` is what no item took yet."""

    ledger: Ledger
    partner_id: int
    partner_name: str
    number: str  # SK-… / FK-…
    amount: Decimal
    account: Account
    occurred_at: datetime
    occurred_on: date  # the workspace's day, for statements and aging
    note: str = ""
    unused: Decimal = ZERO
    id: int = 0


@dataclass(frozen=True, slots=True)
class Credit:
    """Something that settles positive items: a payment, or a return's negative item."""

    source: str  # "payment" or "item"
    id: int
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    item_id: int
    source: str
    source_id: int
    amount: Decimal


def due_date(occurred_on: date, terms_days: int) -> date:
    """Due after the partner's payment terms (账期); 0 days = due at once."""
    return occurred_on + timedelta(days=terms_days)


def allocate(credits: list[Credit], items: list[OpenItem]) -> list[Allocation]:
    """Settle open items with credits, oldest credit against oldest item first (the caller
    orders both: items by due date, then date, then id; credits by date).

    Returns the allocations; whatever no item takes stays with its credit (an overpayment
    is the partner's credit, used by their next document)."""
    allocations: list[Allocation] = []
    remaining = {(credit.source, credit.id): credit.remaining for credit in credits}
    open_left = {item.id: item.open for item in items}
    for credit in credits:
        for item in items:
            left = remaining[(credit.source, credit.id)]
            if left <= 0:
                break
            take = min(left, open_left[item.id])
            if take <= 0:
                continue
            allocations.append(Allocation(item.id, credit.source, credit.id, take))
            remaining[(credit.source, credit.id)] = left - take
            open_left[item.id] -= take
    return allocations


AGING_BUCKETS = ("未到期", "1–30天", "31–60天", "61–90天", "90天以上")


def aging_bucket(item: OpenItem, today: date) -> str:
    days = (today - item.due_on).days
    if days <= 0:
        return AGING_BUCKETS[0]
    if days <= 30:
        return AGING_BUCKETS[1]
    if days <= 60:
        return AGING_BUCKETS[2]
    if days <= 90:
        return AGING_BUCKETS[3]
    return AGING_BUCKETS[4]


def aging(items: list[OpenItem], today: date) -> dict[str, Decimal]:
    """Open amounts per aging bucket (every bucket present, in order)."""
    buckets = dict.fromkeys(AGING_BUCKETS, ZERO)
    for item in items:
        buckets[aging_bucket(item, today)] += item.open
    return buckets


@dataclass(frozen=True, slots=True)
class StatementLine:
    occurred_on: date
    number: str
    what: str
    debit: Decimal  # increases what is owed (a shipment, a receipt of goods)
    credit: Decimal  # decreases it (a payment, a return)
    balance: Decimal = ZERO


def running_balance(opening: Decimal, lines: list[StatementLine]) -> list[StatementLine]:
    balance = opening
    out = []
    for line in lines:
        balance += line.debit - line.credit
        out.append(replace(line, balance=balance))
    return out


@dataclass(frozen=True, slots=True)
class CashEntry:
    """其他收入 / 费用: money in or out that is no partner's document."""

    number: str  # SR-… / FY-…
    income: bool
    amount: Decimal
    account: Account
    note: str
    occurred_at: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """Something ``jxc check`` found wrong in the documents."""

    subject: str
    problem: str


@dataclass(slots=True)
class Receiving:
    """One line of a 到货: what arrived, what passed QC, and its share of the landed cost."""

    line: OrderLine
    arrived: Decimal
    accepted: Decimal
    value: Decimal = ZERO  # accepted × order price
    landed: Decimal = ZERO  # share of the fees
    written: object = None  # the line as typed (its 批次/有效期), None when receiving everything
    batches: tuple[object, ...] = ()  # batch-managed: the batch it went into

    @property
    def rejected(self) -> Decimal:
        return self.arrived - self.accepted
