"""Concurrent issues of one product through the real dispatcher, each on its own unit of work:
the database serialises them, so exactly the stock on hand goes out and nothing is oversold.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from bot import cli
from bot.app import build_runtime
from bot.dispatcher import Incoming
from bot.settings import Settings

OWNER = 1001
TASKS = 20


def test_twenty_concurrent_issues_never_oversell(database_url, capsys):
    settings = Settings(
        database_url=database_url, jxc_owner_ids=str(OWNER), jxc_rate_limit="1000/1", _env_file=None
    )
    runtime = build_runtime(settings)
    update_ids = itertools.count(1)

    def say(text_: str) -> str:
        reply = runtime.dispatcher.handle(Incoming(text_, OWNER, "店主", OWNER, "private", update_id=next(update_ids)))
        assert reply is not None
        return reply.html

    assert say("商品 新增 A001 可口可乐 单位 罐 进价 2 售价 3").startswith("✅")
    assert say("入库 A001 60 单价 2.5").startswith("✅")
    # 20 tasks × 5 = 100 wanted against 60 on hand: 12 go out, 8 are refused.
    start = threading.Barrier(TASKS)

    def issue(_: int) -> str:
        start.wait(timeout=30)
        return say("出库 A001 5")

    with ThreadPoolExecutor(max_workers=TASKS) as pool:
        replies = list(pool.map(issue, range(TASKS)))

    issued = [r for r in replies if r.startswith("✅ 出库 5 罐")]
    refused = [r for r in replies if r.startswith("❌ 库存不足")]
    assert (len(issued), len(refused)) == (12, 8), replies
    # Every refusal names the reason: what is left (nothing) and what was asked.
    assert all("只有 0 罐" in r and "5 罐" in r and "未记账" in r for r in refused), refused
    with runtime.engine.connect() as connection:
        quantity, value = connection.execute(text("SELECT quantity, value FROM stock_balance")).one()
        issues = connection.execute(text("SELECT COUNT(*) FROM stock_movement WHERE kind = 'issue'")).scalar()
    assert (quantity, value, issues) == (0, 0, 12)
    runtime.engine.dispose()

    capsys.readouterr()
    assert cli.main(["check", "--db", database_url]) == 0
    assert "对账通过" in capsys.readouterr().out


def test_the_same_update_on_two_replicas_at_once_takes_effect_once(database_url):
    settings = Settings(database_url=database_url, jxc_owner_ids=str(OWNER), jxc_rate_limit="1000/1", _env_file=None)
    replicas = [build_runtime(settings), build_runtime(settings)]
    texts = ["商品 新增 A001 可口可乐 单位 罐", "入库 A001 5 单价 2", "商品 新增 A002 雪碧 单位 罐", "出库 A001 2"]
    try:
        for update_id, text_ in enumerate(texts, start=100):
            start = threading.Barrier(2)

            def deliver(runtime):  # type: ignore[no-untyped-def]
                start.wait(timeout=30)
                incoming = Incoming(text_, OWNER, "店主", OWNER, "private", update_id=update_id)
                return runtime.dispatcher.handle(incoming).html

            with ThreadPoolExecutor(max_workers=2) as pool:
                replies = list(pool.map(deliver, replicas))
            # One booked it; the other says it already took effect (never "出错了").
            assert sorted(r[:1] for r in replies) == sorted(["✅", "ℹ"]), replies
        with replicas[0].engine.connect() as connection:
            counts = connection.execute(
                text("SELECT (SELECT count(*) FROM product), (SELECT count(*) FROM stock_movement),"
                     " (SELECT count(*) FROM processed_update)")
            ).one()
        assert tuple(counts) == (2, 2, 4)
    finally:
        for runtime in replicas:
            runtime.engine.dispose()
