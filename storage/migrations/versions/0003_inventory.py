"""inventory: stocktakes; document numbers shared by several movements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:17:27.193148
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    op.create_table('stocktake',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id', 'warehouse_id'], ['warehouse.workspace_id', 'warehouse.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id')
    )
    with op.batch_alter_table('stocktake', schema=None) as batch_op:
        batch_op.create_index('ix_stocktake_open', ['workspace_id', 'warehouse_id', 'status'], unique=False)

    op.create_table('stocktake_line',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('stocktake_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('counted', sa.BigInteger(), nullable=False),
    sa.Column('book_quantity', sa.BigInteger(), nullable=False),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.Column('counted_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'product_id'], ['product.workspace_id', 'product.id'], ),
    sa.ForeignKeyConstraint(['workspace_id', 'stocktake_id'], ['stocktake.workspace_id', 'stocktake.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'stocktake_id', 'product_id')
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('packs', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_negative', sa.Boolean(), nullable=False, server_default=sa.false()))

    # A document number now covers several movements: drop the unique (workspace_id, number)
    # that 0001 created without a name, keeping a plain index for lookups by number.
    unique = next(
        u["name"]
        for u in sa.inspect(op.get_bind()).get_unique_constraints("stock_movement")
        if u["column_names"] == ["workspace_id", "number"]
    )
    # SQLite reflects an unnamed constraint without a name; the convention gives it one to drop.
    with op.batch_alter_table('stock_movement', naming_convention=_SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(unique or 'uq_stock_movement_workspace_id', type_='unique')
        batch_op.create_index('ix_stock_movement_number', ['workspace_id', 'number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movement_number')
        batch_op.create_unique_constraint('stock_movement_workspace_id_number_key', ['workspace_id', 'number'])

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('packs')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('allow_negative')

    op.drop_table('stocktake_line')
    with op.batch_alter_table('stocktake', schema=None) as batch_op:
        batch_op.drop_index('ix_stocktake_open')

    op.drop_table('stocktake')
