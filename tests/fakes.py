"""In-memory implementations of the ports in ``domain/ports.py`` for unit tests.

``FakeUnitOfWork`` behaves like ``storage.unit_of_work.SqlUnitOfWork`` where the services can
tell the difference:

* state is snapshotted on ``__enter__`` and on every ``commit()``; ``__exit__`` restores the
  last snapshot, so whatever was changed after the last commit (or without any commit) is
  discarded — exactly what a rolled-back transaction does;
* the product and movement ids, like the document numbers, come from the number sequence and
  are rolled back with it;
* repositories refuse to be used outside a ``with`` block, and writes refuse to happen in a
  block that was not opened with ``writing()`` (the real one would write without the lock
  taken up front, and could fail half-way on a busy database).

The raw state (``products.by_id``, ``stock.balances``, ``stock.ledger``, ``numbers.values``)
is public so that a test can inspect it or tamper with it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Self

from domain.errors import ConcurrentChange, ProductHint
from domain.ports import StockLine, StockTotals, Warehouse
from domain.products import Product
from domain.stock import BalanceMismatch, Movement, StockBalance

ZERO = Decimal(0)
DEFAULT_WAREHOUSE = Warehouse(1, "默认仓库")


class FakeIntegrityError(Exception):
    """What the database would raise on a broken unique constraint."""


class TransactionError(AssertionError):
    """A repository was used outside a transaction, or written in a read-only one."""


class FakeNumberSequence:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.values: dict[str, int] = {}

    def next(self, key: str) -> int:
        self._uow._require(write=True)
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]


class FakeProductRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.by_id: dict[int, Product] = {}

    def get(self, code: str) -> Product | None:
        self._uow._require()
        return next((p for p in self.by_id.values() if p.code == code), None)

    def add(self, product: Product) -> Product:
        self._uow._require(write=True)
        if any(p.code == product.code for p in self.by_id.values()):
            raise FakeIntegrityError(f"UNIQUE constraint failed: product.code {product.code}")
        stored = replace(product, id=self._uow.numbers.next("id:product"))
        self.by_id[stored.id] = stored
        return stored

    def update(self, product: Product) -> None:
        self._uow._require(write=True)
        if product.id not in self.by_id:
            raise KeyError(f"no product with id {product.id}")
        # As in storage: every field but the code is written.
        self.by_id[product.id] = replace(product, code=self.by_id[product.id].code)

    def _matching(self, fragment: str | None) -> list[Product]:
        products = list(self.by_id.values())
        if fragment:
            products = [
                p
                for p in products
                if fragment.upper() in p.code or fragment in p.name or p.barcode == fragment
            ]
        return sorted(products, key=lambda p: (not p.active, p.code))

    def search(self, fragment: str, limit: int) -> list[Product]:
        return self.page(fragment, 0, limit)

    def count_matching(self, fragment: str | None) -> int:
        self._uow._require()
        return len(self._matching(fragment))

    def page(self, fragment: str | None, offset: int, limit: int) -> list[Product]:
        self._uow._require()
        return self._matching(fragment)[offset : offset + limit]

    def hints(self) -> list[ProductHint]:
        self._uow._require()
        return [p.hint() for p in self.by_id.values()]


class FakeStockRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.warehouse = DEFAULT_WAREHOUSE
        self.balances: dict[tuple[int, int], StockBalance] = {}
        self.ledger: list[Movement] = []

    def default_warehouse(self) -> Warehouse:
        self._uow._require()
        return self.warehouse

    def lock_balance(self, product_id: int, warehouse_id: int) -> StockBalance:
        self._uow._require(write=True)
        # Like the INSERT … ON CONFLICT DO NOTHING in storage: a zero row appears on first use.
        return self.balances.setdefault((product_id, warehouse_id), StockBalance(ZERO, ZERO))

    def save_balance(self, product_id: int, warehouse_id: int, before: StockBalance, after: StockBalance) -> None:
        self._uow._require(write=True)
        key = (product_id, warehouse_id)
        current = self.balances.get(key)
        if current is None or (current.quantity, current.value) != (before.quantity, before.value):
            raise ConcurrentChange()
        self.balances[key] = after

    def append(self, movement: Movement) -> Movement:
        self._uow._require(write=True)
        stored = replace(movement, id=self._uow.numbers.next("id:stock_movement"))
        self.ledger.append(stored)
        return stored

    def total_balance(self, product_id: int) -> StockBalance:
        self._uow._require()
        quantity, value = ZERO, ZERO
        for (pid, _), balance in self.balances.items():
            if pid == product_id:
                quantity += balance.quantity
                value += balance.value
        return StockBalance(quantity, value)

    def _active_lines(self) -> list[StockLine]:
        return [
            StockLine(product, self.total_balance(product.id))
            for product in self._uow.products.by_id.values()
            if product.active
        ]

    def overview(self, offset: int, limit: int) -> list[StockLine]:
        self._uow._require()

        def order(line: StockLine) -> tuple[object, ...]:
            safety = line.product.safety_stock
            if safety is not None and safety > 0:
                return (0, line.balance.quantity / safety, line.balance.quantity, line.product.code)
            return (1, ZERO, line.balance.quantity, line.product.code)

        return sorted(self._active_lines(), key=order)[offset : offset + limit]

    def totals(self) -> StockTotals:
        self._uow._require()
        lines = self._active_lines()
        return StockTotals(
            products=len(lines),
            value=sum((line.balance.value for line in lines), ZERO),
            out_of_stock=sum(1 for line in lines if line.balance.quantity <= 0),
            below_safety=sum(
                1
                for line in lines
                if line.balance.quantity > 0
                and line.product.safety_stock is not None
                and line.balance.quantity < line.product.safety_stock
            ),
        )

    def _filtered(self, product_id: int, since: datetime | None, until: datetime | None) -> list[Movement]:
        return [
            m
            for m in self.ledger
            if m.product_id == product_id
            and (since is None or m.occurred_at >= since)
            and (until is None or m.occurred_at < until)
        ]

    def movements(
        self, product_id: int, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> list[Movement]:
        self._uow._require()
        newest_first = sorted(self._filtered(product_id, since, until), key=lambda m: m.id, reverse=True)
        return newest_first[offset : offset + limit]

    def count_movements(self, product_id: int, since: datetime | None, until: datetime | None) -> int:
        self._uow._require()
        return len(self._filtered(product_id, since, until))

    def check(self) -> tuple[int, int, list[BalanceMismatch]]:
        self._uow._require()
        sums: dict[tuple[int, int], StockBalance] = {}
        for m in self.ledger:
            key = (m.product_id, m.warehouse_id)
            previous = sums.get(key, StockBalance(ZERO, ZERO))
            sums[key] = StockBalance(previous.quantity + m.quantity, previous.value + m.value)
        codes = {p.id: p.code for p in self._uow.products.by_id.values()}
        mismatches = []
        for key in sorted(set(sums) | set(self.balances)):
            derived = sums.get(key, StockBalance(ZERO, ZERO))
            stored = self.balances.get(key, StockBalance(ZERO, ZERO))
            if (derived.quantity, derived.value) != (stored.quantity, stored.value):
                product_id, warehouse_id = key
                name = self.warehouse.name if warehouse_id == self.warehouse.id else "?"
                mismatches.append(BalanceMismatch(codes.get(product_id, f"#{product_id}"), name, stored, derived))
        return len(self.balances), len(self.ledger), mismatches


@dataclass(frozen=True)
class _Snapshot:
    products: dict[int, Product]
    balances: dict[tuple[int, int], StockBalance]
    ledger: list[Movement]
    numbers: dict[str, int]


class FakeUnitOfWork:
    """One in-memory workspace; every ``with`` block is one transaction.

    Attributes:
        commits: how many times ``commit()`` was called, over the fake's life.
        rollbacks: how many blocks ended with uncommitted changes thrown away.
        committed: whether the current (or last) block committed.
    """

    def __init__(self, workspace_id: int = 1) -> None:
        self.workspace_id = workspace_id
        self.numbers = FakeNumberSequence(self)
        self.products = FakeProductRepository(self)
        self.stock = FakeStockRepository(self)
        self.commits = 0
        self.rollbacks = 0
        self.committed = False
        self._open = False
        self._write = False
        self._snapshot: _Snapshot | None = None

    # -- transaction ---------------------------------------------------------------------

    def writing(self) -> Self:
        self._write = True
        return self

    def __enter__(self) -> Self:
        if self._open:
            raise TransactionError("the unit of work is already in a transaction")
        self._open = True
        self.committed = False
        self._snapshot = self._take_snapshot()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._snapshot is not None
        if self._take_snapshot() != self._snapshot:
            self.rollbacks += 1
            self._restore(self._snapshot)
        self._snapshot = None
        self._open = False
        self._write = False

    def commit(self) -> None:
        self._require()
        self.commits += 1
        self.committed = True
        self._snapshot = self._take_snapshot()

    def _require(self, write: bool = False) -> None:
        if not self._open:
            raise TransactionError("repository used outside `with uow:`")
        if write and not self._write:
            raise TransactionError("write in a transaction not opened with `uow.writing()`")

    def _take_snapshot(self) -> _Snapshot:
        return _Snapshot(
            dict(self.products.by_id), dict(self.stock.balances), list(self.stock.ledger), dict(self.numbers.values)
        )

    def _restore(self, snapshot: _Snapshot) -> None:
        self.products.by_id = dict(snapshot.products)
        self.stock.balances = dict(snapshot.balances)
        self.stock.ledger = list(snapshot.ledger)
        self.numbers.values = dict(snapshot.numbers)

    # -- test helpers --------------------------------------------------------------------

    def state(self) -> _Snapshot:
        """Everything the books hold, comparable with ``==`` (for "nothing changed")."""
        return self._take_snapshot()

    def seed(self, *products: Product) -> list[Product]:
        """Store products in one committed transaction and return them with their ids."""
        with self.writing():
            stored = [self.products.add(product) for product in products]
            self.commit()
        return stored
