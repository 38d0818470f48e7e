"""Per-warehouse stock levels: a product's safety and maximum stock in one warehouse
(`商品 修改 A001 安全库存 20 最高库存 200 仓库 二仓`), overriding the product's own levels there.

The status of a warehouse's stock (缺货 / 低于安全库存 / 正常 / 超储) uses its levels when set,
else the product's (``services.warehouse_status``); the product's total uses the product's
levels (``products.stock_status``).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import commands as c
from domain.audit import Action
from domain.errors import NothingToChange
from domain.ports import UnitOfWork, Warehouse
from domain.products import FieldChange, Product, StockLevels
from domain.services import Context, audit, get_product, warehouse_for


@dataclass(frozen=True, slots=True)
class StockLevelsSet:
    product: Product
    warehouse: Warehouse
    levels: StockLevels
    changes: list[FieldChange]


_LABELS = {"safety_stock": "warehouse_safety_stock", "max_stock": "warehouse_max_stock"}


def set_stock_levels(uow: UnitOfWork, ctx: Context, cmd: c.SetStockLevels) -> StockLevelsSet:
    """Set (or clear, with None) a product's safety and maximum stock in one warehouse."""
    with uow.writing():
        product = get_product(uow, cmd.code)
        warehouse = warehouse_for(uow, ctx, cmd.warehouse)
        assert product.id is not None
        before = uow.thresholds.get(product.id, warehouse.id) or StockLevels()
        wanted = dict(cmd.fields)
        after = StockLevels(
            wanted.get("safety_stock", before.safety_stock),  # type: ignore[arg-type]
            wanted.get("max_stock", before.max_stock),  # type: ignore[arg-type]
        )
        changes = [
            FieldChange(_LABELS[name], getattr(before, name), getattr(after, name))
            for name in ("safety_stock", "max_stock")
            if getattr(before, name) != getattr(after, name)
        ]
        if not changes:
            raise NothingToChange(product.code)
        uow.thresholds.set(product.id, warehouse.id, after)
        audit(uow, ctx, Action.SET_STOCK_LEVELS, product.code, numbers=(), changes=tuple(changes))
        uow.commit()
    return StockLevelsSet(product, warehouse, after, changes)
