"""What the business needs from the outside world, as Protocols; storage implements them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from domain.errors import ProductHint
from domain.products import Product
from domain.stock import BalanceMismatch, Movement, StockBalance


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class StockLine:
    """One product's total stock, as the overview lists it."""

    product: Product
    balance: StockBalance


@dataclass(frozen=True, slots=True)
class StockTotals:
    products: int
    value: Decimal
    out_of_stock: int
    below_safety: int


class ProductRepository(Protocol):
    def get(self, code: str) -> Product | None: ...

    def add(self, product: Product) -> Product:
        """Store a new product and return it with its id."""
        ...

    def update(self, product: Product) -> None: ...

    def search(self, fragment: str, limit: int) -> list[Product]:
        """Products whose code or name contains the fragment, active ones first."""
        ...

    def count_matching(self, fragment: str | None) -> int: ...

    def page(self, fragment: str | None, offset: int, limit: int) -> list[Product]: ...

    def hints(self) -> list[ProductHint]:
        """Code and name of every product, for "did you mean" suggestions."""
        ...


class StockRepository(Protocol):
    def default_warehouse(self) -> Warehouse: ...

    def lock_balance(self, product_id: int, warehouse_id: int) -> StockBalance:
        """Read a balance for change; later writers of the same stock wait (row lock)."""
        ...

    def save_balance(
        self, product_id: int, warehouse_id: int, before: StockBalance, after: StockBalance
    ) -> None:
        """Write the new balance only if it still equals ``before``; else raise ConcurrentChange."""
        ...

    def append(self, movement: Movement) -> Movement:
        """Append a movement and return it with its id."""
        ...

    def total_balance(self, product_id: int) -> StockBalance: ...

    def overview(self, offset: int, limit: int) -> list[StockLine]:
        """Active products, lowest stock relative to safety stock first."""
        ...

    def totals(self) -> StockTotals: ...

    def movements(
        self, product_id: int, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> list[Movement]:
        """Newest first."""
        ...

    def count_movements(self, product_id: int, since: datetime | None, until: datetime | None) -> int: ...

    def check(self) -> tuple[int, int, list[BalanceMismatch]]:
        """(balances checked, movements checked, mismatches) for this workspace."""
        ...


class NumberSequence(Protocol):
    def next(self, key: str) -> int:
        """The next number in a per-workspace, gap-free sequence (rolled back with the transaction)."""
        ...


class UnitOfWork(Protocol):
    """One transaction on one workspace's books."""

    workspace_id: int
    products: ProductRepository
    stock: StockRepository
    numbers: NumberSequence

    def writing(self) -> Self:
        """Mark this transaction as one that writes, so write locks are taken up front."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed."""
        ...

    def commit(self) -> None: ...
