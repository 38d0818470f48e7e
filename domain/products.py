"""Products (商品): the master data every movement refers to."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from domain.errors import FractionalQuantity, InvalidProduct, ProductHint, UnitMismatch
from domain.money import MAX_PRICE, MAX_QUANTITY, ZERO, is_whole

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")
MAX_NAME_LENGTH = 60
MAX_TEXT_LENGTH = 60
MAX_UNIT_LENGTH = 8

# Units in which a fractional quantity makes sense (weighed or measured goods).
MEASURED_UNITS = frozenset(
    {"kg", "g", "t", "l", "ml", "m", "cm", "斤", "两", "公斤", "千克", "克", "吨", "升", "毫升", "米", "厘米", "平方米", "立方米"}
)
MAX_PACKS = 4
MAX_SHELF_LIFE_DAYS = 3650
MAX_PACK_FACTOR = Decimal(100_000)
# Generic counters people type for any counted good ("50件" for 50 cans).
GENERIC_COUNT_UNITS = frozenset({"件", "个", "pcs", "pc"})


def normalise_code(text: str) -> str:
    """Product codes compare case-insensitively; store them upper-case."""
    return text.strip().upper()


def is_code_like(text: str) -> bool:
    """True when the text has the shape of a product code (not a name fragment)."""
    return CODE_PATTERN.fullmatch(normalise_code(text)) is not None


class StockStatus(StrEnum):
    """Where on-hand stands against the product's thresholds."""

    OUT = "缺货"
    LOW = "低于安全库存"
    OK = "正常"
    OVER = "超储"


@dataclass(frozen=True, slots=True)
class Product:
    """A product as the shop knows it.

    Attributes:
        code: upper-case, unique within the workspace, never changes.
        unit: the unit stock is counted in (罐, 箱, kg …).
        purchase_price / sale_price: list prices in yuan, optional.
        safety_stock / max_stock: thresholds for the stock status, optional.
    """

    code: str
    name: str
    unit: str = "件"
    spec: str = ""
    category: str = ""
    barcode: str = ""
    purchase_price: Decimal | None = None
    sale_price: Decimal | None = None
    safety_stock: Decimal | None = None
    max_stock: Decimal | None = None
    active: bool = True
    id: int | None = None
    packs: tuple[tuple[str, Decimal], ...] = ()  # packing units: ("箱", 24) means 1 箱 = 24 units
    # ---- batches (issue 5): receipts carry a batch and expiry; issues pick earliest expiry first ----
    batch_managed: bool = False
    shelf_life_days: int | None = None  # 保质期: expiry = production date + this many days

    def __post_init__(self) -> None:
        if CODE_PATTERN.fullmatch(self.code) is None:
            raise InvalidProduct("编码", "只能用字母、数字和 . _ -，以字母或数字开头，最多 32 位")
        if not self.name.strip():
            raise InvalidProduct("名称", "不能为空")
        if len(self.name) > MAX_NAME_LENGTH:
            raise InvalidProduct("名称", f"最多 {MAX_NAME_LENGTH} 个字")
        if not self.unit or len(self.unit) > MAX_UNIT_LENGTH:
            raise InvalidProduct("单位", f"需要 1–{MAX_UNIT_LENGTH} 个字")
        for label, text in (("规格", self.spec), ("分类", self.category), ("条码", self.barcode)):
            if len(text) > MAX_TEXT_LENGTH:
                raise InvalidProduct(label, f"最多 {MAX_TEXT_LENGTH} 个字")
        for label, price in (("进价", self.purchase_price), ("售价", self.sale_price)):
            if price is not None and not (ZERO <= price <= MAX_PRICE):
                raise InvalidProduct(label, "应在 0 到 10,000,000 元之间")
        for label, level in (("安全库存", self.safety_stock), ("最高库存", self.max_stock)):
            if level is not None and not (ZERO <= level <= MAX_QUANTITY):
                raise InvalidProduct(label, "应在 0 到 10,000,000 之间")
        if (
            self.safety_stock is not None
            and self.max_stock is not None
            and self.max_stock > 0
            and self.max_stock < self.safety_stock
        ):
            raise InvalidProduct("最高库存", "不能低于安全库存")
        if self.shelf_life_days is not None and not (1 <= self.shelf_life_days <= MAX_SHELF_LIFE_DAYS):
            raise InvalidProduct("保质期", f"应在 1 到 {MAX_SHELF_LIFE_DAYS} 天之间")
        names = [name for name, _ in self.packs]
        if len(set(names)) != len(names) or len(self.packs) > MAX_PACKS:
            raise InvalidProduct("包装", f"每种包装只写一次，最多 {MAX_PACKS} 种")
        for name, factor in self.packs:
            if not name or len(name) > MAX_UNIT_LENGTH or name.lower() == self.unit.lower():
                raise InvalidProduct("包装", f"「{name}」不能作包装单位（1–{MAX_UNIT_LENGTH} 个字，且不同于单位）")
            if not (1 < factor <= MAX_PACK_FACTOR) or (not self.is_measured and not is_whole(factor)):
                raise InvalidProduct("包装", f"1 {name} 应是大于 1 的{'整' if not self.is_measured else ''}数个{self.unit}")

    def pack_factor(self, unit: str) -> Decimal | None:
        """How many units one ``unit`` holds, when it is one of the product's packs."""
        return next((factor for name, factor in self.packs if name.lower() == unit.lower()), None)

    @property
    def is_measured(self) -> bool:
        """Weighed or measured goods may be booked in fractions."""
        return self.unit.lower() in MEASURED_UNITS

    def hint(self) -> ProductHint:
        return ProductHint(self.code, self.name)


