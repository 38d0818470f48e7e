"""Schema migrations (Alembic) as plain functions: ``jxc migrate`` and start-up call these.

Developers add a revision with ``python -m storage.migrate revision "what changed"``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from storage.db import DEFAULT_SQLITE_URL

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or DEFAULT_SQLITE_URL)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = _config()
    with engine.begin() as connection:
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
