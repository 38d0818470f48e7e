"""Backups through the real Application and the fake Bot API: 备份 arrives as a document in the
operator's private chat; the daily JobQueue job writes the folder (its retention is tested in tests/storage/test_backup.py)."""

from __future__ import annotations

import pytest

from bot.backup_jobs import JOB_NAME
from storage.backup import check_backup_file
from tests.e2e.telegram_harness import OWNER, STRANGER, Bot

pytestmark = pytest.mark.slow


@pytest.fixture
def bot_settings(tmp_path):  # type: ignore[no-untyped-def]
    return {"jxc_backup_dir": str(tmp_path / "backups"), "jxc_backup_keep": 2, "jxc_backup_time": "03:30"}


async def test_the_operator_receives_the_backup_as_a_file(bot: Bot, tmp_path, database_url):
    await bot.say("商品 新增 A001 可口可乐 单位 罐")
    await bot.say("入库 A001 10 单价 2")
    sent = await bot.say("备份")
    document = sent["document"]
    assert document["file_name"].startswith("jxc-")
    assert sent["caption"].startswith("💾 数据库备份 " + document["file_name"])
    (backup,) = (tmp_path / "backups").iterdir()
    assert sent["_file_bytes"] == backup.read_bytes()
    check_backup_file(database_url, backup)

    refused = await bot.say("备份", user_id=STRANGER)
    assert refused["text"].startswith("🔒 「备份」只给机器人的管理员") and "document" not in refused
    assert len(list((tmp_path / "backups").iterdir())) == 1


async def test_the_daily_backup_job_runs_at_the_set_time(bot: Bot, tmp_path, database_url):
    (job,) = bot.application.job_queue.get_jobs_by_name(JOB_NAME)
    first_run = job.next_t.astimezone(bot.settings.tz)
    assert (first_run.hour, first_run.minute) == (3, 30)
    folder = tmp_path / "backups"
    assert not folder.exists()
    await job.run(bot.application)  # what the scheduler does at 03:30
    (written,) = folder.iterdir()
    check_backup_file(database_url, written)
    latest = await bot.say("备份", user_id=OWNER)
    assert latest["document"]["file_name"] == written.name  # the daily one, no second copy
    assert list(folder.iterdir()) == [written]
