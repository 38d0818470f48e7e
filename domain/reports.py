"""Reports over the stock ledger: 进销存, sales, purchases, rankings, slow movers, turnover.

The database sums (``uow.reports``, one GROUP BY per figure); this module only joins the
sums with products, derives closing balances, margins and turnover, and phrases hints.

    期末数量 = 期初数量 + 入库数量 − 出库数量      (and the same for value, to the fen)
    毛利     = 销售额 − 已定价出库的成本;  毛利率 = 毛利 ÷ 销售额
    周转天数 = 平均库存 ÷ 日均出库 (quantities per product; cost values per category),
               平均库存 = (期初 + 期末) ÷ 2

资金 reads the documents: payments and the cash book per account, and what is owed with its
aging (needs the MONEY permission):

    账户余额 = Σ收款 + Σ其他收入 − Σ付款 − Σ费用   (everything up to the period's end)
    准时率   = 交期前（含当天）到货的次数 ÷ 有交期的采购单到货次数
    合格率   = 验收合格数量 ÷ 到货数量 (order lines: done ÷ (done + rejected))
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from domain import commands as c
from domain.access import Permission, can, roles_with
from domain.analysis import LEAD_DAYS, REVIEW_DAYS
from domain.documents import AGING_BUCKETS, Account, Ledger, OpenItem, aging
from domain.errors import NotPermitted
from domain.money import ZERO
from domain.periods import Period, last_days
from domain.ports import CashTotals, CategoryStock, FlowTotals, IdleStock, SalesTotals, SupplierDelivery, UnitOfWork
from domain.products import Product
from domain.services import Context, get_product

PAGE_SIZE = 15
RANK_SIZE = 10
HINT_LIMIT = 5
IDLE_DAYS = 90  # stock that has not moved this long is money lying still
GROWTH_WINDOW = 7  # 近7天 against the 7 days before
HINT_HORIZON_DAYS = 14  # warn when stock falls below safety within this many days
HINT_CANDIDATES = 50  # the fastest growers looked at for restock hints
MAX_EXPORT_ROWS = 20_000  # a 流水 export stops here (the caption says so)
PERCENT = Decimal("0.1")


# ---- time ---------------------------------------------------------------------------------


def instant(day: date, tz: ZoneInfo) -> datetime:
    """The moment a local day begins."""
    return datetime.combine(day, time(), tzinfo=tz)


def offset_segments(period: Period, tz: ZoneInfo) -> Iterator[tuple[datetime, datetime, int]]:
    """Split a period into stretches of constant UTC offset: (begin, end, offset minutes).

    Grouping by local day in SQL shifts instants by one offset; a zone with daylight saving
    changes it twice a year, so each stretch is queried with its own (Shanghai: one stretch).
    """
    start = period.begin
    day = period.begin
    offset = _offset(day, tz)
    while day < period.end:
        following = day + timedelta(days=1)
        next_offset = _offset(following, tz) if following < period.end else offset
        if following >= period.end or next_offset != offset:
            yield instant(start, tz), instant(following, tz), offset
            start, offset = following, next_offset
        day = following


def _offset(day: date, tz: ZoneInfo) -> int:
    # The offset at local noon: a day's midnight may fall inside a change.
    delta = datetime.combine(day, time(12), tzinfo=tz).utcoffset() or timedelta()
    return int(delta.total_seconds() // 60)


def days_of(period: Period) -> list[date]:
    return [period.begin + timedelta(days=i) for i in range(period.days)]


# ---- pure arithmetic ----------------------------------------------------------------------


def margin(revenue: Decimal, profit: Decimal) -> Decimal | None:
    """Gross margin as a percentage with one decimal (None without revenue)."""
    if revenue <= 0:
        return None
    return (profit * 100 / revenue).quantize(PERCENT, rounding=ROUND_HALF_UP)


def growth(current: Decimal, previous: Decimal) -> Decimal | None:
    """Change against the previous window in percent (None when nothing sold before)."""
    if previous <= 0:
        return None
    return ((current - previous) * 100 / previous).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def turnover_days(opening: Decimal, closing: Decimal, outflow: Decimal, days: int) -> Decimal | None:
    """Average stock ÷ daily outflow, one decimal; None when nothing went out."""
    if outflow <= 0:
        return None
    average = (opening + closing) / 2
    return (average * days / outflow).quantize(PERCENT, rounding=ROUND_HALF_UP)


# ---- 进销存 -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowLine:
    """One product's (or the total's) 进销存 row; closing = opening + in − out, exactly."""

    product: Product | None  # None for the totals row
    opening_quantity: Decimal
    opening_value: Decimal
    in_quantity: Decimal
    in_value: Decimal
    out_quantity: Decimal
    out_value: Decimal

    @property
    def closing_quantity(self) -> Decimal:
        return self.opening_quantity + self.in_quantity - self.out_quantity

    @property
    def closing_value(self) -> Decimal:
        return self.opening_value + self.in_value - self.out_value


def flow_lines(totals: list[FlowTotals], products: dict[int, Product]) -> tuple[list[FlowLine], FlowLine]:
    """Rows by product code and the totals row (quantities of different units are summed only
    for the count of units; the value total is what matters)."""
    lines = [
        FlowLine(
            products[t.product_id],
            t.opening_quantity,
            t.opening_value,
            t.in_quantity,
            t.in_value,
            t.out_quantity,
            t.out_value,
        )
        for t in totals
        if t.product_id in products
    ]
    lines.sort(key=lambda line: line.product.code if line.product else "")
    total = FlowLine(
        None,
        *(sum((getattr(line, name) for line in lines), ZERO) for name in _FLOW_FIELDS),
    )
    return lines, total


_FLOW_FIELDS = ("opening_quantity", "opening_value", "in_quantity", "in_value", "out_quantity", "out_value")


# ---- sales --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SalesLine:
    """Sales of one product, customer or day (``label``), or the total (label "合计")."""

    label: str
    quantity: Decimal
    revenue: Decimal
    cost: Decimal
    unpriced_quantity: Decimal = ZERO
    unpriced_cost: Decimal = ZERO
    product: Product | None = None
    day: date | None = None

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin(self) -> Decimal | None:
        return margin(self.revenue, self.profit)


def sales_line(totals: SalesTotals, label: str, product: Product | None = None, day: date | None = None) -> SalesLine:
    return SalesLine(
        label, totals.quantity, totals.revenue, totals.cost, totals.unpriced_quantity, totals.unpriced_cost, product, day
    )


def sum_sales(lines: list[SalesLine], label: str = "合计") -> SalesLine:
    return SalesLine(
        label,
        sum((line.quantity for line in lines), ZERO),
        sum((line.revenue for line in lines), ZERO),
        sum((line.cost for line in lines), ZERO),
        sum((line.unpriced_quantity for line in lines), ZERO),
        sum((line.unpriced_cost for line in lines), ZERO),
    )


# ---- purchases ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    supplier: str
    product: Product
    quantity: Decimal
    amount: Decimal

    @property
    def average_price(self) -> Decimal | None:
        if self.quantity <= 0:
            return None
        return (self.amount / self.quantity).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class SupplierTotal:
    supplier: str
    products: int
    amount: Decimal


def supplier_totals(lines: list[PurchaseLine]) -> list[SupplierTotal]:
    """Per supplier, the largest first; "" (no supplier named) last. (Takes purchase lines or
    the repository's purchase totals: both have a supplier and an amount per product.)"""
    groups: dict[str, list[PurchaseLine]] = {}
    for line in lines:
        groups.setdefault(line.supplier, []).append(line)
    totals = [SupplierTotal(name, len(group), sum((l.amount for l in group), ZERO)) for name, group in groups.items()]
    return sorted(totals, key=lambda t: (t.supplier == "", -t.amount, t.supplier))


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """A share in percent with one decimal; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class SupplierQuality:
    """A supplier's on-time and QC pass rates in a period.

    Worked example: 4 receipts against orders with a 交期, 3 on or before it → 75.0 %;
    arrived 200, accepted 190 → 95.0 %."""

    supplier: str
    timed: int
    on_time: int
    arrived: Decimal
    accepted: Decimal

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.timed)

    @property
    def pass_rate(self) -> Decimal | None:
        return rate(self.accepted, self.arrived)

    @property
    def rejected(self) -> Decimal:
        return self.arrived - self.accepted


def supplier_quality(deliveries: list[SupplierDelivery]) -> list[SupplierQuality]:
    return [SupplierQuality(d.supplier, d.timed, d.on_time, d.arrived, d.accepted) for d in deliveries]


def qualities(uow: UnitOfWork, period: Period) -> list[SupplierQuality]:
    """Inside an open unit of work: the period's supplier performance (workspace days)."""
    return supplier_quality(uow.reports.deliveries(period.begin, period.end))


# ---- money (资金) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountLine:
    """One account's money in the period and its balance at the period's end (or the total)."""

    account: str
    received: Decimal = ZERO  # 收款
    paid: Decimal = ZERO  # 付款
    income: Decimal = ZERO  # 其他收入
    expense: Decimal = ZERO  # 费用
    balance: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.received + self.income - self.paid - self.expense


def account_lines(totals: list[CashTotals]) -> tuple[list[AccountLine], AccountLine]:
    """Every account (the four known ones always, in their order; others after) and the total.

    Worked example: 现金 收款 1,000 and 其他收入 50 before and in the period, 付款 300, 费用
    120.50 → balance 1,000 + 50 − 300 − 120.50 = 629.50."""
    names = [a.value for a in Account]
    names += sorted({t.account for t in totals} - set(names))
    fields = {"收款": "received", "付款": "paid", "其他收入": "income", "费用": "expense"}
    sums = {name: dict.fromkeys(("received", "paid", "income", "expense", "balance"), ZERO) for name in names}
    for t in totals:
        row = sums[t.account]
        row[fields[t.source]] += t.amount
        row["balance"] += t.to_end if t.source in ("收款", "其他收入") else -t.to_end
    lines = [AccountLine(name, **sums[name]) for name in names]
    total = AccountLine("合计", *(sum((getattr(line, f) for line in lines), ZERO) for f in ("received", "paid", "income", "expense", "balance")))
    return lines, total


@dataclass(frozen=True, slots=True)
class Owed:
    """应收 or 应付 today: the open total, what is overdue, and the aging buckets."""

    ledger: str
    total: Decimal
    overdue: Decimal
    buckets: dict[str, Decimal]
    items: int


def owed(ledger: Ledger, items: list[OpenItem], today: date) -> Owed:
    buckets = aging(items, today)
    total = sum(buckets.values(), ZERO)
    return Owed(ledger.value, total, total - buckets[AGING_BUCKETS[0]], buckets, len(items))


@dataclass(frozen=True, slots=True)
class Funds:
    """`报表 本月 资金`: money per account and what is owed (as of ``today``: open amounts
    are what is still unsettled now)."""

    period: Period
    accounts: list[AccountLine]
    total: AccountLine
    counts: dict[str, int]  # documents in the period per source (收款, 付款, 其他收入, 费用)
    receivable: Owed
    payable: Owed
    today: date


def may_see_money(ctx: Context) -> bool:
    return can(ctx.actor.role, Permission.MONEY)


def require_money(ctx: Context) -> None:
    if not may_see_money(ctx):
        raise NotPermitted(ctx.actor.role, Permission.MONEY, roles_with(Permission.MONEY))


def owed_from(ledger: Ledger, sums: list[tuple[int, Decimal, int]]) -> Owed:
    """The database's sums per bucket (index, open amount, items) as an :class:`Owed`."""
    buckets = dict.fromkeys(AGING_BUCKETS, ZERO)
    for index, amount, _ in sums:
        buckets[AGING_BUCKETS[index]] += amount
    total = sum(buckets.values(), ZERO)
    return Owed(ledger.value, total, total - buckets[AGING_BUCKETS[0]], buckets, sum((n for _, _, n in sums), 0))


def owed_now(uow: UnitOfWork, ctx: Context) -> tuple[Owed, Owed]:
    """Inside an open unit of work: 应收 and 应付 with their aging, today (summed in SQL)."""
    return (
        owed_from(Ledger.RECEIVABLE, uow.reports.aging(Ledger.RECEIVABLE, ctx.today)),
        owed_from(Ledger.PAYABLE, uow.reports.aging(Ledger.PAYABLE, ctx.today)),
    )


def funds(uow: UnitOfWork, ctx: Context, period: Period) -> Funds:
    """Inside an open unit of work."""
    begin, end = _bounds(period, ctx.tz)
    totals = uow.reports.cash(begin, end)
    lines, total = account_lines(totals)
    counts = dict.fromkeys(("收款", "付款", "其他收入", "费用"), 0)
    for t in totals:
        counts[t.source] += t.count
    receivable, payable = owed_now(uow, ctx)
    return Funds(period, lines, total, counts, receivable, payable, ctx.today)


def aging_now(uow: UnitOfWork, ctx: Context) -> tuple[Owed, Owed]:
    """`图表 账龄`: 应收 and 应付 by aging bucket (needs MONEY)."""
    require_money(ctx)
    with uow:
        return owed_now(uow, ctx)


def owed_items(uow: UnitOfWork, ctx: Context, ledger: Ledger) -> list[OpenItem]:
    """`导出 应收` / `导出 应付`: every open item, by partner then due date (needs MONEY)."""
    require_money(ctx)
    with uow:
        return uow.reports.open_items(ledger)


# ---- hints --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hint:
    """A data-driven remark with its numbers. ``kind``: "restock" or "idle"."""

    kind: str
    product: Product
    growth: Decimal | None = None  # percent, 近7天 against the 7 days before
    days_left: int | None = None  # until stock falls below safety at the current pace
    quantity: Decimal = ZERO  # suggested order (restock) or stock lying still (idle)
    value: Decimal = ZERO  # the stock's value (idle)
    idle_days: int = 0


def restock_hint(
    product: Product, recent: Decimal, previous: Decimal, on_hand: Decimal, window: int = GROWTH_WINDOW
) -> Hint | None:
    """A product selling faster whose stock will fall below safety soon, with the order that
    restores it (safety + demand over lead time and review cycle, or up to max stock).

    Worked example: 70 sold in the last 7 days (10 a day), 52 before (+35 %), 60 on hand,
    safety 20: (60 − 20) ÷ 10 = 4 days left; order 20 + 10 × 21 − 60 = 170.
    """
    if recent <= 0:
        return None
    daily = recent / window
    safety = product.safety_stock or ZERO
    days_left = math.floor((on_hand - safety) / daily)
    if days_left > HINT_HORIZON_DAYS:
        return None
    target = product.max_stock if product.max_stock else safety + daily * (LEAD_DAYS + REVIEW_DAYS)
    needed = target - on_hand
    quantity = Decimal(math.ceil(needed)) if not product.is_measured else needed.quantize(Decimal("0.001"))
    if quantity <= 0:
        return None
    return Hint("restock", product, growth(recent, previous), max(days_left, 0), quantity)


def idle_hint(product: Product, stock: IdleStock, today: date, tz: ZoneInfo) -> Hint:
    days = (today - stock.last_at.astimezone(tz).date()).days if stock.last_at else IDLE_DAYS
    return Hint("idle", product, quantity=stock.quantity, value=stock.value, idle_days=days)


def hints(uow: UnitOfWork, ctx: Context) -> list[Hint]:
    """Restock warnings for the fastest growers, then the stock that lies still longest.
    Call inside an open unit of work."""
    warehouses = ctx.actor.warehouse_ids
    today_end = instant(ctx.today + timedelta(days=1), ctx.tz)
    recent_begin = today_end - timedelta(days=GROWTH_WINDOW)
    previous_begin = recent_begin - timedelta(days=GROWTH_WINDOW)
    recent = {t.key: t.quantity for t in uow.reports.sales(recent_begin, today_end, "product", warehouses)}
    previous = {t.key: t.quantity for t in uow.reports.sales(previous_begin, recent_begin, "product", warehouses)}
    found: list[Hint] = []
    # Highest growth first; a product that is new to selling ranks by its quantity.
    def pace(pid: int) -> Decimal:  # recent ÷ previous; new sellers first (no quantize: only an order)
        before = previous.get(pid, ZERO)
        return recent[pid] / before if before > 0 else Decimal(10**9) + recent[pid]

    ranked = sorted(recent, key=lambda pid: (-pace(pid), pid))
    for product_id in ranked[:HINT_CANDIDATES]:
        product = uow.products.with_id(product_id)  # type: ignore[arg-type]
        if not product.active:
            continue
        on_hand = uow.stock.total_balance(product.id, warehouses).quantity
        hint = restock_hint(product, recent[product_id], previous.get(product_id, ZERO), on_hand)
        if hint is not None:
            found.append(hint)
        if len(found) >= HINT_LIMIT:
            break
    idle = uow.reports.idle(instant(ctx.today - timedelta(days=IDLE_DAYS - 1), ctx.tz), warehouses)
    idle.sort(key=lambda s: (-s.value, s.product_id))
    for stock in idle[:HINT_LIMIT]:
        found.append(idle_hint(uow.products.with_id(stock.product_id), stock, ctx.today, ctx.tz))
    return found


# ---- the report command ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportOverview:
    """`报表 本月`: the totals of each section, the top lines and the hints."""

    period: Period
    flow_total: FlowLine
    flow_products: int
    sales_total: SalesLine
    top_products: list[SalesLine]
    top_customers: list[SalesLine]
    purchase_total: Decimal
    suppliers: list[SupplierTotal]
    hints: list[Hint]
    funds: Funds | None = None  # only for those who may see money


@dataclass(frozen=True, slots=True)
class ReportPage:
    """One section of `报表 本月 <section>`, a page of its lines."""

    period: Period
    section: str
    lines: list[object]
    total: object
    page: int
    pages: int
    count: int
    funds: Funds | None = None  # 资金
    qualities: list[SupplierQuality] = field(default_factory=list)  # 采购: on-time and QC rates


@dataclass(frozen=True, slots=True)
class Books:
    """Every figure of a period's report, unpaged (the Excel export writes them all)."""

    period: Period
    flows: list[FlowLine]
    flow_total: FlowLine
    by_product: list[SalesLine]
    by_customer: list[SalesLine]
    by_day: list[SalesLine]
    sales_total: SalesLine
    purchases: list[PurchaseLine]
    qualities: list[SupplierQuality] = field(default_factory=list)


def _bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return instant(period.begin, tz), instant(period.end, tz)


BULK_PRODUCTS = 50  # from this many products on, read all active ones in one query


class Catalogue:
    """The products a request's report lines name, read once per request: all of them in one
    query when many are needed, else one by one."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._known: dict[int, Product] = {}
        self._all_read = False

    def of(self, ids: set[int]) -> dict[int, Product]:
        missing = ids - self._known.keys()
        if len(missing) >= BULK_PRODUCTS and not self._all_read:
            self._known.update((p.id, p) for p in self._uow.reports.products())  # type: ignore[misc]
            self._all_read = True
            missing = ids - self._known.keys()
        for pid in sorted(missing):  # just a few: one by one
            self._known[pid] = self._uow.products.with_id(pid)
        return {pid: self._known[pid] for pid in ids}


def _products(uow: UnitOfWork, ids: set[int], catalogue: Catalogue | None = None) -> dict[int, Product]:
    return (catalogue or Catalogue(uow)).of(ids)


def flows(uow: UnitOfWork, ctx: Context, period: Period, catalogue: Catalogue | None = None) -> tuple[list[FlowLine], FlowLine]:
    begin, end = _bounds(period, ctx.tz)
    totals = uow.reports.flows(begin, end, ctx.actor.warehouse_ids)
    return flow_lines(totals, _products(uow, {t.product_id for t in totals}, catalogue))


def sales_by(
    uow: UnitOfWork,
    ctx: Context,
    period: Period,
    by: str,
    *,
    order: str | None = None,
    limit: int | None = None,
    catalogue: Catalogue | None = None,
) -> list[SalesLine]:
    """Sales lines by "product", "customer" or "day" (a day line for every day of the period)."""
    warehouses = ctx.actor.warehouse_ids
    if by == "day":
        found: dict[date, SalesTotals] = {}
        for begin, end, offset in offset_segments(period, ctx.tz):
            for totals in uow.reports.sales(begin, end, "day", warehouses, utc_offset_minutes=offset):
                found[totals.key] = totals  # type: ignore[index]
        empty = SalesTotals(None, ZERO, ZERO, ZERO, ZERO, ZERO)
        return [sales_line(found.get(day, empty), f"{day:%m-%d}", day=day) for day in days_of(period)]
    begin, end = _bounds(period, ctx.tz)
    totals = uow.reports.sales(begin, end, by, warehouses, order=order, limit=limit)
    if by == "customer":
        return [sales_line(t, str(t.key) or "（未填客户）") for t in totals]
    products = _products(uow, {int(t.key) for t in totals}, catalogue)  # type: ignore[call-overload]
    return [sales_line(t, products[t.key].code, products[t.key]) for t in totals]  # type: ignore[index]


def purchases(uow: UnitOfWork, ctx: Context, period: Period, catalogue: Catalogue | None = None) -> list[PurchaseLine]:
    begin, end = _bounds(period, ctx.tz)
    totals = uow.reports.purchases(begin, end, ctx.actor.warehouse_ids)
    products = _products(uow, {t.product_id for t in totals}, catalogue)
    return [PurchaseLine(t.supplier, products[t.product_id], t.quantity, t.amount) for t in totals]


SECTIONS = ("进销存", "销售", "客户", "每日", "采购")


def books(uow: UnitOfWork, ctx: Context, period: Period, sections: tuple[str, ...] = SECTIONS) -> Books:
    """The period's report sections (those not asked for stay empty)."""
    with uow:
        catalogue = Catalogue(uow)
        lines, total = flows(uow, ctx, period, catalogue) if "进销存" in sections else ([], FlowLine(None, *[ZERO] * 6))
        by_product = sales_by(uow, ctx, period, "product", order="revenue", catalogue=catalogue) if "销售" in sections else []
        by_customer = sales_by(uow, ctx, period, "customer", order="revenue") if "客户" in sections else []
        by_day = sales_by(uow, ctx, period, "day") if "每日" in sections else []
        bought = purchases(uow, ctx, period, catalogue) if "采购" in sections else []
        quality = qualities(uow, period) if "采购" in sections else []
    return Books(period, lines, total, by_product, by_customer, by_day, sum_sales(by_product), bought, quality)


def _page(lines: list, page: int, size: int = PAGE_SIZE) -> tuple[list, int, int]:  # type: ignore[type-arg]
    pages = max(1, math.ceil(len(lines) / size))
    page = min(max(page, 1), pages)
    return lines[(page - 1) * size : page * size], page, pages


def show_report(uow: UnitOfWork, ctx: Context, cmd: c.ShowReport) -> ReportOverview | ReportPage:
    period = cmd.period
    with uow:
        catalogue = Catalogue(uow)
        if cmd.section == "":
            # The overview shows totals and the top lines: the database ranks, and only the
            # top products are looked up (every customer line together is the sales total).
            begin, end = _bounds(period, ctx.tz)
            moved = uow.reports.flows(begin, end, ctx.actor.warehouse_ids)  # totals only: no products needed
            total = FlowLine(None, *(sum((getattr(t, name) for t in moved), ZERO) for name in _FLOW_FIELDS))
            top = sales_by(uow, ctx, period, "product", order="revenue", limit=5, catalogue=catalogue)
            by_customer = sales_by(uow, ctx, period, "customer", order="revenue")
            bought = uow.reports.purchases(begin, end, ctx.actor.warehouse_ids)
            found = hints(uow, ctx)
            money = funds(uow, ctx, period) if may_see_money(ctx) else None
            return ReportOverview(
                period,
                total,
                len(moved),
                sum_sales(by_customer),
                top,
                by_customer[:5],
                sum((line.amount for line in bought), ZERO),
                supplier_totals(bought)[:5],  # type: ignore[arg-type]
                found,
                money,
            )
        section_lines: list
        if cmd.section == "资金":
            require_money(ctx)
            money = funds(uow, ctx, period)
            return ReportPage(period, "资金", money.accounts, money.total, 1, 1, len(money.accounts), funds=money)
        quality: list[SupplierQuality] = []
        if cmd.section == "进销存":
            section_lines, section_total = flows(uow, ctx, period, catalogue)
        elif cmd.section == "采购":
            section_lines = purchases(uow, ctx, period, catalogue)
            section_total = sum((line.amount for line in section_lines), ZERO)
            quality = qualities(uow, period)
        else:
            by = {"销售": "product", "客户": "customer", "每日": "day"}[cmd.section]
            section_lines = sales_by(uow, ctx, period, by, order="revenue" if by != "day" else None, catalogue=catalogue)
            if by == "day":  # the text lists the days that sold; the chart and export keep them all
                section_lines = [line for line in section_lines if line.quantity or line.revenue or line.cost]
            section_total = sum_sales(section_lines)
    shown, page, pages = _page(section_lines, cmd.page)
    return ReportPage(period, cmd.section, shown, section_total, page, pages, len(section_lines), qualities=quality)


# ---- ranking, slow movers, turnover -----------------------------------------------------------

_RANK_ORDER = {"金额": "revenue", "数量": "quantity", "毛利": "profit"}


@dataclass(frozen=True, slots=True)
class Ranking:
    period: Period
    metric: str
    lines: list[SalesLine]
    total: SalesLine  # all products' sales in the period, for the shares


def rank_sales(uow: UnitOfWork, ctx: Context, cmd: c.RankSales) -> Ranking:
    with uow:
        lines = sales_by(uow, ctx, cmd.period, "product", order=_RANK_ORDER[cmd.metric], limit=RANK_SIZE)
        begin, end = _bounds(cmd.period, ctx.tz)
        everything = uow.reports.sales(begin, end, "customer", ctx.actor.warehouse_ids)
    return Ranking(cmd.period, cmd.metric, lines, sum_sales([sales_line(t, "") for t in everything]))


@dataclass(frozen=True, slots=True)
class UnsoldLine:
    product: Product
    quantity: Decimal
    value: Decimal
    last_sold: date | None


@dataclass(frozen=True, slots=True)
class UnsoldReport:
    days: int
    lines: list[UnsoldLine]
    value: Decimal
    count: int
    page: int
    pages: int


def unsold_lines(uow: UnitOfWork, ctx: Context, days: int) -> list[UnsoldLine]:
    """Inside an open unit of work: the largest value lying still first."""
    since = instant(ctx.today - timedelta(days=days - 1), ctx.tz)
    stocks = uow.reports.unsold(since, ctx.actor.warehouse_ids)
    products = _products(uow, {s.product_id for s in stocks})
    lines = [
        UnsoldLine(products[s.product_id], s.quantity, s.value, s.last_at.astimezone(ctx.tz).date() if s.last_at else None)
        for s in stocks
        if products[s.product_id].active
    ]
    lines.sort(key=lambda line: (-line.value, line.product.code))
    return lines


def show_unsold(uow: UnitOfWork, ctx: Context, cmd: c.ShowUnsold) -> UnsoldReport:
    with uow:
        lines = unsold_lines(uow, ctx, cmd.days)
    shown, page, pages = _page(lines, cmd.page)
    return UnsoldReport(cmd.days, shown, sum((line.value for line in lines), ZERO), len(lines), page, pages)


@dataclass(frozen=True, slots=True)
class TurnoverLine:
    """Turnover of a product (quantities) or a category (values at cost)."""

    label: str
    opening: Decimal
    closing: Decimal
    outflow: Decimal  # sold in the period
    days: int
    product: Product | None = None

    @property
    def turnover_days(self) -> Decimal | None:
        return turnover_days(self.opening, self.closing, self.outflow, self.days)

    @property
    def turns(self) -> Decimal | None:
        """Times the average stock sold over in the period."""
        average = (self.opening + self.closing) / 2
        if average <= 0:
            return None
        return (self.outflow / average).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class TurnoverReport:
    period: Period
    lines: list[TurnoverLine]
    categories: list[TurnoverLine]
    total: TurnoverLine
    count: int
    page: int
    pages: int


def turnover_lines(uow: UnitOfWork, ctx: Context, period: Period) -> tuple[list[TurnoverLine], list[TurnoverLine], TurnoverLine]:
    """Products slowest first (never sold, then the most days); categories by value."""
    catalogue = Catalogue(uow)
    lines, _ = flows(uow, ctx, period, catalogue)
    sold = {line.product.id: line for line in sales_by(uow, ctx, period, "product", catalogue=catalogue) if line.product}
    products: list[TurnoverLine] = []
    categories: dict[str, list[Decimal]] = {}
    for line in lines:
        assert line.product is not None
        sale = sold.get(line.product.id)
        quantity = sale.quantity if sale else ZERO
        cost = (sale.cost + sale.unpriced_cost) if sale else ZERO
        if line.opening_quantity <= 0 and line.closing_quantity <= 0 and quantity <= 0:
            continue
        products.append(
            TurnoverLine(line.product.code, line.opening_quantity, line.closing_quantity, quantity, period.days, line.product)
        )
        bucket = categories.setdefault(line.product.category or "", [ZERO, ZERO, ZERO])
        bucket[0] += line.opening_value
        bucket[1] += line.closing_value
        bucket[2] += cost
    products.sort(key=lambda t: (t.turnover_days is not None, -(t.turnover_days or ZERO), t.label))
    by_category = [
        TurnoverLine(name or "未分类", *values, period.days) for name, values in sorted(categories.items())
    ]
    total = TurnoverLine("合计", *(sum((getattr(t, f) for t in by_category), ZERO) for f in ("opening", "closing", "outflow")), period.days)
    return products, by_category, total


def show_turnover(uow: UnitOfWork, ctx: Context, cmd: c.ShowTurnover) -> TurnoverReport:
    with uow:
        products, categories, total = turnover_lines(uow, ctx, cmd.period)
    shown, page, pages = _page(products, cmd.page)
    return TurnoverReport(cmd.period, shown, categories, total, len(products), page, pages)


# ---- chart data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockLevel:
    """A product's stock at the end of each day of a period, with its safety stock."""

    product: Product
    period: Period
    days: list[date]
    levels: list[Decimal]
    safety: Decimal | None


def stock_levels(uow: UnitOfWork, ctx: Context, code: str, period: Period) -> StockLevel:
    warehouses = ctx.actor.warehouse_ids
    with uow:
        product = get_product(uow, code)
        now = uow.stock.total_balance(product.id, warehouses).quantity
        end = instant(period.end, ctx.tz)
        changes: dict[date, Decimal] = {}
        for begin, stop, offset in offset_segments(period, ctx.tz):
            for day, change in uow.reports.daily_changes(product.id, begin, stop, warehouses, utc_offset_minutes=offset):
                changes[day] = change
        # Everything booked after the period (back-dated or not) is taken off today's balance.
        later = uow.reports.daily_changes(product.id, end, end + timedelta(days=36500), warehouses)
    after = sum((change for _, change in later), ZERO)
    level = now - after
    days = days_of(period)
    levels: list[Decimal] = []
    for day in reversed(days):
        levels.append(level)
        level -= changes.get(day, ZERO)
    levels.reverse()
    return StockLevel(product, period, days, levels, product.safety_stock)


@dataclass(frozen=True, slots=True)
class CategoryValues:
    lines: list[CategoryStock]

    @property
    def value(self) -> Decimal:
        return sum((line.value for line in self.lines), ZERO)


def stock_by_category(uow: UnitOfWork, ctx: Context) -> CategoryValues:
    with uow:
        lines = uow.reports.stock_by_category(ctx.actor.warehouse_ids)
    return CategoryValues(sorted(lines, key=lambda l: (-l.value, l.category)))


def sales_trend(uow: UnitOfWork, ctx: Context, period: Period) -> list[SalesLine]:
    with uow:
        return sales_by(uow, ctx, period, "day")


def default_chart_period(ctx: Context) -> Period:
    return last_days(ctx.today, 30)


@dataclass(frozen=True, slots=True)
class LedgerRows:
    """Movements of a period for the 流水 export, with their products; ``truncated`` when
    there were more than :data:`MAX_EXPORT_ROWS`."""

    rows: list[tuple[object, Product]] = field(default_factory=list)
    truncated: bool = False


def ledger_rows(uow: UnitOfWork, ctx: Context, period: Period, code: str | None) -> LedgerRows:
    begin, end = _bounds(period, ctx.tz)
    with uow:
        product_id = None
        if code is not None:
            product_id = get_product(uow, code).id
        movements = uow.reports.ledger(begin, end, product_id, MAX_EXPORT_ROWS + 1, ctx.actor.warehouse_ids)
        products = _products(uow, {m.product_id for m in movements})
    truncated = len(movements) > MAX_EXPORT_ROWS
    return LedgerRows([(m, products[m.product_id]) for m in movements[:MAX_EXPORT_ROWS]], truncated)
