"""tax rate per workspace and order; confirmed over-deliveries on order lines

Revision ID: 0012
Revises: 0007
Create Date: 2026-11-22 04:45:09.674078
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('over_confirmed', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('trade_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_rate', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_rate', sa.BigInteger(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('tax_rate')

    with op.batch_alter_table('trade_order', schema=None) as batch_op:
        batch_op.drop_column('tax_rate')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('over_confirmed')

