"""Schema migrations (Alembic) as plain functions: ``jxc migrate`` and start-up call these.

Developers add a revision with ``python -m storage.migrate revision "what changed"``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from storage.db import DEFAULT_SQLITE_URL

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or DEFAULT_SQLITE_URL)
    return config


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for a migration.

    On SQLite a batch migration rebuilds a table (copy, drop, rename); with foreign keys on,
    dropping a table that other rows refer to fails. Alembic's advice: switch them off for the
    migration (only possible outside a transaction) and prove afterwards that every reference
    still holds.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    config = _config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = _config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "revision":
        # Autogenerate against a scratch SQLite database brought to head first.
        scratch = Path("data/.autogen.sqlite3")
        scratch.unlink(missing_ok=True)
        url = f"sqlite:///{scratch}"
        from storage.db import make_engine

        upgrade(make_engine(url))
        command.revision(_config(url), message=sys.argv[2], autogenerate=True)
        scratch.unlink(missing_ok=True)
    else:
        sys.exit('usage: python -m storage.migrate revision "message"')
