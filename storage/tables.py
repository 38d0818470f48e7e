"""The tables. Every key includes ``workspace_id`` so the books can be sharded by workspace
(Citus) without a rewrite; ids inside a workspace come from its own counters.

Production never calls ``create_all``: Alembic migrations in ``storage/migrations`` create these.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import Fen, Milli, PriceE4, UtcDateTime


class WorkspaceRow(SQLModel, table=True):
    """One business (账套)."""

    __tablename__ = "workspace"

    id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(max_length=60)
    timezone: str = Field(default="Asia/Shanghai", max_length=40)
    created_at: datetime = Field(sa_type=UtcDateTime)


class WarehouseRow(SQLModel, table=True):
    __tablename__ = "warehouse"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(max_length=30)
    is_default: bool = False


class ProductRow(SQLModel, table=True):
    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("workspace_id", "code"),
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    code: str = Field(max_length=32)
    name: str = Field(max_length=60)
    unit: str = Field(max_length=8)
    spec: str = Field(default="", max_length=60)
    category: str = Field(default="", max_length=60)
    barcode: str = Field(default="", max_length=60)
    purchase_price: Decimal | None = Field(default=None, sa_type=PriceE4)
    sale_price: Decimal | None = Field(default=None, sa_type=PriceE4)
    safety_stock: Decimal | None = Field(default=None, sa_type=Milli)
    max_stock: Decimal | None = Field(default=None, sa_type=Milli)
    active: bool = True
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class StockBalanceRow(SQLModel, table=True):
    """The derived balance per product and warehouse, kept in the movement's transaction."""

    __tablename__ = "stock_balance"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    product_id: int = Field(primary_key=True, sa_type=BigInteger)
    warehouse_id: int = Field(primary_key=True, sa_type=BigInteger)
    quantity: Decimal = Field(sa_type=Milli)
    value: Decimal = Field(sa_type=Fen)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class StockMovementRow(SQLModel, table=True):
    """The stock ledger: appended, never updated or deleted."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
        Index("ix_stock_movement_product", "workspace_id", "product_id", "id"),
        Index("ix_stock_movement_occurred", "workspace_id", "occurred_at"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    number: str = Field(max_length=20)
    kind: str = Field(max_length=20)
    product_id: int = Field(sa_type=BigInteger)
    warehouse_id: int = Field(sa_type=BigInteger)
    quantity: Decimal = Field(sa_type=Milli)
    value: Decimal = Field(sa_type=Fen)
    balance_quantity: Decimal = Field(sa_type=Milli)
    balance_value: Decimal = Field(sa_type=Fen)
    unit_price: Decimal | None = Field(default=None, sa_type=PriceE4)
    counterparty: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=200)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    actor_id: int = Field(sa_type=BigInteger)
    actor_name: str = Field(max_length=64)
    chat_id: int = Field(sa_type=BigInteger)


class CounterRow(SQLModel, table=True):
    """Per-workspace sequences (row ids, document numbers); gap-free because they roll back."""

    __tablename__ = "counter"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    key: str = Field(primary_key=True, max_length=40)
    value: int = Field(sa_type=BigInteger)
