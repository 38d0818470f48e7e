"""access: members, invitations, chat bindings, audit log, processed updates, confirmations, reversals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:43:25.647086
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('numbers', sa.String(length=400), nullable=False),
    sa.Column('changes', sa.String(length=4000), nullable=False),
    sa.Column('undoes', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'id'),
    sa.UniqueConstraint('workspace_id', 'undoes')
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_at', ['workspace_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_number', ['workspace_id', 'number'], unique=False)
        batch_op.create_index('ix_audit_subject', ['workspace_id', 'subject', 'id'], unique=False)
        batch_op.create_index('ix_audit_user', ['workspace_id', 'user_id', 'id'], unique=False)

    op.create_table('chat_binding',
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('show_sensitive', sa.Boolean(), nullable=False),
    sa.Column('bound_by', sa.BigInteger(), nullable=False),
    sa.Column('bound_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('chat_id')
    )
    with op.batch_alter_table('chat_binding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_binding_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('confirmation',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('token', sa.String(length=24), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.String(length=1100), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'token')
    )
    op.create_table('invitation',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'code')
    )
    op.create_table('member',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('warehouses', sa.String(length=400), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'user_id')
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_user', ['user_id'], unique=False)

    op.create_table('processed_update',
    sa.Column('workspace_id', sa.BigInteger(), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('workspace_id', 'update_id')
    )
    op.create_index('ix_processed_update_update', 'processed_update', ['update_id'], unique=False)
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_id', sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint('uq_stock_movement_reverses', ['workspace_id', 'reverses_id'])



def downgrade() -> None:
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_constraint('uq_stock_movement_reverses', type_='unique')
        batch_op.drop_column('reverses_id')

    op.drop_index('ix_processed_update_update', table_name='processed_update')
    op.drop_table('processed_update')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_user')

    op.drop_table('member')
    op.drop_table('invitation')
    op.drop_table('confirmation')
    with op.batch_alter_table('chat_binding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_binding_workspace_id'))

    op.drop_table('chat_binding')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_user')
        batch_op.drop_index('ix_audit_subject')
        batch_op.drop_index('ix_audit_number')
        batch_op.drop_index('ix_audit_at')

    op.drop_table('audit_entry')
