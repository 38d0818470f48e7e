"""SQL side of the documents: orders, open items, payments, allocations, the cash book."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, update
from sqlmodel import Session, select

from domain.documents import (
    OPEN_STATUSES,
    Account,
    Allocation,
    CashEntry,
    Credit,
    Discrepancy,
    Ledger,
    OpenItem,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Payment,
    PriceSource,
)
from domain.money import ZERO, quantize_money
from storage.document_tables import (
    AllocationRow,
    CashEntryRow,
    OpenItemRow,
    OrderLineRow,
    PaymentRow,
    TradeOrderRow,
)
from storage.repositories import SqlNumberSequence
from storage.tables import PartnerRow, ProductRow


class SqlDocumentRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence) -> None:
        self._session = session
        self._ws = workspace_id
        self._numbers = numbers

    # ---- orders ----------------------------------------------------------------------------

    def add_order(self, order: Order) -> Order:
        order = replace(order, id=self._numbers.next("id:trade_order"))
        self._session.add(
            TradeOrderRow(
                workspace_id=self._ws, id=order.id, kind=order.kind.value, number=order.number,
                partner_id=order.partner_id, status=order.status.value, warehouse_id=order.warehouse_id,
                due_on=order.due_on, discount=order.discount, tax_rate=order.tax_rate, note=order.note,
                created_at=order.created_at,
                created_by=order.created_by,
            )
        )
        self._session.flush()  # the lines' foreign key needs the order row first
        lines = tuple(replace(line, line_no=index) for index, line in enumerate(order.lines, start=1))
        for line in lines:
            self._session.add(
                OrderLineRow(
                    workspace_id=self._ws, order_id=order.id, line_no=line.line_no, product_id=line.product_id,
                    quantity=line.quantity, unit_price=line.unit_price, price_source=line.price_source.value,
                    done=line.done, billed=line.billed, rejected=line.rejected, over_confirmed=line.over_confirmed,
                )
            )
        self._session.flush()
        return replace(order, lines=lines)

    def _order_query(self):  # type: ignore[no-untyped-def]
        return select(TradeOrderRow, PartnerRow.name).join(
            PartnerRow, (PartnerRow.workspace_id == TradeOrderRow.workspace_id) & (PartnerRow.id == TradeOrderRow.partner_id)
        ).where(TradeOrderRow.workspace_id == self._ws)

    def _lines(self, order_ids: list[int]) -> dict[int, list[OrderLine]]:
        if not order_ids:
            return {}
        query = (
            select(OrderLineRow, ProductRow.code, ProductRow.name, ProductRow.unit)
            .join(ProductRow, (ProductRow.workspace_id == OrderLineRow.workspace_id) & (ProductRow.id == OrderLineRow.product_id))
            .where(OrderLineRow.workspace_id == self._ws, OrderLineRow.order_id.in_(order_ids))
            .order_by(OrderLineRow.order_id, OrderLineRow.line_no)
        )
        lines: dict[int, list[OrderLine]] = {}
        for row, code, name, unit in self._session.exec(query):
            lines.setdefault(row.order_id, []).append(
                OrderLine(
                    product_id=row.product_id, code=code, name=name, unit=unit, quantity=row.quantity,
                    unit_price=row.unit_price, price_source=PriceSource(row.price_source), done=row.done,
                    billed=row.billed, rejected=row.rejected, line_no=row.line_no, over_confirmed=row.over_confirmed,
                )
            )
        return lines

    @staticmethod
    def _order(row: TradeOrderRow, partner_name: str, lines: list[OrderLine]) -> Order:
        return Order(
            kind=OrderKind(row.kind), number=row.number, partner_id=row.partner_id, partner_name=partner_name,
            status=OrderStatus(row.status), created_at=row.created_at, created_by=row.created_by, lines=tuple(lines),
            warehouse_id=row.warehouse_id, due_on=row.due_on, discount=row.discount, note=row.note, id=row.id,
            tax_rate=row.tax_rate,
        )

    def order(self, number: str, *, lock: bool = False) -> Order | None:
        query = self._order_query().where(TradeOrderRow.number == number)
        if lock:
            # Serialises deliveries against one order on PostgreSQL (SQLite: BEGIN IMMEDIATE already has).
            query = query.with_for_update(of=TradeOrderRow)
        found = self._session.exec(query).first()
        if found is None:
            return None
        row, partner_name = found
        return self._order(row, partner_name, self._lines([row.id]).get(row.id, []))

    def save_order(self, order: Order) -> None:
        self._session.execute(
            update(TradeOrderRow)
            .where(TradeOrderRow.workspace_id == self._ws, TradeOrderRow.id == order.id)
            .values(status=order.status.value)
        )
        for line in order.lines:
            self._session.execute(
                update(OrderLineRow)
                .where(
                    OrderLineRow.workspace_id == self._ws,
                    OrderLineRow.order_id == order.id,
                    OrderLineRow.line_no == line.line_no,
                )
                .values(done=line.done, billed=line.billed, rejected=line.rejected, over_confirmed=line.over_confirmed)
            )

    def orders(self, kind: OrderKind, offset: int, limit: int) -> list[Order]:
        open_first = case((TradeOrderRow.status.in_([s.value for s in OPEN_STATUSES[kind]] + [OrderStatus.DRAFT.value]), 0), else_=1)
        query = (
            self._order_query()
            .where(TradeOrderRow.kind == kind.value)
            .order_by(open_first, TradeOrderRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = list(self._session.exec(query))
        lines = self._lines([row.id for row, _ in rows])
        return [self._order(row, name, lines.get(row.id, [])) for row, name in rows]

    def count_orders(self, kind: OrderKind) -> int:
        query = select(func.count()).select_from(TradeOrderRow).where(
            TradeOrderRow.workspace_id == self._ws, TradeOrderRow.kind == kind.value
        )
        return int(self._session.scalar(query) or 0)

    def remaining(self, kind: OrderKind, product_id: int) -> Decimal:
        query = (
            select(OrderLineRow.quantity, OrderLineRow.done)
            .join(TradeOrderRow, (TradeOrderRow.workspace_id == OrderLineRow.workspace_id) & (TradeOrderRow.id == OrderLineRow.order_id))
            .where(
                OrderLineRow.workspace_id == self._ws,
                OrderLineRow.product_id == product_id,
                TradeOrderRow.kind == kind.value,
                TradeOrderRow.status.in_([s.value for s in OPEN_STATUSES[kind]]),
            )
        )
        return sum((max(quantity - done, ZERO) for quantity, done in self._session.exec(query)), ZERO)

    # ---- what is owed ----------------------------------------------------------------------

    def _allocated_to(self):  # type: ignore[no-untyped-def]
        return (
            select(AllocationRow.item_id, func.sum(AllocationRow.amount).label("amount"))
            .where(AllocationRow.workspace_id == self._ws)
            .group_by(AllocationRow.item_id)
            .subquery()
        )

    def _allocated_from(self, source: str):  # type: ignore[no-untyped-def]
        return (
            select(AllocationRow.source_id, func.sum(AllocationRow.amount).label("amount"))
            .where(AllocationRow.workspace_id == self._ws, AllocationRow.source == source)
            .group_by(AllocationRow.source_id)
            .subquery()
        )

    @staticmethod
    def _item(row: OpenItemRow, partner_name: str, open_amount: Decimal) -> OpenItem:
        return OpenItem(
            ledger=Ledger(row.ledger), partner_id=row.partner_id, partner_name=partner_name, number=row.number,
            amount=row.amount, occurred_on=row.occurred_on, due_on=row.due_on, order_number=row.order_number,
            open=open_amount, id=row.id,
        )

    def add_item(self, item: OpenItem) -> OpenItem:
        item = replace(item, id=self._numbers.next("id:open_item"), open=max(item.amount, ZERO))
        self._session.add(
            OpenItemRow(
                workspace_id=self._ws, id=item.id, ledger=item.ledger.value, partner_id=item.partner_id,
                number=item.number, order_number=item.order_number, amount=item.amount,
                occurred_on=item.occurred_on, due_on=item.due_on,
            )
        )
        self._session.flush()
        return item

    def _items_query(self, ledger: Ledger):  # type: ignore[no-untyped-def]
        allocated = self._allocated_to()
        return (
            select(OpenItemRow, PartnerRow.name, allocated.c.amount)
            .join(PartnerRow, (PartnerRow.workspace_id == OpenItemRow.workspace_id) & (PartnerRow.id == OpenItemRow.partner_id))
            .outerjoin(allocated, allocated.c.item_id == OpenItemRow.id)
            .where(OpenItemRow.workspace_id == self._ws, OpenItemRow.ledger == ledger.value)
        )

    def items_numbered(self, number: str) -> list[OpenItem]:
        found = []
        for ledger in Ledger:
            query = self._items_query(ledger).where(OpenItemRow.number == number).order_by(OpenItemRow.id)
            found += [self._item(row, name, row.amount - _fen(taken)) for row, name, taken in self._session.exec(query)]
        return found

    def open_items(self, ledger: Ledger, partner_id: int | None = None) -> list[OpenItem]:
        query = self._items_query(ledger).where(OpenItemRow.amount > 0)
        if partner_id is not None:
            query = query.where(OpenItemRow.partner_id == partner_id)
        query = query.order_by(OpenItemRow.due_on, OpenItemRow.occurred_on, OpenItemRow.id)
        items = []
        for row, name, allocated in self._session.exec(query):
            open_amount = row.amount - _fen(allocated)
            if open_amount > 0:
                items.append(self._item(row, name, open_amount))
        return items

    def credits(self, ledger: Ledger, partner_id: int | None) -> list[Credit]:
        paid = self._allocated_from("payment")
        payments = (
            select(PaymentRow.id, PaymentRow.amount, paid.c.amount, PaymentRow.occurred_on)
            .outerjoin(paid, paid.c.source_id == PaymentRow.id)
            .where(PaymentRow.workspace_id == self._ws, PaymentRow.ledger == ledger.value)
        )
        used = self._allocated_from("item")
        returns = (
            select(OpenItemRow.id, OpenItemRow.amount, used.c.amount, OpenItemRow.occurred_on)
            .outerjoin(used, used.c.source_id == OpenItemRow.id)
            .where(OpenItemRow.workspace_id == self._ws, OpenItemRow.ledger == ledger.value, OpenItemRow.amount < 0)
        )
        if partner_id is not None:
            payments = payments.where(PaymentRow.partner_id == partner_id)
            returns = returns.where(OpenItemRow.partner_id == partner_id)
        payments, returns = self._session.exec(payments), self._session.exec(returns)
        found = [(day, "payment", pid, amount - _fen(taken)) for pid, amount, taken, day in payments]
        found += [(day, "item", iid, -amount - _fen(taken)) for iid, amount, taken, day in returns]
        return [Credit(source, cid, left) for _, source, cid, left in sorted(found) if left > 0]

    def add_payment(self, payment: Payment) -> Payment:
        payment = replace(payment, id=self._numbers.next("id:payment"), unused=payment.amount)
        self._session.add(
            PaymentRow(
                workspace_id=self._ws, id=payment.id, ledger=payment.ledger.value, partner_id=payment.partner_id,
                number=payment.number, amount=payment.amount, account=payment.account.value,
                occurred_at=payment.occurred_at, occurred_on=payment.occurred_on, note=payment.note,
            )
        )
        self._session.flush()
        return payment

    def add_allocation(self, allocation: Allocation) -> None:
        self._session.add(
            AllocationRow(
                workspace_id=self._ws, id=self._numbers.next("id:allocation"), item_id=allocation.item_id,
                source=allocation.source, source_id=allocation.source_id, amount=allocation.amount,
            )
        )
        self._session.flush()

    def balance(self, ledger: Ledger, partner_id: int, before: date | None = None) -> Decimal:
        items = select(func.sum(OpenItemRow.amount)).where(
            OpenItemRow.workspace_id == self._ws, OpenItemRow.ledger == ledger.value, OpenItemRow.partner_id == partner_id
        )
        payments = select(func.sum(PaymentRow.amount)).where(
            PaymentRow.workspace_id == self._ws, PaymentRow.ledger == ledger.value, PaymentRow.partner_id == partner_id
        )
        if before is not None:
            items = items.where(OpenItemRow.occurred_on < before)
            payments = payments.where(PaymentRow.occurred_on < before)
        return _fen(self._session.scalar(items)) - _fen(self._session.scalar(payments))

    def items_between(self, ledger: Ledger, partner_id: int, since: date, until: date) -> list[OpenItem]:
        query = (
            self._items_query(ledger)
            .where(OpenItemRow.partner_id == partner_id, OpenItemRow.occurred_on >= since, OpenItemRow.occurred_on < until)
            .order_by(OpenItemRow.occurred_on, OpenItemRow.id)
        )
        return [self._item(row, name, row.amount - _fen(allocated)) for row, name, allocated in self._session.exec(query)]

    def payments_between(self, ledger: Ledger, partner_id: int, since: date, until: date) -> list[Payment]:
        query = (
            select(PaymentRow, PartnerRow.name)
            .join(PartnerRow, (PartnerRow.workspace_id == PaymentRow.workspace_id) & (PartnerRow.id == PaymentRow.partner_id))
            .where(
                PaymentRow.workspace_id == self._ws,
                PaymentRow.ledger == ledger.value,
                PaymentRow.partner_id == partner_id,
                PaymentRow.occurred_on >= since,
                PaymentRow.occurred_on < until,
            )
            .order_by(PaymentRow.occurred_on, PaymentRow.id)
        )
        return [
            Payment(
                ledger=Ledger(row.ledger), partner_id=row.partner_id, partner_name=name, number=row.number,
                amount=row.amount, account=Account(row.account), occurred_at=row.occurred_at,
                occurred_on=row.occurred_on, note=row.note, id=row.id,
            )
            for row, name in self._session.exec(query)
        ]

    def add_cash_entry(self, entry: CashEntry) -> CashEntry:
        entry = replace(entry, id=self._numbers.next("id:cash_entry"))
        self._session.add(
            CashEntryRow(
                workspace_id=self._ws, id=entry.id, number=entry.number, income=entry.income, amount=entry.amount,
                account=entry.account.value, note=entry.note, occurred_at=entry.occurred_at,
            )
        )
        self._session.flush()
        return entry

    def check(self) -> list[Discrepancy]:
        found: list[Discrepancy] = []
        allocated = self._allocated_to()
        for number, amount, taken in self._session.exec(
            select(OpenItemRow.number, OpenItemRow.amount, allocated.c.amount)
            .outerjoin(allocated, allocated.c.item_id == OpenItemRow.id)
            .where(OpenItemRow.workspace_id == self._ws)
        ):
            taken = _fen(taken)
            if taken < 0 or taken > max(amount, ZERO):
                found.append(Discrepancy(number, f"已核销 {taken}，超出单据金额 {amount}"))
        for source, table in (("payment", PaymentRow), ("item", OpenItemRow)):
            used = self._allocated_from(source)
            for number, amount, taken in self._session.exec(
                select(table.number, table.amount, used.c.amount)
                .join(used, used.c.source_id == table.id)
                .where(table.workspace_id == self._ws)
            ):
                if _fen(taken) > abs(amount):
                    found.append(Discrepancy(number, f"核销 {_fen(taken)}，超出可用金额 {abs(amount)}"))
        lines = (
            select(TradeOrderRow.number, TradeOrderRow.discount, OrderLineRow)
            .join(OrderLineRow, (OrderLineRow.workspace_id == TradeOrderRow.workspace_id) & (OrderLineRow.order_id == TradeOrderRow.id))
            .where(TradeOrderRow.workspace_id == self._ws)
        )
        for number, discount, line in self._session.exec(lines):
            expected = quantize_money(line.done * line.unit_price * (discount or Decimal(1)))
            if line.billed != expected:
                done = format(line.done.normalize(), "f")  # 6, not the column's 6.000
                found.append(Discrepancy(number, f"第 {line.line_no} 行已交 {done}，应计 {expected}，实计 {line.billed}"))
            if line.done > line.quantity and not line.over_confirmed:
                found.append(Discrepancy(number, f"第 {line.line_no} 行已交 {line.done.normalize():f}，超过订购 {line.quantity.normalize():f}，且没有确认"))
            if line.done < 0 or line.rejected < 0:
                found.append(Discrepancy(number, f"第 {line.line_no} 行数量为负"))
        return found


def _fen(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO
