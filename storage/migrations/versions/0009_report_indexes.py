"""reports: indexes for period sums, last movement and last sale per product

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 03:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_stock_movement_report',
        'stock_movement',
        ['workspace_id', 'occurred_at', 'kind', 'product_id', 'warehouse_id', 'quantity', 'value'],
        unique=False,
    )
    op.create_index('ix_stock_movement_product_time', 'stock_movement', ['workspace_id', 'product_id', 'occurred_at'], unique=False)
    op.create_index(
        'ix_stock_movement_product_kind_time', 'stock_movement', ['workspace_id', 'product_id', 'kind', 'occurred_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_stock_movement_product_kind_time', table_name='stock_movement')
    op.drop_index('ix_stock_movement_product_time', table_name='stock_movement')
    op.drop_index('ix_stock_movement_report', table_name='stock_movement')
