"""documents: orders, open items, payments, allocations, cash book

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 03:14:30.829644
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cash_entry',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('income', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('account', sa.String(length=8), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'number')
    )
    op.create_table('open_item',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ledger', sa.String(length=4), nullable=False),
    sa.Column('partner_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('order_number', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'partner_id'], ['partner.workspace_id', 'partner.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id')
    )
    with op.batch_alter_table('open_item', schema=None) as batch_op:
        batch_op.create_index('ix_open_item_due', ['workspace_id', 'ledger', 'due_on'], unique=False)
        batch_op.create_index('ix_open_item_partner', ['workspace_id', 'ledger', 'partner_id'], unique=False)

    op.create_table('payment',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ledger', sa.String(length=4), nullable=False),
    sa.Column('partner_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('account', sa.String(length=8), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'partner_id'], ['partner.workspace_id', 'partner.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'number')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_partner', ['workspace_id', 'ledger', 'partner_id'], unique=False)

    op.create_table('trade_order',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('discount', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'partner_id'], ['partner.workspace_id', 'partner.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'number')
    )
    with op.batch_alter_table('trade_order', schema=None) as batch_op:
        batch_op.create_index('ix_trade_order_kind_status', ['workspace_id', 'kind', 'status'], unique=False)

    op.create_table('allocation',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'item_id'], ['open_item.workspace_id', 'open_item.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id')
    )
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.create_index('ix_allocation_item', ['workspace_id', 'item_id'], unique=False)
        batch_op.create_index('ix_allocation_source', ['workspace_id', 'source', 'source_id'], unique=False)

    op.create_table('order_line',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('price_source', sa.String(length=16), nullable=False),
    sa.Column('done', sa.BigInteger(), nullable=False),
    sa.Column('billed', sa.BigInteger(), nullable=False),
    sa.Column('rejected', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'order_id'], ['trade_order.workspace_id', 'trade_order.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'order_id', 'line_no')
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index('ix_order_line_product', ['workspace_id', 'product_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index('ix_order_line_product')

    op.drop_table('order_line')
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_index('ix_allocation_source')
        batch_op.drop_index('ix_allocation_item')

    op.drop_table('allocation')
    with op.batch_alter_table('trade_order', schema=None) as batch_op:
        batch_op.drop_index('ix_trade_order_kind_status')

    op.drop_table('trade_order')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_partner')

    op.drop_table('payment')
    with op.batch_alter_table('open_item', schema=None) as batch_op:
        batch_op.drop_index('ix_open_item_partner')
        batch_op.drop_index('ix_open_item_due')

    op.drop_table('open_item')
    op.drop_table('cash_entry')
