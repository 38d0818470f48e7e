"""Backups: a consistent copy while the bot runs, and a restore that refuses foreign files.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while other connections keep writing. PostgreSQL: ``pg_dump --format=custom`` when the client
tools are installed (Debian: ``postgresql-client``), ``pg_restore`` to bring it back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from storage.migrate import MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
# Tables every JXC database has, whatever its revision: a file without them is not ours.
REQUIRED_TABLES = ("alembic_version", "product", "stock_movement", "stock_balance")
BACKUP_PREFIX = "jxc-"


class BackupError(Exception):
    """A backup or restore that could not be done; ``str()`` is the one-line reason (Chinese)."""


def _known_revisions() -> set[str]:
    revisions = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision"):
                revisions.add(line.split("=", 1)[1].strip().strip("'\""))
    return revisions


# ---- SQLite ----------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("内存数据库无法备份")
    return Path(url.database)


def _copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # one step: a consistent snapshot even while the bot writes
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        copy.close()
    os.replace(partial, target)  # never a half-written backup under the real name


def _check_sqlite_file(path: Path) -> None:
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path.name} 不是 SQLite 数据库文件")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path.name} 已损坏（完整性检查未通过）")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupError(f"{path.name} 不是本系统的备份（缺少表 {', '.join(missing)}）")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] not in _known_revisions():
            raise BackupError(f"{path.name} 的数据库版本未知（{revision[0] if revision else '空'}），无法恢复")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} 已损坏（{error}）") from None
    finally:
        connection.close()


# ---- PostgreSQL ------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client），"
            "或按 deploy/README.md 的步骤手动备份"
        )
    return tool


def _pg_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (it would show in the process list) and the env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)


def _check_pg_dump(path: Path) -> None:
    with path.open("rb") as file:
        if file.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
            raise BackupError(f"{path.name} 不是 pg_dump 备份文件（-Fc 格式）")
    listing = _run([_pg_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    if listing.returncode != 0:
        raise BackupError(f"{path.name} 已损坏（pg_restore 无法读取）")
    missing = [t for t in REQUIRED_TABLES if f" TABLE public {t} " not in listing.stdout]
    if missing:
        raise BackupError(f"{path.name} 不是本系统的备份（缺少表 {', '.join(missing)}）")


# ---- the operations --------------------------------------------------------------------


def suffix_for(url: str) -> str:
    return ".sqlite3" if make_url(url).get_backend_name() == "sqlite" else ".dump"


def backup_database(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    parsed = make_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if not path.is_file():
            raise BackupError(f"找不到数据库文件 {path}")
        source = sqlite3.connect(path, timeout=30)
        try:
            _copy_sqlite(source, target)
        finally:
            source.close()
        return target
    uri, env = _pg_env(parsed)
    partial = target.with_name(target.name + ".part")
    done = _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={uri}"], env)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败：{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    os.replace(partial, target)
    return target


def check_backup_file(url: str, source: Path) -> None:
    """Refuse a file that is missing, corrupted or not a JXC backup for this kind of database."""
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    if make_url(url).get_backend_name() == "sqlite":
        _check_sqlite_file(source)
    else:
        _check_pg_dump(source)


def restore_database(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup ``source`` (checked first).

    Stop the bot first: a restore rewinds the books under a running process.
    """
    check_backup_file(url, source)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target_path = _sqlite_path(parsed)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            backup.backup(target)  # page by page into the live file, under SQLite's own locks
        finally:
            target.close()
            backup.close()
        return
    uri, env = _pg_env(parsed)
    done = _run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         f"--dbname={uri}", str(source)],
        env,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败：{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")


@dataclass
class BackupDirectory:
    """Daily backups in one folder, the newest ``keep`` kept."""

    url: str
    directory: Path
    keep: int

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        suffix = suffix_for(self.url)
        found = [p for p in self.directory.iterdir() if p.name.startswith(BACKUP_PREFIX) and p.suffix == suffix]
        return sorted(found, key=lambda p: p.name)  # the name carries the timestamp

    def take(self, now: datetime) -> Path:
        """Back up now and delete all but the newest ``keep`` backups."""
        name = f"{BACKUP_PREFIX}{now.strftime('%Y%m%d-%H%M%S')}{suffix_for(self.url)}"
        path = backup_database(self.url, self.directory / name)
        for old in self._files()[: -self.keep] if self.keep > 0 else []:
            old.unlink(missing_ok=True)
        return path

    def latest(self) -> Path | None:
        files = self._files()
        return files[-1] if files else None


def make_backup_directory(engine: Engine, directory: str, keep: int) -> BackupDirectory:
    return BackupDirectory(engine.url.render_as_string(hide_password=False), Path(directory), keep)
