"""Repositories: the only code that knows the tables. Each is bound to one workspace and
filters every query by it; rows are mapped to and from domain values here and nowhere else."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, and_, bindparam, case, cast, func, insert, literal, or_, update
from sqlalchemy.orm import aliased
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from domain.errors import ConcurrentChange, ProductHint
from domain.money import quantize_money
from domain.partners import Partner, PartnerKind
from domain.ports import SaleTotal, StockLine, StockTotals, Stocktake, StocktakeLine, Warehouse, WorkspaceSettings
from domain.products import Product
from domain.stock import BalanceMismatch, Movement, MovementKind, StockBalance
from storage.pinyin import best_codes
from storage.tables import (
    CounterRow,
    PartnerRow,
    ProductRow,
    StockBalanceRow,
    StockMovementRow,
    StocktakeLineRow,
    StocktakeRow,
    WarehouseRow,
    WorkspaceRow,
)

ZERO = Decimal(0)

# The statements every booking runs, built once with bind parameters: constructing SQLAlchemy
# expressions per call cost more than executing them (see bench/commands.py).
_balance = StockBalanceRow.__table__.c
_product = ProductRow.__table__.c
_counter = CounterRow.__table__.c
_BALANCE_KEY = and_(
    _balance.workspace_id == bindparam("ws"),
    _balance.product_id == bindparam("product"),
    _balance.warehouse_id == bindparam("warehouse"),
)
_LOCK_BALANCE = select(_balance.quantity, _balance.value).where(_BALANCE_KEY).with_for_update()
_SAVE_BALANCE = (
    update(StockBalanceRow.__table__)
    .where(_BALANCE_KEY, _balance.quantity == bindparam("old_quantity"), _balance.value == bindparam("old_value"))
    .values(quantity=bindparam("new_quantity"), value=bindparam("new_value"), updated_at=bindparam("now"))
)
_TOTAL_BALANCE = select(
    func.coalesce(func.sum(_balance.quantity), literal(0, _balance.quantity.type)),
    func.coalesce(func.sum(_balance.value), literal(0, _balance.value.type)),
).where(_balance.workspace_id == bindparam("ws"), _balance.product_id == bindparam("product"))
_PRODUCT_BY_CODE = select(ProductRow.__table__).where(
    _product.workspace_id == bindparam("ws"), _product.code == bindparam("code")
)
_INSERT_MOVEMENT = insert(StockMovementRow.__table__)
_DEFAULT_WAREHOUSE = select(WarehouseRow.__table__.c.id, WarehouseRow.__table__.c.name).where(
    WarehouseRow.__table__.c.workspace_id == bindparam("ws"), WarehouseRow.__table__.c.is_default.is_(True)
)


def dialect_insert(session: Session, table):  # type: ignore[no-untyped-def]
    """An INSERT that understands ON CONFLICT on both supported databases."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


_NEXT_COUNTER: dict[str, object] = {}


def _next_counter(session: Session):  # type: ignore[no-untyped-def]
    """INSERT … ON CONFLICT DO UPDATE … RETURNING, built once per dialect."""
    dialect = session.get_bind().dialect.name
    if dialect not in _NEXT_COUNTER:
        statement = dialect_insert(session, CounterRow.__table__).values(
            workspace_id=bindparam("ws"), key=bindparam("key"), value=1
        )
        _NEXT_COUNTER[dialect] = statement.on_conflict_do_update(
            index_elements=["workspace_id", "key"], set_={"value": _counter.value + 1}
        ).returning(_counter.value)
    return _NEXT_COUNTER[dialect]


class SqlNumberSequence:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def next(self, key: str) -> int:
        # One statement, so two writers can never read the same value.
        return int(
            self._session.execute(_next_counter(self._session), {"ws": self._workspace_id, "key": key}).scalar_one()
        )


def _packs_text(packs: tuple[tuple[str, Decimal], ...]) -> str:
    return ";".join(f"{name}={factor.normalize():f}" for name, factor in packs)


def _packs_from_text(text: str) -> tuple[tuple[str, Decimal], ...]:
    return tuple((name, Decimal(factor)) for name, _, factor in (part.partition("=") for part in text.split(";") if part))


