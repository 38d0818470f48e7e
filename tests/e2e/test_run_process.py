"""``jxc run`` as an operator starts it: a real process, configured only by its environment,
polling the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakebotapi import FakeBotApi

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_jxc_run_serves_telegram_from_environment_settings(tmp_path):
    with FakeBotApi() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "JXC_"))}
        env.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url.removesuffix("/bot"),
            DATABASE_URL=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            JXC_OWNER_IDS="1001, 1002",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            commands = api.wait_for_call("setMyCommands", timeout=60)
            assert {"in", "out", "stock", "product", "ledger", "help"} <= {c["command"] for c in commands["commands"]}
            api.send_text("商品 新增 A001 可口可乐 单位 罐", user_id=1002)
            api.send_text("入库 A001 12 单价 2.5", user_id=1002)
            replies = api.wait_for_messages(2, chat_id=1002, timeout=30)
            assert replies[1]["text"].startswith("✅ 入库 12 罐 · A001 可口可乐 · 结存 12 罐")
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=30)
        assert process.returncode == 0, output
        # httpx would log request URLs, which carry the token; the bot keeps it out of its logs.
        assert api.token not in output
        assert api.token.split(":", 1)[1] not in output
    check = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0 and "1 个余额与 1 笔流水" in check.stdout
