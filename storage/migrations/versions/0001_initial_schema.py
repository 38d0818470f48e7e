"""initial schema: workspaces, warehouses, products, stock ledger

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workspace',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('counter',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'key')
    )
    op.create_table('product',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('spec', sa.String(length=60), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('barcode', sa.String(length=60), nullable=False),
    sa.Column('purchase_price', sa.BigInteger(), nullable=True),
    sa.Column('sale_price', sa.BigInteger(), nullable=True),
    sa.Column('safety_stock', sa.BigInteger(), nullable=True),
    sa.Column('max_stock', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'code')
    )
    op.create_table('warehouse',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'name')
    )
    op.create_table('stock_balance',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'product_id', 'warehouse_id')
    )
    op.create_table('stock_movement',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('balance_quantity', sa.BigInteger(), nullable=False),
    sa.Column('balance_value', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=True),
    sa.Column('counterparty', sa.String(length=60), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=False),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'number')
    )
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_index('ix_stock_movement_occurred', ['workspace_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_stock_movement_product', ['workspace_id', 'product_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movement_product')
        batch_op.drop_index('ix_stock_movement_occurred')

    op.drop_table('stock_movement')
    op.drop_table('stock_balance')
    op.drop_table('warehouse')
    op.drop_table('product')
    op.drop_table('counter')
    op.drop_table('workspace')
