"""Tables of the trade documents and what is owed (进 · 销 · 财): orders and their lines,
open items (应收/应付 per document), payments, their allocations, and the cash book."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import Fen, Milli, PriceE4, UtcDateTime


class TradeOrderRow(SQLModel, table=True):
    """A purchase order (PO) or sales order (SO)."""

    __tablename__ = "trade_order"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        ForeignKeyConstraint(["workspace_id", "partner_id"], ["partner.workspace_id", "partner.id"]),
        ForeignKeyConstraint(["workspace_id", "warehouse_id"], ["warehouse.workspace_id", "warehouse.id"]),
        Index("ix_trade_order_kind_status", "workspace_id", "kind", "status"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    kind: str = Field(max_length=8)
    number: str = Field(max_length=20)
    partner_id: int = Field(sa_type=BigInteger)
    status: str = Field(max_length=8)
    warehouse_id: int = Field(sa_type=BigInteger)
    due_on: date | None = None
    discount: Decimal | None = Field(default=None, sa_type=PriceE4)
    tax_rate: Decimal | None = Field(default=None, sa_type=PriceE4)  # the workspace's rate when it was made
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=64)


class OrderLineRow(SQLModel, table=True):
    """One product on an order, with its progress (received/shipped, billed, rejected)."""

    __tablename__ = "order_line"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "order_id"], ["trade_order.workspace_id", "trade_order.id"]),
        ForeignKeyConstraint(["workspace_id", "product_id"], ["product.workspace_id", "product.id"]),
        Index("ix_order_line_product", "workspace_id", "product_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    order_id: int = Field(primary_key=True, sa_type=BigInteger)
    line_no: int = Field(primary_key=True)
    product_id: int = Field(sa_type=BigInteger)
    quantity: Decimal = Field(sa_type=Milli)
    unit_price: Decimal = Field(sa_type=PriceE4)
    price_source: str = Field(max_length=16)
    done: Decimal = Field(sa_type=Milli)
    billed: Decimal = Field(sa_type=Fen)
    rejected: Decimal = Field(sa_type=Milli)
    over_confirmed: bool = False  # more than ordered was delivered after a confirmation


class OpenItemRow(SQLModel, table=True):
    """What one document adds to (or, negative, takes off) what a partner owes or is owed."""

    __tablename__ = "open_item"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "partner_id"], ["partner.workspace_id", "partner.id"]),
        Index("ix_open_item_partner", "workspace_id", "ledger", "partner_id"),
        Index("ix_open_item_due", "workspace_id", "ledger", "due_on"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    ledger: str = Field(max_length=4)
    partner_id: int = Field(sa_type=BigInteger)
    number: str = Field(max_length=20)
    order_number: str = Field(default="", max_length=20)
    amount: Decimal = Field(sa_type=Fen)
    occurred_on: date
    due_on: date


class PaymentRow(SQLModel, table=True):
    """收款 or 付款."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        ForeignKeyConstraint(["workspace_id", "partner_id"], ["partner.workspace_id", "partner.id"]),
        Index("ix_payment_partner", "workspace_id", "ledger", "partner_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    ledger: str = Field(max_length=4)
    partner_id: int = Field(sa_type=BigInteger)
    number: str = Field(max_length=20)
    amount: Decimal = Field(sa_type=Fen)
    account: str = Field(max_length=8)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    occurred_on: date
    note: str = Field(default="", max_length=200)


class AllocationRow(SQLModel, table=True):
    """A credit (a payment or a return's negative item) settling part of a positive item."""

    __tablename__ = "allocation"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id", "item_id"], ["open_item.workspace_id", "open_item.id"]),
        Index("ix_allocation_item", "workspace_id", "item_id"),
        Index("ix_allocation_source", "workspace_id", "source", "source_id"),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    item_id: int = Field(sa_type=BigInteger)
    source: str = Field(max_length=8)
    source_id: int = Field(sa_type=BigInteger)
    amount: Decimal = Field(sa_type=Fen)


class CashEntryRow(SQLModel, table=True):
    """其他收入 / 费用."""

    __tablename__ = "cash_entry"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),
    )

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    id: int = Field(primary_key=True, sa_type=BigInteger)
    number: str = Field(max_length=20)
    income: bool
    amount: Decimal = Field(sa_type=Fen)
    account: str = Field(max_length=8)
    note: str = Field(default="", max_length=200)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
