"""Tables of the valuation area: the workspace's method and the FIFO cost layers with the
draws each movement made from them (appended, so an undo can put back exactly what was taken)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKeyConstraint, Index
from sqlmodel import Field, SQLModel

from storage.types import Fen, Milli, UtcDateTime


class ValuationSettingRow(SQLModel, table=True):
    """设置 计价: absent means moving weighted average."""

    __tablename__ = "valuation_setting"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    method: str = Field(max_length=20)


class CostLayerRow(SQLModel, table=True):
    """Units that came in together under FIFO, with what is left of them (changed only under
    the stock's balance lock; the draws explain every change)."""

    __tablename__ = "cost_layer"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
        Index("ix_cost_layer_stock", "workspace_id", "product_id", "warehouse_id", "received_at", "id"),
        Index("ix_cost_layer_movement", "workspace_id", "movement_id"),
        CheckConstraint(
            "remaining_quantity >= 0 AND remaining_quantity <= quantity", name="ck_cost_layer_remaining"
        ),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    product_id: int = Field(sa_type=BigInteger)
    warehouse_id: int = Field(sa_type=BigInteger)
    received_at: datetime = Field(sa_type=UtcDateTime)
    movement_id: int = Field(sa_type=BigInteger)  # the movement that opened it
    quantity: Decimal = Field(sa_type=Milli)
    value: Decimal = Field(sa_type=Fen)
    remaining_quantity: Decimal = Field(sa_type=Milli)
    remaining_value: Decimal = Field(sa_type=Fen)


class CostLayerDrawRow(SQLModel, table=True):
    """What one movement took from one layer (negative: a reversal put it back). Appended only."""

    __tablename__ = "cost_layer_draw"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "layer_id"], ["cost_layer.workspace_id", "cost_layer.id"]),
        Index("ix_cost_layer_draw_movement", "workspace_id", "movement_id"),
        Index("ix_cost_layer_draw_layer", "workspace_id", "layer_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    movement_id: int = Field(sa_type=BigInteger)
    layer_id: int = Field(sa_type=BigInteger)
    quantity: Decimal = Field(sa_type=Milli)
    value: Decimal = Field(sa_type=Fen)


class StockBatchRow(SQLModel, table=True):
    """A batch of a batch-managed product in a warehouse, with its expiry and quantity."""

    __tablename__ = "stock_batch"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
        CheckConstraint("quantity >= 0", name="ck_stock_batch_quantity"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    product_id: int = Field(primary_key=True, sa_type=BigInteger)
    warehouse_id: int = Field(primary_key=True, sa_type=BigInteger)
    batch: str = Field(primary_key=True, max_length=30)
    expires_on: date | None = Field(default=None)
    quantity: Decimal = Field(sa_type=Milli)


class StockBatchMoveRow(SQLModel, table=True):
    """What one movement moved in or out of one batch (signed). Appended only."""

    __tablename__ = "stock_batch_move"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "product_id", "warehouse_id", "batch"],
            ["stock_batch.workspace_id", "stock_batch.product_id", "stock_batch.warehouse_id", "stock_batch.batch"],
        ),
        Index("ix_stock_batch_move_movement", "workspace_id", "movement_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    movement_id: int = Field(sa_type=BigInteger)
    product_id: int = Field(sa_type=BigInteger)
    warehouse_id: int = Field(sa_type=BigInteger)
    batch: str = Field(max_length=30)
    quantity: Decimal = Field(sa_type=Milli)


class StockThresholdRow(SQLModel, table=True):
    """A product's safety and maximum stock in one warehouse (商品 修改 … 仓库 …)."""

    __tablename__ = "stock_threshold"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    product_id: int = Field(primary_key=True, sa_type=BigInteger)
    warehouse_id: int = Field(primary_key=True, sa_type=BigInteger)
    safety_stock: Decimal | None = Field(default=None, sa_type=Milli)
    max_stock: Decimal | None = Field(default=None, sa_type=Milli)