def _product_to_domain(row: ProductRow) -> Product:
    return Product(
        id=row.id,
        code=row.code,
        name=row.name,
        unit=row.unit,
        spec=row.spec,
        category=row.category,
        barcode=row.barcode,
        purchase_price=row.purchase_price,
        sale_price=row.sale_price,
        safety_stock=row.safety_stock,
        max_stock=row.max_stock,
        active=row.active,
        packs=_packs_from_text(row.packs),
        batch_managed=row.batch_managed,
        shelf_life_days=row.shelf_life_days,
    )


_PRODUCT_FIELDS = (
    "code",
    "name",
    "unit",
    "spec",
    "category",
    "barcode",
    "purchase_price",
    "sale_price",
    "safety_stock",
    "max_stock",
    "active",
    "batch_managed",
    "shelf_life_days",
)


def _product_values(product: Product) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(product, name) for name in _PRODUCT_FIELDS}
    values["packs"] = _packs_text(product.packs)
    return values


class SqlProductRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence, now: datetime) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers
        self._now = now

    def _query(self):  # type: ignore[no-untyped-def]
        return select(ProductRow).where(ProductRow.workspace_id == self._workspace_id)

    def get(self, code: str) -> Product | None:
        row = self._session.execute(_PRODUCT_BY_CODE, {"ws": self._workspace_id, "code": code}).first()
        return _product_to_domain(row) if row else None

    def with_id(self, product_id: int) -> Product:
        row = self._session.get(ProductRow, (self._workspace_id, product_id))
        assert row is not None, f"product {product_id} of workspace {self._workspace_id}"
        return _product_to_domain(row)

    def add(self, product: Product) -> Product:
        product_id = self._numbers.next("id:product")
        row = ProductRow(
            workspace_id=self._workspace_id,
            id=product_id,
            created_at=self._now,
            updated_at=self._now,
            **_product_values(product),
        )
        self._session.add(row)
        self._session.flush()
        return _product_to_domain(row)

    def update(self, product: Product) -> None:
        values = {name: value for name, value in _product_values(product).items() if name != "code"}
        self._session.execute(
            update(ProductRow)
            .where(ProductRow.workspace_id == self._workspace_id, ProductRow.id == product.id)
            .values(updated_at=self._now, **values)
        )

    def _matching(self, fragment: str | None):  # type: ignore[no-untyped-def]
        query = self._query()
        if fragment:
            query = query.where(
                or_(
                    ProductRow.code.contains(fragment.upper(), autoescape=True),
                    ProductRow.name.icontains(fragment, autoescape=True),
                    ProductRow.barcode == fragment,
                )
            )
        return query

    def search(self, fragment: str, limit: int) -> list[Product]:
        return self.page(fragment, 0, limit)

    def count_matching(self, fragment: str | None) -> int:
        subquery = self._matching(fragment).subquery()
        return int(self._session.scalar(select(func.count()).select_from(subquery)) or 0)

    def page(self, fragment: str | None, offset: int, limit: int) -> list[Product]:
        query = (
            self._matching(fragment)
            .order_by(ProductRow.active.desc(), ProductRow.code)
            .offset(offset)
            .limit(limit)
        )
        return [_product_to_domain(row) for row in self._session.exec(query)]

    def active(self) -> list[Product]:
        query = self._query().where(ProductRow.active.is_(True)).order_by(ProductRow.code)
        return [_product_to_domain(row) for row in self._session.exec(query)]

    def hints(self) -> list[ProductHint]:
        rows = self._session.exec(
            select(ProductRow.code, ProductRow.name).where(ProductRow.workspace_id == self._workspace_id)
        )
        return [ProductHint(code, name) for code, name in rows]

    # ---- faster entry ----
    def lookup(self, query: str, limit: int) -> list[Product]:
        # Only after the exact code missed: three narrow columns of the active products are
        # ranked in Python (pinyin cached per name), then only the matches are loaded whole.
        rows = self._session.execute(
            select(ProductRow.code, ProductRow.name, ProductRow.barcode).where(
                ProductRow.workspace_id == self._workspace_id, ProductRow.active.is_(True)
            )
        )
        codes = best_codes([tuple(row) for row in rows], query, limit)
        found = [self.get(code) for code in codes]
        return [product for product in found if product is not None]


