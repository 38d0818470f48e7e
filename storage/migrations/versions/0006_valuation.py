"""valuation: the workspace's method (设置 计价), FIFO cost layers with their draws, batches, per-warehouse stock levels, suppliers' lead time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 03:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('valuation_setting',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id')
    )
    op.create_table('cost_layer',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('movement_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('remaining_quantity', sa.BigInteger(), nullable=False),
    sa.Column('remaining_value', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('remaining_quantity >= 0 AND remaining_quantity <= quantity', name='ck_cost_layer_remaining'),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id')
    )
    with op.batch_alter_table('cost_layer', schema=None) as batch_op:
        batch_op.create_index('ix_cost_layer_movement', ['workspace_id', 'movement_id'], unique=False)
        batch_op.create_index('ix_cost_layer_stock', ['workspace_id', 'product_id', 'warehouse_id', 'received_at', 'id'], unique=False)

    op.create_table('cost_layer_draw',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('movement_id', sa.BigInteger(), nullable=False),
    sa.Column('layer_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'layer_id'], ['cost_layer.workspace_id', 'cost_layer.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id')
    )
    with op.batch_alter_table('cost_layer_draw', schema=None) as batch_op:
        batch_op.create_index('ix_cost_layer_draw_layer', ['workspace_id', 'layer_id'], unique=False)
        batch_op.create_index('ix_cost_layer_draw_movement', ['workspace_id', 'movement_id'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_managed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('shelf_life_days', sa.Integer(), nullable=True))
    op.create_table('stock_batch',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('batch', sa.String(length=30), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name='ck_stock_batch_quantity'),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'product_id', 'warehouse_id', 'batch')
    )
    op.create_table('stock_batch_move',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('movement_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('batch', sa.String(length=30), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id', 'warehouse_id', 'batch'], ['stock_batch.workspace_id', 'stock_batch.product_id', 'stock_batch.warehouse_id', 'stock_batch.batch'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id')
    )
    with op.batch_alter_table('stock_batch_move', schema=None) as batch_op:
        batch_op.create_index('ix_stock_batch_move_movement', ['workspace_id', 'movement_id'], unique=False)

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_days', sa.Integer(), nullable=True))
    op.create_table('stock_threshold',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('safety_stock', sa.BigInteger(), nullable=True),
    sa.Column('max_stock', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'product_id', 'warehouse_id')
    )


def downgrade() -> None:
    op.drop_table('stock_threshold')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('lead_days')
    with op.batch_alter_table('stock_batch_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_batch_move_movement')
    op.drop_table('stock_batch_move')
    op.drop_table('stock_batch')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('shelf_life_days')
        batch_op.drop_column('batch_managed')
    with op.batch_alter_table('cost_layer_draw', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_layer_draw_movement')
        batch_op.drop_index('ix_cost_layer_draw_layer')
    op.drop_table('cost_layer_draw')
    with op.batch_alter_table('cost_layer', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_layer_stock')
        batch_op.drop_index('ix_cost_layer_movement')
    op.drop_table('cost_layer')
    op.drop_table('valuation_setting')
