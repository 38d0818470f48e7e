"""Throwaway PostgreSQL databases for tests (not a test module)."""

from __future__ import annotations

import time
import warnings

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError


def drop_database(admin: Engine, name: str) -> None:
    """Drop a throwaway test database. A server process of another role (autovacuum, a restore
    helper) can still hold it for a moment and refuse FORCE: wait and retry, and if it never lets
    go, leave it — a leftover database on a throwaway server is harmless, a failed test is not."""
    for attempt in range(10):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except (OperationalError, ProgrammingError):
            time.sleep(0.2 * (attempt + 1))
    warnings.warn(f"left the test database {name} behind: another role still holds it", stacklevel=2)
