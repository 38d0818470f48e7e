"""Alembic environment: migrations run on a connection handed over by ``storage.migrate``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import make_engine

target_metadata = SQLModel.metadata


def render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Render columns by the type the database stores, so migrations never import app code
    (our exact-number types are BIGINTs underneath, AutoString is a VARCHAR)."""
    if type_ != "type":
        return False
    if obj.__class__.__module__ == "storage.types":
        return f"sa.{obj.impl.__class__.__name__}()"
    if obj.__class__.__module__.startswith("sqlmodel"):
        return f"sa.String(length={obj.length!r})"
    return False


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as new_connection:
        run_migrations(new_connection)