def _movement_to_domain(row: StockMovementRow) -> Movement:
    return Movement(
        id=row.id,
        number=row.number,
        kind=MovementKind(row.kind),
        product_id=row.product_id,
        warehouse_id=row.warehouse_id,
        quantity=row.quantity,
        value=row.value,
        balance_quantity=row.balance_quantity,
        balance_value=row.balance_value,
        unit_price=row.unit_price,
        counterparty=row.counterparty,
        note=row.note,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        chat_id=row.chat_id,
        reverses_id=row.reverses_id,
    )


# A movement with the number of the reversal that cancelled it (None while it stands).
_REVERSAL = aliased(StockMovementRow)
_REVERSES_IT = and_(
    _REVERSAL.workspace_id == StockMovementRow.workspace_id, _REVERSAL.reverses_id == StockMovementRow.id
)
_WITH_REVERSAL = select(StockMovementRow, _REVERSAL.number).outerjoin(_REVERSAL, _REVERSES_IT)

# How many recent movements make a product's "typical" quantity (for the 10× guard rail).
TYPICAL_SAMPLE = 20
_movement = StockMovementRow.__table__.c
_RECENT = (
    select(_movement.quantity, _movement.unit_price)
    .where(
        _movement.workspace_id == bindparam("ws"),
        _movement.product_id == bindparam("product"),
        _movement.kind == bindparam("kind"),
    )
    .order_by(_movement.id.desc())
    .limit(TYPICAL_SAMPLE)
)


class SqlStockRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence, now: datetime) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers
        self._now = now
        self._recent_cache: dict[tuple[int, str], list[tuple[Decimal, Decimal | None]]] = {}

    def default_warehouse(self) -> Warehouse:
        warehouse_id, name = self._session.execute(_DEFAULT_WAREHOUSE, {"ws": self._workspace_id}).one()
        return Warehouse(warehouse_id, name)

    def warehouses(self) -> list[Warehouse]:
        rows = self._session.exec(
            select(WarehouseRow.id, WarehouseRow.name)
            .where(WarehouseRow.workspace_id == self._workspace_id)
            .order_by(WarehouseRow.id)
        )
        return [Warehouse(warehouse_id, name) for warehouse_id, name in rows]

    def warehouse_named(self, name: str) -> Warehouse | None:
        row = self._session.exec(
            select(WarehouseRow.id, WarehouseRow.name).where(
                WarehouseRow.workspace_id == self._workspace_id, WarehouseRow.name == name
            )
        ).first()
        return Warehouse(row[0], row[1]) if row else None

    def add_warehouse(self, name: str) -> Warehouse:
        warehouse_id = self._numbers.next("id:warehouse")
        self._session.add(WarehouseRow(workspace_id=self._workspace_id, id=warehouse_id, name=name, is_default=False))
        self._session.flush()
        return Warehouse(warehouse_id, name)

    def lock_balance(self, product_id: int, warehouse_id: int) -> StockBalance:
        # FOR UPDATE serialises writers of this stock on PostgreSQL; SQLite's BEGIN IMMEDIATE
        # has already serialised all writers, and SQLAlchemy omits the clause there.
        key = {"ws": self._workspace_id, "product": product_id, "warehouse": warehouse_id}
        row = self._session.execute(_LOCK_BALANCE, key).first()
        if row is None:
            # First movement of this stock: create the row (a concurrent creator is harmless).
            insert = dialect_insert(self._session, StockBalanceRow.__table__).values(
                workspace_id=self._workspace_id,
                product_id=product_id,
                warehouse_id=warehouse_id,
                quantity=ZERO,
                value=ZERO,
                updated_at=self._now,
            )
            self._session.execute(insert.on_conflict_do_nothing())
            row = self._session.execute(_LOCK_BALANCE, key).one()
        return StockBalance(row[0], row[1])

    def save_balance(
        self, product_id: int, warehouse_id: int, before: StockBalance, after: StockBalance
    ) -> None:
        result = self._session.execute(
            _SAVE_BALANCE,
            {
                "ws": self._workspace_id,
                "product": product_id,
                "warehouse": warehouse_id,
                "old_quantity": before.quantity,
                "old_value": before.value,
                "new_quantity": after.quantity,
                "new_value": after.value,
                "now": self._now,
            },
        )
        if result.rowcount != 1:
            raise ConcurrentChange()

    def append(self, movement: Movement) -> Movement:
        movement = replace(movement, id=self._numbers.next("id:stock_movement"))
        # A Core INSERT: the ledger row is never read back through the ORM, so skip its bookkeeping.
        self._session.execute(
            _INSERT_MOVEMENT,
            dict(
                workspace_id=self._workspace_id,
                id=movement.id,
                number=movement.number,
                kind=movement.kind.value,
                product_id=movement.product_id,
                warehouse_id=movement.warehouse_id,
                quantity=movement.quantity,
                value=movement.value,
                balance_quantity=movement.balance_quantity,
                balance_value=movement.balance_value,
                unit_price=movement.unit_price,
                counterparty=movement.counterparty,
                note=movement.note,
                occurred_at=movement.occurred_at,
                recorded_at=movement.recorded_at,
                actor_id=movement.actor_id,
                actor_name=movement.actor_name,
                chat_id=movement.chat_id,
                reverses_id=movement.reverses_id,
            ),
        )
        return movement

    def total_balance(self, product_id: int, warehouse_ids: frozenset[int] | None = None) -> StockBalance:
        statement = _TOTAL_BALANCE
        if warehouse_ids is not None:
            statement = statement.where(_balance.warehouse_id.in_(sorted(warehouse_ids)))
        quantity, value = self._session.execute(statement, {"ws": self._workspace_id, "product": product_id}).one()
        return StockBalance(quantity, value)

    def _totals_by_product(self, warehouse_ids: frozenset[int] | None):  # type: ignore[no-untyped-def]
        query = select(
            StockBalanceRow.product_id,
            func.sum(StockBalanceRow.quantity).label("quantity"),
            func.sum(StockBalanceRow.value).label("value"),
        ).where(StockBalanceRow.workspace_id == self._workspace_id)
        if warehouse_ids is not None:
            query = query.where(StockBalanceRow.warehouse_id.in_(sorted(warehouse_ids)))
        return query.group_by(StockBalanceRow.product_id).subquery()

    def overview(self, offset: int, limit: int, warehouse_ids: frozenset[int] | None = None) -> list[StockLine]:
        totals = self._totals_by_product(warehouse_ids)
        quantity = func.coalesce(totals.c.quantity, literal(0, StockBalanceRow.quantity.type))
        value = func.coalesce(totals.c.value, literal(0, StockBalanceRow.value.type))
        has_threshold = and_(ProductRow.safety_stock.is_not(None), ProductRow.safety_stock > ZERO)
        # The ratio only orders rows; no money is computed in floating point here.
        ratio = cast(quantity, Float) / cast(func.nullif(ProductRow.safety_stock, ZERO), Float)
        query = (
            select(ProductRow, quantity, value)
            .outerjoin(totals, totals.c.product_id == ProductRow.id)
            .where(ProductRow.workspace_id == self._workspace_id, ProductRow.active.is_(True))
            .order_by(
                case((has_threshold, 0), else_=1),
                ratio,
                quantity,
                ProductRow.code,
            )
            .offset(offset)
            .limit(limit)
        )
        return [
            StockLine(_product_to_domain(row), StockBalance(qty, val))
            for row, qty, val in self._session.exec(query)
        ]

    def totals(self, warehouse_ids: frozenset[int] | None = None) -> StockTotals:
        totals = self._totals_by_product(warehouse_ids)
        quantity = func.coalesce(totals.c.quantity, literal(0, StockBalanceRow.quantity.type))
        value = func.coalesce(totals.c.value, literal(0, StockBalanceRow.value.type))
        low = and_(quantity > ZERO, ProductRow.safety_stock.is_not(None), quantity < ProductRow.safety_stock)
        count, total_value, out, below = self._session.exec(
            select(
                func.count(),
                func.coalesce(func.sum(value), literal(0, StockBalanceRow.value.type)),
                func.coalesce(func.sum(case((quantity <= ZERO, 1), else_=0)), 0),
                func.coalesce(func.sum(case((low, 1), else_=0)), 0),
            )
            .select_from(ProductRow)
            .outerjoin(totals, totals.c.product_id == ProductRow.id)
            .where(ProductRow.workspace_id == self._workspace_id, ProductRow.active.is_(True))
        ).one()
        return StockTotals(int(count), total_value, int(out), int(below))

    def _movement_filter(
        self, product_id: int, since: datetime | None, until: datetime | None, warehouse_ids: frozenset[int] | None
    ):  # type: ignore[no-untyped-def]
        conditions = [
            StockMovementRow.workspace_id == self._workspace_id,
            StockMovementRow.product_id == product_id,
        ]
        if since is not None:
            conditions.append(StockMovementRow.occurred_at >= since)
        if until is not None:
            conditions.append(StockMovementRow.occurred_at < until)
        if warehouse_ids is not None:
            conditions.append(StockMovementRow.warehouse_id.in_(sorted(warehouse_ids)))
        return and_(*conditions)

    def movements(
        self,
        product_id: int,
        since: datetime | None,
        until: datetime | None,
        offset: int,
        limit: int,
        warehouse_ids: frozenset[int] | None = None,
    ) -> list[Movement]:
        query = (
            _WITH_REVERSAL.where(self._movement_filter(product_id, since, until, warehouse_ids))
            .order_by(StockMovementRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return self._with_reversed_by(query)

    def count_movements(
        self,
        product_id: int,
        since: datetime | None,
        until: datetime | None,
        warehouse_ids: frozenset[int] | None = None,
    ) -> int:
        statement = select(func.count()).select_from(StockMovementRow).where(
            self._movement_filter(product_id, since, until, warehouse_ids)
        )
        return int(self._session.scalar(statement) or 0)

    def movement_by_number(self, number: str) -> Movement | None:
        found = self.movements_by_number(number)
        return found[0] if found else None

    def movements_by_number(self, number: str) -> list[Movement]:
        query = _WITH_REVERSAL.where(
            StockMovementRow.workspace_id == self._workspace_id, StockMovementRow.number == number
        ).order_by(StockMovementRow.id)
        return self._with_reversed_by(query)

    def _with_reversed_by(self, query) -> list[Movement]:  # type: ignore[no-untyped-def]
        return [
            replace(_movement_to_domain(row), reversed_by=reversed_by or "")
            for row, reversed_by in self._session.exec(query)
        ]

    def balances_by_warehouse(
        self, product_id: int, warehouse_ids: frozenset[int] | None = None
    ) -> list[tuple[Warehouse, StockBalance]]:
        query = (
            select(WarehouseRow.id, WarehouseRow.name, StockBalanceRow.quantity, StockBalanceRow.value)
            .join(
                WarehouseRow,
                and_(
                    WarehouseRow.workspace_id == StockBalanceRow.workspace_id,
                    WarehouseRow.id == StockBalanceRow.warehouse_id,
                ),
            )
            .where(StockBalanceRow.workspace_id == self._workspace_id, StockBalanceRow.product_id == product_id)
            .order_by(WarehouseRow.id)
        )
        if warehouse_ids is not None:
            query = query.where(StockBalanceRow.warehouse_id.in_(sorted(warehouse_ids)))
        return [
            (Warehouse(warehouse_id, name), StockBalance(quantity, value))
            for warehouse_id, name, quantity, value in self._session.exec(query)
        ]

    def _recent(self, product_id: int, kind: str) -> list[tuple[Decimal, Decimal | None]]:
        """(quantity, unit price) of the latest movements of a kind, fetched once per transaction
        for both guard-rail questions (typical size, last price)."""
        key = (product_id, kind)
        if key not in self._recent_cache:
            rows = self._session.execute(_RECENT, {"ws": self._workspace_id, "product": product_id, "kind": kind})
            self._recent_cache[key] = [(quantity, price) for quantity, price in rows]
        return self._recent_cache[key]

    def typical_quantity(self, product_id: int, kind: str) -> Decimal | None:
        recent = self._recent(product_id, kind)
        if not recent:
            return None
        return sum((abs(quantity) for quantity, _ in recent), ZERO) / len(recent)

    def last_unit_price(self, product_id: int, kind: str) -> Decimal | None:
        recent = self._recent(product_id, kind)
        for _, price in recent:
            if price is not None:
                return price
        if len(recent) < TYPICAL_SAMPLE:
            return None  # every movement of this kind was seen: none had a price
        statement = (
            select(StockMovementRow.unit_price)
            .where(
                StockMovementRow.workspace_id == self._workspace_id,
                StockMovementRow.product_id == product_id,
                StockMovementRow.kind == kind,
                StockMovementRow.unit_price.is_not(None),
            )
            .order_by(StockMovementRow.id.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()

    def sales(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[SaleTotal]:
        # Summed here, not in SQL: quantity × price needs the exact Decimals the columns decode to.
        query = (
            select(
                StockMovementRow.product_id,
                StockMovementRow.quantity,
                StockMovementRow.unit_price,
                StockMovementRow.value,
            )
            .outerjoin(_REVERSAL, _REVERSES_IT)
            .where(
                StockMovementRow.workspace_id == self._workspace_id,
                StockMovementRow.kind == MovementKind.ISSUE.value,
                StockMovementRow.occurred_at >= since,
                _REVERSAL.id.is_(None),  # an issue undone (冲销) did not sell
            )
        )
        if warehouse_ids is not None:
            query = query.where(StockMovementRow.warehouse_id.in_(sorted(warehouse_ids)))
        totals: dict[int, list[Decimal]] = {}
        for product_id, quantity, unit_price, value in self._session.exec(query):
            total = totals.setdefault(product_id, [ZERO, ZERO, ZERO, ZERO])
            total[0] -= quantity
            if unit_price is None:
                total[2] -= quantity
                total[3] -= value
            else:
                total[1] += quantize_money(-quantity * unit_price)
        return [SaleTotal(pid, *numbers) for pid, numbers in sorted(totals.items())]

    def last_prices_with(self, counterparty: str, kind: str) -> list[tuple[str, str, Decimal]]:
        query = (
            select(ProductRow.code, ProductRow.name, StockMovementRow.unit_price)
            .join(
                ProductRow,
                and_(ProductRow.workspace_id == StockMovementRow.workspace_id, ProductRow.id == StockMovementRow.product_id),
            )
            .where(
                StockMovementRow.workspace_id == self._workspace_id,
                StockMovementRow.kind == kind,
                StockMovementRow.counterparty == counterparty,
                StockMovementRow.unit_price.is_not(None),
            )
            .order_by(StockMovementRow.id.desc())
            .limit(200)
        )
        latest: dict[str, tuple[str, str, Decimal]] = {}
        for code, name, price in self._session.exec(query):
            latest.setdefault(code, (code, name, price))
        return list(latest.values())[:10]

    def last_counterparties(self, kind: str) -> dict[int, str]:
        query = (
            select(StockMovementRow.product_id, StockMovementRow.counterparty)
            .where(
                StockMovementRow.workspace_id == self._workspace_id,
                StockMovementRow.kind == kind,
                StockMovementRow.counterparty != "",
            )
            .order_by(StockMovementRow.id)
        )
        return dict(self._session.exec(query).all())

    def _with(self, product_id: int, counterparty: str, kind: str):  # type: ignore[no-untyped-def]
        return (
            StockMovementRow.workspace_id == self._workspace_id,
            StockMovementRow.product_id == product_id,
            StockMovementRow.counterparty == counterparty,
            StockMovementRow.kind == kind,
            _REVERSAL.id.is_(None),  # undone movements moved nothing
        )

    def quantity_with(self, product_id: int, counterparty: str, kind: str) -> Decimal:
        query = select(func.sum(StockMovementRow.quantity)).outerjoin(_REVERSAL, _REVERSES_IT)
        total = self._session.scalar(query.where(*self._with(product_id, counterparty, kind)))
        return abs(total) if total is not None else ZERO

    def last_movement_with(self, product_id: int, counterparty: str, kind: str) -> Movement | None:
        query = _WITH_REVERSAL.where(*self._with(product_id, counterparty, kind))
        row = self._session.exec(query.order_by(StockMovementRow.id.desc()).limit(1)).first()
        return _movement_to_domain(row[0]) if row is not None else None

    def has_movements(self, product_id: int) -> bool:
        statement = select(StockMovementRow.id).where(
            StockMovementRow.workspace_id == self._workspace_id, StockMovementRow.product_id == product_id
        )
        return self._session.scalars(statement.limit(1)).first() is not None

    def check(self) -> tuple[int, int, list[BalanceMismatch]]:
        sums = {
            (product_id, warehouse_id): (count, StockBalance(quantity, value))
            for product_id, warehouse_id, count, quantity, value in self._session.exec(
                select(
                    StockMovementRow.product_id,
                    StockMovementRow.warehouse_id,
                    func.count(),
                    func.sum(StockMovementRow.quantity),
                    func.sum(StockMovementRow.value),
                )
                .where(StockMovementRow.workspace_id == self._workspace_id)
                .group_by(StockMovementRow.product_id, StockMovementRow.warehouse_id)
            )
        }
        stored = {
            (row.product_id, row.warehouse_id): StockBalance(row.quantity, row.value)
            for row in self._session.exec(
                select(StockBalanceRow).where(StockBalanceRow.workspace_id == self._workspace_id)
            )
        }
        codes = dict(
            self._session.exec(
                select(ProductRow.id, ProductRow.code).where(ProductRow.workspace_id == self._workspace_id)
            ).all()
        )
        warehouses = dict(
            self._session.exec(
                select(WarehouseRow.id, WarehouseRow.name).where(WarehouseRow.workspace_id == self._workspace_id)
            ).all()
        )
        mismatches = []
        for key in sorted(set(sums) | set(stored)):
            derived = sums.get(key, (0, StockBalance()))[1]
            balance = stored.get(key, StockBalance())
            if (derived.quantity, derived.value) != (balance.quantity, balance.value):
                product_id, warehouse_id = key
                mismatches.append(
                    BalanceMismatch(codes.get(product_id, f"#{product_id}"), warehouses.get(warehouse_id, "?"), balance, derived)
                )
        movement_count = sum(count for count, _ in sums.values())
        return len(stored), movement_count, mismatches


class SqlStocktakeRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers

    def _query(self):  # type: ignore[no-untyped-def]
        return (
            select(StocktakeRow, WarehouseRow.name)
            .join(
                WarehouseRow,
                and_(WarehouseRow.workspace_id == StocktakeRow.workspace_id, WarehouseRow.id == StocktakeRow.warehouse_id),
            )
            .where(StocktakeRow.workspace_id == self._workspace_id, StocktakeRow.status == "open")
            .order_by(StocktakeRow.id)
        )

    @staticmethod
    def _to_domain(row: StocktakeRow, warehouse_name: str) -> Stocktake:
        return Stocktake(
            number=row.number,
            warehouse=Warehouse(row.warehouse_id, warehouse_name),
            opened_at=row.opened_at,
            opened_by=row.opened_by,
            status=row.status,
            id=row.id,
        )

    def open_in(self, warehouse_id: int) -> Stocktake | None:
        row = self._session.exec(self._query().where(StocktakeRow.warehouse_id == warehouse_id)).first()
        return self._to_domain(*row) if row else None

    def open_counts(self) -> list[Stocktake]:
        return [self._to_domain(*row) for row in self._session.exec(self._query())]

    def start(self, stocktake: Stocktake) -> Stocktake:
        stocktake = replace(stocktake, id=self._numbers.next("id:stocktake"))
        self._session.add(
            StocktakeRow(
                workspace_id=self._workspace_id,
                id=stocktake.id,
                number=stocktake.number,
                warehouse_id=stocktake.warehouse.id,
                status=stocktake.status,
                opened_by=stocktake.opened_by[:64],
                opened_at=stocktake.opened_at,
            )
        )
        self._session.flush()
        return stocktake

    def record(self, stocktake_id: int, product_id: int, counted: Decimal, book_quantity: Decimal, at: datetime, by: str) -> None:
        values = dict(counted=counted, book_quantity=book_quantity, counted_at=at, counted_by=by[:64])
        statement = dialect_insert(self._session, StocktakeLineRow.__table__).values(
            workspace_id=self._workspace_id, stocktake_id=stocktake_id, product_id=product_id, **values
        )
        # Counting a product again replaces the earlier count (and its book quantity).
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["workspace_id", "stocktake_id", "product_id"], set_=values)
        )

    def lines(self, stocktake_id: int) -> list[StocktakeLine]:
        query = (
            select(StocktakeLineRow, ProductRow)
            .join(
                ProductRow,
                and_(ProductRow.workspace_id == StocktakeLineRow.workspace_id, ProductRow.id == StocktakeLineRow.product_id),
            )
            .where(StocktakeLineRow.workspace_id == self._workspace_id, StocktakeLineRow.stocktake_id == stocktake_id)
            .order_by(ProductRow.code)
        )
        return [
            StocktakeLine(_product_to_domain(product), line.counted, line.book_quantity, line.counted_at, line.counted_by)
            for line, product in self._session.exec(query)
        ]

    def close(self, stocktake_id: int, status: str, at: datetime) -> None:
        self._session.execute(
            update(StocktakeRow)
            .where(StocktakeRow.workspace_id == self._workspace_id, StocktakeRow.id == stocktake_id)
            .values(status=status, closed_at=at)
        )


class SqlSettingsRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def get(self) -> WorkspaceSettings:
        row = self._session.exec(
            select(WorkspaceRow.allow_negative, WorkspaceRow.tax_rate).where(WorkspaceRow.id == self._workspace_id)
        ).first()
        if row is None:
            return WorkspaceSettings()
        return WorkspaceSettings(allow_negative=bool(row[0]), tax_rate=row[1])

    def set_tax_rate(self, rate: Decimal | None) -> None:
        self._session.execute(update(WorkspaceRow).where(WorkspaceRow.id == self._workspace_id).values(tax_rate=rate))

    def set_allow_negative(self, allow: bool) -> None:
        self._session.execute(update(WorkspaceRow).where(WorkspaceRow.id == self._workspace_id).values(allow_negative=allow))


def _partner_to_domain(row: PartnerRow) -> Partner:
    return Partner(
        kind=PartnerKind(row.kind),
        name=row.name,
        contact=row.contact,
        phone=row.phone,
        terms_days=row.terms_days,
        credit_limit=row.credit_limit,
        id=row.id,
        lead_days=row.lead_days,
    )


class SqlPartnerRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence, now: datetime) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers
        self._now = now

    def _of(self, kind: PartnerKind):  # type: ignore[no-untyped-def]
        return select(PartnerRow).where(PartnerRow.workspace_id == self._workspace_id, PartnerRow.kind == kind.value)

    def get(self, kind: PartnerKind, name: str) -> Partner | None:
        row = self._session.exec(self._of(kind).where(PartnerRow.name == name)).first()
        return _partner_to_domain(row) if row else None

    def add(self, partner: Partner) -> Partner:
        partner = replace(partner, id=self._numbers.next("id:partner"))
        self._session.add(
            PartnerRow(
                workspace_id=self._workspace_id,
                id=partner.id,
                kind=partner.kind.value,
                name=partner.name,
                contact=partner.contact,
                phone=partner.phone,
                terms_days=partner.terms_days,
                credit_limit=partner.credit_limit,
                lead_days=partner.lead_days,
                created_at=self._now,
            )
        )
        self._session.flush()
        return partner

    def update(self, partner: Partner) -> None:
        self._session.execute(
            update(PartnerRow)
            .where(PartnerRow.workspace_id == self._workspace_id, PartnerRow.id == partner.id)
            .values(
                contact=partner.contact,
                phone=partner.phone,
                terms_days=partner.terms_days,
                credit_limit=partner.credit_limit,
                lead_days=partner.lead_days,
            )
        )

    def search(self, kind: PartnerKind, fragment: str | None, limit: int) -> list[Partner]:
        query = self._of(kind)
        if fragment:
            query = query.where(PartnerRow.name.contains(fragment, autoescape=True))
        return [_partner_to_domain(row) for row in self._session.exec(query.order_by(PartnerRow.name).limit(limit))]
