"""Indexes the reports need on the stock ledger (the tables themselves are in tables.py).

- by time, covering what the period sums read, so a month of 1 000 000 movements is summed
  from the index alone;
- by product and time: the last movement of a product (库存 N 天未动), the stock chart;
- by product, kind and time: the last sale of a product (滞销).
"""

from __future__ import annotations

from sqlalchemy import Index

from storage.tables import StockMovementRow

_c = StockMovementRow.__table__.c

Index(
    "ix_stock_movement_report",
    _c.workspace_id,
    _c.occurred_at,
    _c.kind,
    _c.product_id,
    _c.warehouse_id,
    _c.quantity,
    _c.value,
)
Index("ix_stock_movement_product_time", _c.workspace_id, _c.product_id, _c.occurred_at)
Index("ix_stock_movement_product_kind_time", _c.workspace_id, _c.product_id, _c.kind, _c.occurred_at)