# The fields a user may set with 商品 新增/修改, by their Chinese key.
EDITABLE_FIELDS: dict[str, str] = {
    "名称": "name",
    "规格": "spec",
    "单位": "unit",
    "分类": "category",
    "条码": "barcode",
    "进价": "purchase_price",
    "售价": "sale_price",
    "安全库存": "safety_stock",
    "最高库存": "max_stock",
    "包装": "packs",
    "批次管理": "batch_managed",
    "保质期": "shelf_life_days",
}
FIELD_LABELS: dict[str, str] = {name: label for label, name in EDITABLE_FIELDS.items()} | {
    # Fields the audit log records besides product master data.
    "active": "启用",
    "role": "角色",
    "warehouses": "仓库",
    "show_sensitive": "群内显示成本",
    "allow_negative": "允许负库存",
    "valuation": "计价方法",
    "warehouse_safety_stock": "本仓安全库存",
    "lead_days": "交期（天）",
    "warehouse_max_stock": "本仓最高库存",
    "contact": "联系人",
    "phone": "电话",
    "terms_days": "账期（天）",
    "credit_limit": "信用额度",
}
# The code and id identify a product for ever; only these may change.
# (包装 is a field like the others: `商品 修改 A001 箱=24` sets it, the parser reads `箱=24罐`.)
_CHANGEABLE = frozenset(EDITABLE_FIELDS.values()) | {"active"}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One master-data change, kept for the reply and the audit trail."""

    field: str
    before: object
    after: object

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


def apply_changes(product: Product, changes: dict[str, object]) -> tuple[Product, list[FieldChange]]:
    """Return the changed product and the list of fields that really changed.

    Args:
        product: the current product.
        changes: field name → new value (names from ``EDITABLE_FIELDS``).

    Returns:
        The new product (validated on construction) and the effective changes.
    """
    unknown = set(changes) - _CHANGEABLE
    if unknown:
        raise InvalidProduct("字段", f"不能修改 {', '.join(sorted(unknown))}")
    updated = replace(product, **changes)
    effective = [
        FieldChange(name, getattr(product, name), getattr(updated, name))
        for name in changes
        if getattr(product, name) != getattr(updated, name)
    ]
    return updated, effective


@dataclass(frozen=True, slots=True)
class PackQuantity:
    """A quantity typed in a packing unit (``2箱``), kept for the reply and the price."""

    unit: str
    quantity: Decimal
    factor: Decimal


def to_base_quantity(product: Product, quantity: Decimal, unit: str | None) -> tuple[Decimal, PackQuantity | None]:
    """The quantity in the product's own unit: ``2箱`` of a 24-can case is 48 罐.

    Raises:
        UnitMismatch / FractionalQuantity: as :func:`check_quantity_unit`.
    """
    factor = product.pack_factor(unit) if unit is not None else None
    if factor is None:
        check_quantity_unit(product, quantity, unit)
        return quantity, None
    base = quantity * factor
    if base > MAX_QUANTITY:
        raise InvalidProduct("数量", f"换算后 {base} {product.unit}，太大")
    check_quantity_unit(product, base, None)
    return base, PackQuantity(unit or "", quantity, factor)


def check_quantity_unit(product: Product, quantity: Decimal, unit: str | None) -> None:
    """Refuse a quantity whose unit or fraction does not fit the product.

    Raises:
        UnitMismatch: the typed unit is neither the product's unit nor a generic counter.
        FractionalQuantity: a fraction of a counted (not weighed) good.
    """
    if unit is not None and unit.lower() != product.unit.lower():
        generic_ok = unit.lower() in GENERIC_COUNT_UNITS and not product.is_measured
        if not generic_ok:
            packs = [f"{name}={factor.normalize():f}" for name, factor in product.packs]
            raise UnitMismatch(product.code, product.name, product.unit, unit, packs)
    if not product.is_measured and not is_whole(quantity):
        raise FractionalQuantity(product.code, product.name, product.unit, quantity)


@dataclass(frozen=True, slots=True)
class StockLevels:
    """Safety and maximum stock of one product in one warehouse (None: the product's own);
    set with 商品 修改 … 仓库 …, see ``domain/thresholds.py``."""

    safety_stock: Decimal | None = None
    max_stock: Decimal | None = None

    def __post_init__(self) -> None:
        for label, level in (("安全库存", self.safety_stock), ("最高库存", self.max_stock)):
            if level is not None and not (ZERO <= level <= MAX_QUANTITY):
                raise InvalidProduct(label, "应在 0 到 10,000,000 之间")
        if self.safety_stock is not None and self.max_stock and self.max_stock < self.safety_stock:
            raise InvalidProduct("最高库存", "不能低于安全库存")


_PRODUCT_LEVEL = object()  # "use the product's own level"


def stock_status(
    product: Product,
    on_hand: Decimal,
    *,
    safety_stock: Decimal | None | object = _PRODUCT_LEVEL,
    max_stock: Decimal | None | object = _PRODUCT_LEVEL,
) -> StockStatus:
    """Classify on-hand stock against the product's safety and maximum levels, or against the
    levels given (a warehouse's own, ``domain/thresholds.py``)."""
    safety = product.safety_stock if safety_stock is _PRODUCT_LEVEL else safety_stock
    maximum = product.max_stock if max_stock is _PRODUCT_LEVEL else max_stock
    if on_hand <= 0:
        return StockStatus.OUT
    if isinstance(safety, Decimal) and on_hand < safety:
        return StockStatus.LOW
    if isinstance(maximum, Decimal) and maximum > 0 and on_hand > maximum:
        return StockStatus.OVER
    return StockStatus.OK


def safety_ratio(product: Product, on_hand: Decimal) -> Decimal:
    """On-hand relative to safety stock, for "lowest first" lists (no threshold sorts last)."""
    if product.safety_stock is None or product.safety_stock == 0:
        return Decimal("Infinity") if on_hand > 0 else Decimal(0)
    return on_hand / product.safety_stock


# Characters people confuse when typing codes on a phone: l/1/I, O/0, S/5, Z/2, B/8.
_LOOKALIKES = str.maketrans({"L": "1", "I": "1", "O": "0", "S": "5", "Z": "2", "B": "8"})


def suggest_codes(query: str, candidates: list[ProductHint], limit: int = 3) -> list[ProductHint]:
    """Products whose code is close to a mistyped one (typos, look-alike characters)."""
    wanted = normalise_code(query)
    folded = wanted.translate(_LOOKALIKES)
    exact_lookalike = [c for c in candidates if c.code.translate(_LOOKALIKES) == folded]
    if exact_lookalike:
        # A001 for A00l is a confident guess; more names would only blur it.
        return exact_lookalike[:limit]
    by_code = {c.code: c for c in candidates}
    close = difflib.get_close_matches(wanted, list(by_code), n=limit, cutoff=0.6)
    result: list[ProductHint] = []
    for hint in exact_lookalike + [by_code[code] for code in close]:
        if hint not in result:
            result.append(hint)
    return result[:limit]
