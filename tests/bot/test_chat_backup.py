"""备份 at the dispatcher: the bot's operator gets the newest backup file in the private chat;
every other person and place gets a refusal, and no file is made or sent."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta

import pytest

import bot.dispatcher as dispatcher_module
from bot.app import build_runtime
from bot.clock import ManualClock
from bot.dispatcher import Incoming
from bot.settings import Settings
from storage.backup import check_backup_file
from tests.bot.chatkit import NOW, OWNER, STRANGER, Person, private

GROUP = -100300
SHOPKEEPER = Person(2002, "小李", "xiaoli")  # owns a workspace of her own, but is no operator


@pytest.fixture
def shop(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    settings = Settings(
        database_url=url,
        jxc_owner_ids=str(OWNER.user_id),
        jxc_rate_limit="100000/60",
        jxc_backup_dir=str(tmp_path / "backups"),
        jxc_backup_keep=3,
        _env_file=None,
    )
    runtime = build_runtime(settings, ManualClock(NOW))
    handle = runtime.dispatcher.handle
    assert handle(private("商品 新增 A001 可口可乐 单位 罐")).html.startswith("✅")
    assert handle(private("入库 A001 10 单价 2")).html.startswith("✅")
    runtime.url, runtime.folder = url, tmp_path / "backups"  # type: ignore[attr-defined]
    yield runtime
    runtime.engine.dispose()


def folder_files(shop) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in shop.folder.iterdir()) if shop.folder.exists() else []


def test_the_operator_gets_a_fresh_backup_when_there_is_none_yet(shop):
    reply = shop.dispatcher.handle(private("备份"))
    assert reply.document is not None
    name, content = reply.document
    assert name.startswith("jxc-") and name.endswith(".sqlite3")
    assert content.startswith(b"SQLite format 3\x00")
    assert reply.html.startswith("💾 数据库备份 " + name) and "jxc restore" in reply.html
    assert folder_files(shop) == [name]
    check_backup_file(shop.url, shop.folder / name)
    # The file holds the books as they were.
    copy = sqlite3.connect(shop.folder / name)
    assert copy.execute("SELECT count(*) FROM stock_movement").fetchone()[0] == 1
    copy.close()


def test_the_operator_gets_the_newest_of_the_daily_backups(shop):
    for day in range(4):
        path = shop.dispatcher.backups.take(NOW + timedelta(days=day))
        stamp = (NOW + timedelta(days=day)).timestamp()
        os.utime(path, (stamp, stamp))
    assert len(folder_files(shop)) == 3  # retention: the newest three
    reply = shop.dispatcher.handle(private("备份"))
    assert reply.document is not None
    assert reply.document[0] == "jxc-20261125-020000.sqlite3"
    assert "2026-11-25 10:00" in reply.html  # shown in the shop's time zone


@pytest.mark.parametrize(
    ("incoming", "starts"),
    [
        (Incoming("备份", OWNER.user_id, OWNER.name, GROUP, "group", addressed=True), "❌ 「备份」请在与我的私聊中发送"),
        (private("备份", STRANGER), "🔒 「备份」只给机器人的管理员"),
        (private("备份", SHOPKEEPER), "🔒 「备份」只给机器人的管理员"),
        (Incoming("备份", 0, "店主", 0, "console"), "❌ 控制台使用本机的账套"),
    ],
    ids=["operator-in-a-group", "stranger", "owner-of-another-workspace", "console"],
)
def test_everyone_else_and_everywhere_else_is_refused(shop, incoming, starts):
    if incoming.user_id == SHOPKEEPER.user_id:
        assert shop.dispatcher.handle(private("新建账套 小李商店", SHOPKEEPER)).html.startswith("✅")
    reply = shop.dispatcher.handle(incoming)
    assert reply.html.startswith(starts), reply.html
    assert reply.document is None
    assert folder_files(shop) == []


def test_a_backup_too_large_for_telegram_is_refused_with_the_server_command(shop, monkeypatch):
    monkeypatch.setattr(dispatcher_module, "MAX_SEND_BYTES", 1024)
    reply = shop.dispatcher.handle(private("备份"))
    assert reply.document is None
    assert reply.html.startswith("❌ 备份没有发出：") and "50 MB" in reply.html and "jxc backup" in reply.html


def test_an_in_memory_database_cannot_be_backed_up_and_says_so():
    settings = Settings(database_url="sqlite://", jxc_owner_ids=str(OWNER.user_id), _env_file=None)
    runtime = build_runtime(settings, ManualClock(NOW))
    reply = runtime.dispatcher.handle(private("备份"))
    assert reply.document is None
    assert reply.html.startswith("❌ 备份没有发出：备份失败（内存数据库无法备份）")


def test_the_backup_time_setting_is_checked():
    assert Settings(jxc_backup_time="23:05", _env_file=None).backup_time.hour == 23
    for bad in ("24:00", "3", "03:60", "ab:cd"):
        with pytest.raises(ValueError):
            Settings(jxc_backup_time=bad, _env_file=None)
    with pytest.raises(ValueError):
        Settings(jxc_backup_keep=-1, _env_file=None)
