"""What a user asked for, as typed values: the parser makes these, the services take them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.periods import Period


@dataclass(frozen=True, slots=True)
class ShowHelp:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class AddProduct:
    code: str
    name: str
    fields: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeProduct:
    code: str
    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class SetProductActive:
    code: str
    active: bool


@dataclass(frozen=True, slots=True)
class FindProducts:
    """`商品 A001` (a code), `商品 可乐` (a name fragment), `商品` (all, paged)."""

    query: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class StockChange:
    """The fields 入库 and 出库 share: what, how much, at what price, with whom, when."""

    code: str
    quantity: Decimal
    unit: str | None = None
    unit_price: Decimal | None = None
    counterparty: str = ""
    note: str = ""
    occurred_on: date | None = None


@dataclass(frozen=True, slots=True)
class ReceiveStock(StockChange):
    """入库: goods in; ``unit_price`` is the purchase cost."""


@dataclass(frozen=True, slots=True)
class IssueStock(StockChange):
    """出库: goods out at moving-average cost; ``unit_price`` is the selling price."""


@dataclass(frozen=True, slots=True)
class ShowStock:
    """`库存 A001` (one card) or `库存` (all products, lowest against safety stock first)."""

    code: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class ShowLedger:
    code: str
    period: Period | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class NotYetAvailable:
    """A verb of the command language whose family has not been built yet."""

    verb: str


Command = (
    ShowHelp
    | AddProduct
    | ChangeProduct
    | SetProductActive
    | FindProducts
    | ReceiveStock
    | IssueStock
    | ShowStock
    | ShowLedger
    | NotYetAvailable
)
