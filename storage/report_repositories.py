"""Report aggregations: every figure is one GROUP BY in the database, never rows summed here.

Amounts are summed as the scaled integers the columns store (quantity in thousandths, value in
fen, price in ten-thousandths), so the sums are exact on SQLite as on PostgreSQL, and are
turned into Decimals once, at the end. A sale line's revenue is quantity × price rounded half
up to the fen per line, computed in integers split so no product leaves 64 bits:

    fen = q·(p div 10⁵) + (q·(p mod 10⁵) + 5·10⁴) div 10⁵        (q thousandths, p 10⁻⁴ yuan)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, and_, case, cast, func, literal_column, or_, select, type_coerce
from sqlmodel import Session

from domain.money import from_scaled
from domain.documents import Ledger, OpenItem, OrderKind
from domain.ports import CashTotals, CategoryStock, FlowTotals, IdleStock, PurchaseTotals, SalesTotals, SupplierDelivery
from domain.products import Product
from domain.stock import Movement, MovementKind
from storage.repositories import _movement_to_domain, _product_to_domain
from storage.document_tables import AllocationRow, CashEntryRow, OpenItemRow, OrderLineRow, PaymentRow, TradeOrderRow
from storage.tables import PartnerRow, ProductRow, StockBalanceRow, StockMovementRow

_m = StockMovementRow.__table__.alias("m")
_o = StockMovementRow.__table__.alias("o")  # the movement a reversal cancels
_b = StockBalanceRow.__table__
_p = ProductRow.__table__

K = MovementKind
IN_KINDS = (K.OPENING.value, K.RECEIPT.value, K.TRANSFER_IN.value, K.STOCKTAKE_GAIN.value, K.SALES_RETURN.value)
SALE_KINDS = (K.ISSUE.value, K.SALES_RETURN.value)  # a customer's return takes off revenue and COGS
PURCHASE_KINDS = (K.RECEIPT.value, K.PURCHASE_RETURN.value)  # a return to the supplier takes off purchases
TRANSFERS = (K.TRANSFER_IN.value, K.TRANSFER_OUT.value)


def _raw(column):  # type: ignore[no-untyped-def]
    """The stored integer behind a scaled Decimal column."""
    return type_coerce(column, BigInteger)


def _product_key():  # type: ignore[no-untyped-def]
    """``product_id + 0``: grouping by the bare column lets SQLite walk a product index over the
    whole ledger to avoid a sort; the expression makes it read only the period by time (5× faster
    on 1 000 000 movements). PostgreSQL plans it the same either way."""
    return (_m.c.product_id + 0).label("product_id")


def _sum(expression):  # type: ignore[no-untyped-def]
    return func.coalesce(func.sum(expression), 0)


def _qty(raw: object) -> Decimal:
    return from_scaled(int(raw or 0), 3)


def _fen(raw: object) -> Decimal:
    return from_scaled(int(raw or 0), 2)


def _line_revenue(quantity, price):  # type: ignore[no-untyped-def]
    """Revenue of one line in fen, half up, in 64-bit integers (see the module docstring)."""
    q = func.abs(_raw(quantity))
    p = _raw(price)
    # ``//``: SQLAlchemy's ``/`` is true division (it would cast to a float or numeric).
    return q * (p // 100000) + (q * (p % 100000) + 50000) // 100000


def _time(column):  # type: ignore[no-untyped-def]
    return type_coerce(column, DateTime)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_instant(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=timezone.utc)


class SqlReportRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._dialect = session.get_bind().dialect.name

    # -- helpers ---------------------------------------------------------------------------

    def _local_day(self, column, offset_minutes: int):  # type: ignore[no-untyped-def]
        """The local calendar date of a stored UTC instant, for a zone offset in minutes."""
        if self._dialect == "sqlite":
            return func.date(_time(column), f"{offset_minutes:+d} minutes")
        return cast(_time(column) + literal_column(f"interval '{int(offset_minutes)} minutes'"), Date)

    def _moves(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None):  # type: ignore[no-untyped-def]
        where = [_m.c.workspace_id == self._workspace_id, _m.c.occurred_at >= begin, _m.c.occurred_at < end]
        if warehouse_ids is not None:
            where.append(_m.c.warehouse_id.in_(sorted(warehouse_ids)))
        return where

    def _balances(self, warehouse_ids: frozenset[int] | None):  # type: ignore[no-untyped-def]
        query = select(
            _b.c.product_id, _sum(_raw(_b.c.quantity)).label("q"), _sum(_raw(_b.c.value)).label("v")
        ).where(_b.c.workspace_id == self._workspace_id)
        if warehouse_ids is not None:
            query = query.where(_b.c.warehouse_id.in_(sorted(warehouse_ids)))
        return query.group_by(_b.c.product_id)

    # -- 进销存 ------------------------------------------------------------------------------

    def flows(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None = None) -> list[FlowTotals]:
        # Opening and closing come from today's balance minus what was booked since, so only
        # the movements from ``begin`` on are read (back-dated ones included: by occurred_at).
        q, v = _raw(_m.c.quantity), _raw(_m.c.value)
        inside = _m.c.occurred_at < end
        incoming = or_(_m.c.kind.in_(IN_KINDS), and_(_m.c.kind == K.REVERSAL.value, q < 0))
        since = [_m.c.workspace_id == self._workspace_id, _m.c.occurred_at >= begin]
        if warehouse_ids is None:
            # Across all warehouses a transfer moves nothing; its legs would only inflate in and out.
            since.append(_m.c.kind.not_in(TRANSFERS))
        else:
            since.append(_m.c.warehouse_id.in_(sorted(warehouse_ids)))
        product = _product_key()
        moved = (
            select(
                product,
                _sum(q).label("after_q"),
                _sum(v).label("after_v"),
                _sum(case((inside, 0), else_=q)).label("later_q"),
                _sum(case((inside, 0), else_=v)).label("later_v"),
                _sum(case((and_(inside, incoming), q), else_=0)).label("in_q"),
                _sum(case((and_(inside, incoming), v), else_=0)).label("in_v"),
                _sum(case((and_(inside, ~incoming), -q), else_=0)).label("out_q"),
                _sum(case((and_(inside, ~incoming), -v), else_=0)).label("out_v"),
            )
            .where(*since)
            .group_by(product)
        )
        rows: dict[int, list[int]] = {}
        for product_id, quantity, value in self._session.execute(self._balances(warehouse_ids)):
            rows[product_id] = [int(quantity), int(value), 0, 0, 0, 0, 0, 0, 0, 0]
        for product_id, *sums in self._session.execute(moved):
            row = rows.setdefault(product_id, [0] * 10)
            row[2:] = [int(x) for x in sums]
        result = []
        for product_id in sorted(rows):
            bq, bv, aq, av, lq, lv, iq, iv, oq, ov = rows[product_id]
            opening_q, opening_v = bq - aq, bv - av
            if not any((opening_q, opening_v, iq, iv, oq, ov, bq - lq, bv - lv)):
                continue
            result.append(
                FlowTotals(product_id, _qty(opening_q), _fen(opening_v), _qty(iq), _fen(iv), _qty(oq), _fen(ov))
            )
        return result

    # -- sales and purchases ---------------------------------------------------------------

    def _of_kind(self, kinds: tuple[str, ...], begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None):  # type: ignore[no-untyped-def]
        """Movements of these kinds in the period, and the reversals of such movements (红冲)."""
        join = and_(_o.c.workspace_id == _m.c.workspace_id, _o.c.id == _m.c.reverses_id)
        where = self._moves(begin, end, warehouse_ids)
        where.append(or_(_m.c.kind.in_(kinds), and_(_m.c.kind == K.REVERSAL.value, _o.c.kind.in_(kinds))))
        return _m.outerjoin(_o, join), where

    def sales(
        self,
        begin: datetime,
        end: datetime,
        by: str,
        warehouse_ids: frozenset[int] | None = None,
        *,
        utc_offset_minutes: int = 0,
        order: str | None = None,
        limit: int | None = None,
    ) -> list[SalesTotals]:
        source, where = self._of_kind(SALE_KINDS, begin, end, warehouse_ids)
        if by == "product":
            key = _m.c.product_id + 0  # see _product_key
        elif by == "customer":
            key = _m.c.counterparty
        else:
            key = self._local_day(_m.c.occurred_at, utc_offset_minutes)
        q, v = _raw(_m.c.quantity), _raw(_m.c.value)
        priced = _m.c.unit_price.is_not(None)
        # Goods out (a sale, a return's reversal) add revenue; goods back (a return, a sale's reversal) take it off.
        sign = case((q < 0, 1), else_=-1)
        revenue = _sum(case((priced, sign * _line_revenue(_m.c.quantity, _m.c.unit_price)), else_=0)).label("revenue")
        cost = _sum(case((priced, -v), else_=0)).label("cost")
        quantity = _sum(-q).label("quantity")
        query = (
            select(
                key.label("key"),
                quantity,
                revenue,
                cost,
                _sum(case((priced, 0), else_=-q)).label("unpriced_q"),
                _sum(case((priced, 0), else_=-v)).label("unpriced_v"),
            )
            .select_from(source)
            .where(*where)
            .group_by(key)
        )
        if order is not None:
            measure = {"revenue": revenue, "quantity": quantity, "profit": revenue - cost}[order]
            query = query.order_by(measure.desc(), key)
        else:
            query = query.order_by(key)
        if limit is not None:
            query = query.limit(limit)
        result = []
        for row_key, quantity_raw, revenue_raw, cost_raw, uq, uv in self._session.execute(query):
            if by == "day":
                row_key = _as_date(row_key)
            result.append(
                SalesTotals(row_key, _qty(quantity_raw), _fen(revenue_raw), _fen(cost_raw), _qty(uq), _fen(uv))
            )
        return result

    def purchases(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None = None) -> list[PurchaseTotals]:
        source, where = self._of_kind(PURCHASE_KINDS, begin, end, warehouse_ids)
        product = _product_key()
        query = (
            select(_m.c.counterparty, product, _sum(_raw(_m.c.quantity)), _sum(_raw(_m.c.value)))
            .select_from(source)
            .where(*where)
            .group_by(_m.c.counterparty, product)
            .order_by(_m.c.counterparty, product)
        )
        return [
            PurchaseTotals(supplier, product_id, _qty(quantity), _fen(value))
            for supplier, product_id, quantity, value in self._session.execute(query)
        ]

    def products(self) -> list[Product]:
        """Every product (active or not), in one query of plain rows (not ORM objects)."""
        return [_product_to_domain(row) for row in self._session.execute(select(_p).where(_p.c.workspace_id == self._workspace_id))]  # type: ignore[arg-type]

    # -- stock lying still -----------------------------------------------------------------

    def _still(self, since: datetime, warehouse_ids: frozenset[int] | None, kind: str | None) -> list[IdleStock]:
        balances = self._balances(warehouse_ids).subquery("bal")
        last = select(func.max(_m.c.occurred_at)).where(
            _m.c.workspace_id == self._workspace_id, _m.c.product_id == balances.c.product_id
        )
        if kind is not None:
            last = last.where(_m.c.kind == kind)
        if warehouse_ids is not None:
            last = last.where(_m.c.warehouse_id.in_(sorted(warehouse_ids)))
        last_at = last.scalar_subquery().label("last_at")
        inner = select(balances.c.product_id, balances.c.q, balances.c.v, last_at).where(balances.c.q > 0).subquery("s")
        query = (
            select(inner.c.product_id, inner.c.q, inner.c.v, inner.c.last_at)
            .where(or_(inner.c.last_at.is_(None), inner.c.last_at < since))
            .order_by(inner.c.product_id)
        )
        return [
            IdleStock(product_id, _qty(quantity), _fen(value), _as_instant(at))
            for product_id, quantity, value, at in self._session.execute(query)
        ]

    def unsold(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[IdleStock]:
        return self._still(since, warehouse_ids, K.ISSUE.value)

    def idle(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[IdleStock]:
        return self._still(since, warehouse_ids, None)

    def stock_by_category(self, warehouse_ids: frozenset[int] | None = None) -> list[CategoryStock]:
        balances = self._balances(warehouse_ids).subquery("bal")
        query = (
            select(
                _p.c.category,
                func.count(),
                _sum(balances.c.q),
                _sum(balances.c.v),
            )
            .select_from(balances.join(_p, and_(_p.c.workspace_id == self._workspace_id, _p.c.id == balances.c.product_id)))
            .where(balances.c.q > 0)
            .group_by(_p.c.category)
            .order_by(_p.c.category)
        )
        return [
            CategoryStock(category, int(count), _qty(quantity), _fen(value))
            for category, count, quantity, value in self._session.execute(query)
        ]

    # -- one product over time; the ledger ---------------------------------------------------

    def daily_changes(
        self,
        product_id: int,
        begin: datetime,
        end: datetime,
        warehouse_ids: frozenset[int] | None = None,
        *,
        utc_offset_minutes: int = 0,
    ) -> list[tuple[date, Decimal]]:
        day = self._local_day(_m.c.occurred_at, utc_offset_minutes)
        query = (
            select(day, _sum(_raw(_m.c.quantity)))
            .where(*self._moves(begin, end, warehouse_ids), _m.c.product_id == product_id)
            .group_by(day)
            .order_by(day)
        )
        return [(_as_date(d), _qty(q)) for d, q in self._session.execute(query)]

    def ledger(
        self, begin: datetime, end: datetime, product_id: int | None, limit: int, warehouse_ids: frozenset[int] | None = None
    ) -> list[Movement]:
        # Core rows, not ORM objects: an export reads up to 20 000 of them.
        table = StockMovementRow.__table__
        query = select(table).where(table.c.workspace_id == self._workspace_id, table.c.occurred_at >= begin, table.c.occurred_at < end)
        if product_id is not None:
            query = query.where(table.c.product_id == product_id)
        if warehouse_ids is not None:
            query = query.where(table.c.warehouse_id.in_(sorted(warehouse_ids)))
        query = query.order_by(table.c.occurred_at, table.c.id).limit(limit)
        return [_movement_to_domain(found) for found in self._session.execute(query)]  # type: ignore[arg-type]

    # -- money (资金) and supplier performance -----------------------------------------------

    def cash(self, begin: datetime, end: datetime) -> list[CashTotals]:
        pay, entry = PaymentRow.__table__, CashEntryRow.__table__
        found: list[CashTotals] = []
        for table, group in ((pay, pay.c.ledger), (entry, entry.c.income)):
            inside = table.c.occurred_at >= begin
            amount = _raw(table.c.amount)
            query = (
                select(
                    group,
                    table.c.account,
                    _sum(case((inside, amount), else_=0)),
                    _sum(case((inside, 1), else_=0)),
                    _sum(amount),
                )
                .where(table.c.workspace_id == self._workspace_id, table.c.occurred_at < end)
                .group_by(group, table.c.account)
            )
            for key, account, in_period, count, to_end in self._session.execute(query):
                if table is pay:
                    source = "收款" if key == Ledger.RECEIVABLE.value else "付款"
                else:
                    source = "其他收入" if key else "费用"
                found.append(CashTotals(source, account, _fen(in_period), int(count), _fen(to_end)))
        return sorted(found, key=lambda t: (t.source, t.account))

    def _open(self, ledger: Ledger):  # type: ignore[no-untyped-def]
        """Positive items with something open: (source, where, open amount in fen)."""
        item, allocation = OpenItemRow.__table__, AllocationRow.__table__
        taken = (
            select(allocation.c.item_id, func.sum(_raw(allocation.c.amount)).label("taken"))
            .where(allocation.c.workspace_id == self._workspace_id)
            .group_by(allocation.c.item_id)
            .subquery("taken")
        )
        open_fen = _raw(item.c.amount) - func.coalesce(taken.c.taken, 0)
        where = [item.c.workspace_id == self._workspace_id, item.c.ledger == ledger.value, item.c.amount > 0, open_fen > 0]
        return item.outerjoin(taken, taken.c.item_id == item.c.id), where, open_fen

    def aging(self, ledger: Ledger, today: date) -> list[tuple[int, Decimal, int]]:
        source, where, open_fen = self._open(ledger)
        due = OpenItemRow.__table__.c.due_on
        bucket = case(
            (due >= today, 0),
            (due >= today - timedelta(days=30), 1),
            (due >= today - timedelta(days=60), 2),
            (due >= today - timedelta(days=90), 3),
            else_=4,
        ).label("bucket")
        query = select(bucket, _sum(open_fen), func.count()).select_from(source).where(*where).group_by(bucket).order_by(bucket)
        return [(int(index), _fen(amount), int(count)) for index, amount, count in self._session.execute(query)]

    def open_items(self, ledger: Ledger) -> list[OpenItem]:
        source, where, open_fen = self._open(ledger)
        item, partner = OpenItemRow.__table__, PartnerRow.__table__
        query = (
            select(item, partner.c.name, open_fen.label("open_fen"))
            .select_from(source.join(partner, and_(partner.c.workspace_id == item.c.workspace_id, partner.c.id == item.c.partner_id)))
            .where(*where)
            .order_by(partner.c.name, item.c.due_on, item.c.occurred_on, item.c.id)
        )
        return [
            OpenItem(
                Ledger(row.ledger), row.partner_id, row.name, row.number, row.amount, _as_date(row.occurred_on),
                _as_date(row.due_on), row.order_number, _fen(row.open_fen), row.id,
            )
            for row in self._session.execute(query)
        ]

    def deliveries(self, since: date, until: date) -> list[SupplierDelivery]:
        item, order, line, partner = OpenItemRow.__table__, TradeOrderRow.__table__, OrderLineRow.__table__, PartnerRow.__table__
        ws = self._workspace_id
        # A receipt against an order is the payable its 到货 booked (RK-… with the order's number).
        receipts = and_(
            item.c.workspace_id == ws,
            item.c.ledger == Ledger.PAYABLE.value,
            item.c.order_number != "",
            item.c.amount > 0,
            item.c.occurred_on >= since,
            item.c.occurred_on < until,
        )
        on_order = and_(order.c.workspace_id == ws, order.c.number == item.c.order_number, order.c.kind == OrderKind.PURCHASE.value)
        timed = (
            select(
                order.c.partner_id,
                _sum(case((order.c.due_on.is_not(None), 1), else_=0)),
                _sum(case((item.c.occurred_on <= order.c.due_on, 1), else_=0)),
            )
            .select_from(item.join(order, on_order))
            .where(receipts)
            .group_by(order.c.partner_id)
        )
        received = select(item.c.order_number).where(receipts).distinct()
        quality = (
            select(order.c.partner_id, _sum(_raw(line.c.done)), _sum(_raw(line.c.rejected)))
            .select_from(order.join(line, and_(line.c.workspace_id == ws, line.c.order_id == order.c.id)))
            .where(order.c.workspace_id == ws, order.c.kind == OrderKind.PURCHASE.value, order.c.number.in_(received))
            .group_by(order.c.partner_id)
        )
        rows: dict[int, list[int]] = {}
        for partner_id, count, on_time in self._session.execute(timed):
            rows.setdefault(partner_id, [0, 0, 0, 0])[:2] = [int(count), int(on_time)]
        for partner_id, done, rejected in self._session.execute(quality):
            rows.setdefault(partner_id, [0, 0, 0, 0])[2:] = [int(done), int(rejected)]
        if not rows:
            return []
        names = dict(
            self._session.execute(
                select(partner.c.id, partner.c.name).where(partner.c.workspace_id == ws, partner.c.id.in_(sorted(rows)))
            ).all()
        )
        result = [
            SupplierDelivery(names[pid], count, on_time, _qty(done + rejected), _qty(done))
            for pid, (count, on_time, done, rejected) in rows.items()
        ]
        return sorted(result, key=lambda d: d.supplier)
