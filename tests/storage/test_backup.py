"""``jxc backup`` / ``jxc restore`` and the daily backup folder, on SQLite and PostgreSQL:
a consistent copy while bookings go on, a restore that brings the books back and checks them,
and refusals (nothing changed) for missing, corrupted and foreign files."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot import cli
from bot.app import build_runtime
from bot.dispatcher import Incoming
from bot.settings import Settings
from storage.backup import BackupDirectory, BackupError, check_backup_file

OWNER = 1001


@pytest.fixture
def shop(database_url):  # type: ignore[no-untyped-def]
    runtime = build_runtime(
        Settings(database_url=database_url, jxc_owner_ids=str(OWNER), jxc_rate_limit="100000/1", _env_file=None)
    )
    ids = itertools.count(1)

    def say(line: str) -> str:
        reply = runtime.dispatcher.handle(Incoming(line, OWNER, "店主", OWNER, "private", update_id=next(ids)))
        assert reply is not None and reply.html.startswith("✅"), reply
        return reply.html

    say("商品 新增 A001 可口可乐 单位 罐")
    say("入库 A001 100 单价 2")
    runtime.say = say  # type: ignore[attr-defined]
    yield runtime
    runtime.engine.dispose()


def movements(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM stock_movement")).scalar()


def run_cli(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_backup_while_booking_then_restore_brings_the_books_back(shop, database_url, tmp_path, capsys):
    suffix = ".sqlite3" if database_url.startswith("sqlite") else ".dump"
    target = tmp_path / "backups" / f"copy{suffix}"
    stop = threading.Event()

    def keep_booking() -> None:
        while not stop.is_set():
            shop.say("出库 A001 1")

    writer = threading.Thread(target=keep_booking)
    writer.start()
    try:
        code, output = run_cli(capsys, "backup", str(target), "--db", database_url)
    finally:
        stop.set()
        writer.join()
    assert code == 0, output
    assert "已备份到" in output and target.is_file()
    check_backup_file(database_url, target)  # a consistent, complete JXC database

    before = movements(shop)
    shop.say("入库 A001 7 单价 3")
    shop.say("商品 新增 B002 雪碧 单位 罐")
    shop.engine.dispose()
    code, output = run_cli(capsys, "restore", str(target), "--db", database_url)
    assert code == 0, output
    assert "已从" in output and "对账通过" in output
    restored = movements(shop)
    # Exactly the copy's books: fewer movements than now, none of the later ones.
    assert restored < before + 1
    with shop.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM product WHERE code = 'B002'")).scalar() == 0


def _corrupted(original: Path, tmp_path: Path) -> Path:
    data = original.read_bytes()
    broken = tmp_path / f"broken{original.suffix}"
    # Keep the header (so it looks like the right kind), scramble the middle.
    middle = len(data) // 2
    broken.write_bytes(data[:middle] + bytes(255 - b for b in data[middle : middle + 4096]) + data[middle + 4096 :])
    return broken


def _foreign_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "other-app.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("INSERT INTO notes (body) VALUES ('not ours')")
    connection.commit()
    connection.close()
    return path


@pytest.mark.parametrize("kind", ["missing", "text", "foreign", "corrupted", "truncated"])
def test_restore_refuses_a_bad_file_and_changes_nothing(shop, database_url, tmp_path, capsys, kind):
    suffix = ".sqlite3" if database_url.startswith("sqlite") else ".dump"
    good = tmp_path / f"good{suffix}"
    assert run_cli(capsys, "backup", str(good), "--db", database_url)[0] == 0
    if kind == "missing":
        bad = tmp_path / "nothing-here.sqlite3"
    elif kind == "text":
        bad = tmp_path / "notes.txt"
        bad.write_text("入库 A001 5\n", encoding="utf-8")
    elif kind == "foreign":
        bad = _foreign_sqlite(tmp_path)
    elif kind == "corrupted":
        bad = _corrupted(good, tmp_path)
    else:
        bad = tmp_path / f"half{suffix}"
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    shop.say("入库 A001 5 单价 2")  # made after the backup: a restore would lose it
    before = movements(shop)
    code, output = run_cli(capsys, "restore", str(bad), "--db", database_url)
    assert code == 1, output
    assert output.startswith("❌ 未恢复：") and "数据库没有改动" in output
    assert movements(shop) == before
    assert run_cli(capsys, "check", "--db", database_url)[0] == 0


def test_backup_of_a_missing_sqlite_database_is_refused(tmp_path, capsys):
    code, output = run_cli(capsys, "backup", str(tmp_path / "b.sqlite3"), "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    assert code == 1 and "找不到数据库文件" in output
    assert not (tmp_path / "none.sqlite3").exists() and not (tmp_path / "b.sqlite3").exists()


def test_the_backup_folder_keeps_the_newest_n(shop, database_url, tmp_path):
    folder = BackupDirectory(database_url, tmp_path / "daily", keep=3)
    assert folder.latest() is None
    start = datetime(2026, 11, 1, 3, 30, tzinfo=timezone.utc)
    taken = [folder.take(start + timedelta(days=day)) for day in range(5)]
    kept = sorted(p.name for p in (tmp_path / "daily").iterdir())
    assert kept == [p.name for p in taken[2:]]
    assert folder.latest() == taken[-1]
    check_backup_file(database_url, taken[-1])
    (tmp_path / "daily" / "notes.txt").write_text("other files are left alone")
    folder.take(start + timedelta(days=9))
    assert (tmp_path / "daily" / "notes.txt").exists()


def test_a_backup_for_the_other_kind_of_database_is_refused(shop, database_url, tmp_path):
    foreign = tmp_path / "wrong.bin"
    foreign.write_bytes(b"PGDMP" + bytes(100) if database_url.startswith("sqlite") else b"SQLite format 3\x00" + bytes(100))
    with pytest.raises(BackupError):
        check_backup_file(database_url, foreign)
