"""The scale benchmark: a large shop, then latency, throughput and the big scans.

Usage: .venv/bin/python bench/scale.py [--db URL] [--products 100000] [--movements 1000000]
                                      [--partners 10000] [--rounds 1000] [--chats 50]

Builds the dataset with bulk inserts (100 000 products, 1 000 000 ledger movements with their
document numbers and running balances, 10 000 partners), checks it with ``jxc check``, then prints:

- in-process p50/p99 of 入库 / 出库 / 库存 through the real dispatcher (access lookup, rate
  limit, parser, service, audit row, exactly-once update record, template);
- the same through the real python-telegram-bot Application and the fake Bot API over HTTP;
- throughput with ``--chats`` chats sending at once (in-process threads, and over the fake API);
- the scans over all products (库存 overview sorted by urgency, 补货建议, 分析 ABC), and the
  alert scan, the monthly report and a chart when this build has them;
- the floor: the same insert-and-update transaction written directly with the driver
  (sqlite3 at synchronous=FULL, or psycopg), and the ratio of each command's p50 to it.

No timed assertions: figures go into docs/benchmarks.md with the date and the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot import parsing  # noqa: E402
from bot.app import build_runtime  # noqa: E402
from bot.dispatcher import Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain import commands as c  # noqa: E402
from domain.services import check_books  # noqa: E402
from storage.tables import CounterRow, PartnerRow, ProductRow, StockBalanceRow, StockMovementRow  # noqa: E402
from storage.unit_of_work import SqlUnitOfWork  # noqa: E402

OWNER = 1001
CHUNK = 20_000
NOW = datetime.now(timezone.utc)
BAD_REPLY = ("❌", "🔒", "⚠️")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


# ---- the dataset ---------------------------------------------------------------------------


def build_dataset(engine, workspace_id: int, products: int, movements: int, partners: int) -> None:  # type: ignore[no-untyped-def]
    """Products with a receipt and then issues, each movement carrying its running balance,
    spread over the last 90 days, written with bulk inserts in chunks."""
    per_product = max(1, movements // products)
    start = NOW - timedelta(days=90)
    step = timedelta(days=90) / per_product
    receipt_qty, issue_qty, price = Decimal(100 * per_product), Decimal(10), Decimal("2.5")
    product_rows, balance_rows, movement_rows = [], [], []
    movement_id = receipts = issues = 0

    def flush(force: bool = False) -> None:
        with engine.begin() as connection:
            for table, rows in (
                (ProductRow.__table__, product_rows),
                (StockBalanceRow.__table__, balance_rows),
                (StockMovementRow.__table__, movement_rows),
            ):
                if rows and (force or len(rows) >= CHUNK or table is not StockMovementRow.__table__):
                    connection.execute(insert(table), rows)
                    rows.clear()

    for number in range(1, products + 1):
        product_rows.append(
            dict(
                workspace_id=workspace_id, id=number, code=f"P{number:06d}", name=f"商品{number}", unit="件",
                purchase_price=price, sale_price=Decimal("3.5"), safety_stock=Decimal(50) if number % 7 else None,
                created_at=start, updated_at=start,
            )
        )
        quantity = value = Decimal(0)
        for index in range(per_product):
            movement_id += 1
            if index == 0:
                receipts += 1
                kind, moved, worth, doc = "receipt", receipt_qty, receipt_qty * price, f"RK-{start.year}-{receipts:04d}"
            else:
                issues += 1
                # Moving average: every unit costs 2.50, so an issue of 10 takes 25.00 exactly.
                kind, moved, worth, doc = "issue", -issue_qty, -issue_qty * price, f"CK-{start.year}-{issues:04d}"
            quantity, value = quantity + moved, value + worth
            at = start + step * index
            movement_rows.append(
                dict(
                    workspace_id=workspace_id, id=movement_id, number=doc, kind=kind, product_id=number,
                    warehouse_id=1, quantity=moved, value=worth, balance_quantity=quantity, balance_value=value,
                    unit_price=price if kind == "receipt" else Decimal("3.5"), counterparty="", note="",
                    occurred_at=at, recorded_at=at, actor_id=OWNER, actor_name="bench", chat_id=OWNER,
                )
            )
        balance_rows.append(
            dict(workspace_id=workspace_id, product_id=number, warehouse_id=1, quantity=quantity, value=value, updated_at=NOW)
        )
        if len(movement_rows) >= CHUNK:
            flush()
    flush(force=True)
    partner_rows = [
        dict(
            workspace_id=workspace_id, id=n, kind="供应商" if n % 2 else "客户", name=f"伙伴{n:05d}",
            terms_days=30, created_at=start,
        )
        for n in range(1, partners + 1)
    ]
    counters = {
        "id:product": products, "id:stock_movement": movement_id, "id:partner": partners,
        f"RK-{start.year}": receipts, f"CK-{start.year}": issues,
    }
    with engine.begin() as connection:
        if partner_rows:
            connection.execute(insert(PartnerRow.__table__), partner_rows)
        connection.execute(
            insert(CounterRow.__table__),
            [dict(workspace_id=workspace_id, key=key, value=value) for key, value in counters.items()],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


# ---- measuring -------------------------------------------------------------------------------


class Shop:
    def __init__(self, url: str, chats: int) -> None:
        owners = ",".join(str(OWNER + n) for n in range(chats))
        self.values = dict(database_url=url, jxc_owner_ids=owners, jxc_rate_limit="1000000/1", jxc_backup_keep=0)
        self.settings = Settings(**self.values, _env_file=None)
        self.runtime = build_runtime(self.settings)
        self.update_ids = itertools.count(10_000_000)
        self._lock = threading.Lock()

    def say(self, line: str, user: int = OWNER) -> str:
        with self._lock:
            update_id = next(self.update_ids)
        reply = self.runtime.dispatcher.handle(Incoming(line, user, "bench", user, "private", update_id=update_id))
        assert reply is not None and not reply.html.startswith(BAD_REPLY), (line, reply and reply.html)
        return reply.html


def commands_for(products: int, rng: random.Random) -> list[tuple[str, str]]:
    code = f"P{rng.randint(1, products):06d}"
    return [("入库", f"入库 {code} 5 单价 2.5"), ("出库", f"出库 {code} 2"), ("库存 <编码>", f"库存 {code}")]


def time_in_process(shop: Shop, products: int, rounds: int) -> dict[str, list[float]]:
    rng = random.Random(1)
    timings: dict[str, list[float]] = {}
    for _ in range(rounds):
        for label, line in commands_for(products, rng):
            begin = time.perf_counter()
            shop.say(line)
            timings.setdefault(label, []).append(time.perf_counter() - begin)
    return timings


def throughput_in_process(shop: Shop, products: int, chats: int, per_chat: int) -> float:
    def chat(n: int) -> None:
        rng = random.Random(n)
        for _ in range(per_chat):
            label, line = commands_for(products, rng)[rng.randrange(2)]  # 入库 or 出库: writes
            shop.say(line, OWNER + n)

    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=chats) as pool:
        list(pool.map(chat, range(chats)))
    return chats * per_chat / (time.perf_counter() - begin)


async def over_fake_api(shop: Shop, products: int, rounds: int, chats: int, per_chat: int) -> tuple[dict[str, list[float]], float]:
    from bot.telegram_app import build_application
    from tests.fakebotapi import FakeBotApi

    with FakeBotApi() as api:
        settings = Settings(
            **shop.values, telegram_bot_token=api.token, telegram_api_base_url=api.base_url.removesuffix("/bot"),
            _env_file=None,
        )
        application = build_application(settings, shop.runtime.dispatcher)
        await application.initialize()
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            rng = random.Random(2)
            timings: dict[str, list[float]] = {}
            for _ in range(rounds):
                for label, line in commands_for(products, rng):
                    before = len(api.sent_messages(OWNER))
                    begin = time.perf_counter()
                    api.send_text(line, user_id=OWNER)
                    replies = await api.await_messages(before + 1, chat_id=OWNER, timeout=30)
                    timings.setdefault(label, []).append(time.perf_counter() - begin)
                    assert not replies[before]["text"].startswith(BAD_REPLY), replies[before]["text"]
            counts = {OWNER + n: len(api.sent_messages(OWNER + n)) for n in range(chats)}
            begin = time.perf_counter()
            for turn in range(per_chat):
                for n in range(chats):
                    label, line = commands_for(products, random.Random(turn * chats + n))[turn % 2]
                    api.send_text(line, user_id=OWNER + n)
            for n in range(chats):
                await api.await_messages(counts[OWNER + n] + per_chat, chat_id=OWNER + n, timeout=120)
            rate = chats * per_chat / (time.perf_counter() - begin)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    return timings, rate


def time_once(shop: Shop, line: str, repeat: int = 3) -> float | None:
    """Best of ``repeat`` runs of a command, or None when this build does not have it yet."""
    if isinstance(parsing.parse(line, date.today()), c.NotYetAvailable):
        return None
    samples = []
    for _ in range(repeat):
        begin = time.perf_counter()
        shop.say(line)
        samples.append(time.perf_counter() - begin)
    return min(samples)


# ---- the floor -----------------------------------------------------------------------------


def floor_sqlite(directory: Path, rounds: int) -> list[float]:
    connection = sqlite3.connect(directory / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE movement (id INTEGER PRIMARY KEY, product INTEGER, quantity INTEGER, value INTEGER)")
    connection.execute("CREATE TABLE balance (product INTEGER PRIMARY KEY, quantity INTEGER, value INTEGER)")
    connection.execute("INSERT INTO balance VALUES (1, 0, 0)")
    samples = []
    for _ in range(rounds):
        begin = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO movement (product, quantity, value) VALUES (1, 5000, 1200)")
        connection.execute("UPDATE balance SET quantity = quantity + 5000, value = value + 1200 WHERE product = 1")
        connection.execute("COMMIT")
        samples.append(time.perf_counter() - begin)
    connection.close()
    return samples


def floor_postgres(url: str, rounds: int) -> list[float]:
    import psycopg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("CREATE TEMP TABLE movement (id BIGSERIAL PRIMARY KEY, product BIGINT, quantity BIGINT, value BIGINT)")
        connection.execute("CREATE TEMP TABLE balance (product BIGINT PRIMARY KEY, quantity BIGINT, value BIGINT)")
        connection.execute("INSERT INTO balance VALUES (1, 0, 0)")
        samples = []
        for _ in range(rounds):
            begin = time.perf_counter()
            with connection.transaction():
                connection.execute("INSERT INTO movement (product, quantity, value) VALUES (1, 5000, 1200)")
                connection.execute("UPDATE balance SET quantity = quantity + 5000, value = value + 1200 WHERE product = 1")
            samples.append(time.perf_counter() - begin)
    return samples


# ---- main ------------------------------------------------------------------------------------


def report(label: str, samples: list[float], floor: float) -> None:
    p50, p99 = percentiles(samples)
    print(f"  {label:<14} p50 {ms(p50)}  p99 {ms(p99)}  {1 / statistics.mean(samples):7.0f}/s  p50 ÷ floor {p50 / floor:5.1f}×")


def timed(label: str, work: Callable[[], object]) -> object:
    begin = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - begin:.1f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temp dir); PostgreSQL: an empty database")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1000, help="commands of each kind timed in-process")
    parser.add_argument("--api-rounds", type=int, default=200, help="commands of each kind timed over the fake Bot API")
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--per-chat", type=int, default=20)
    args = parser.parse_args()

    print(f"{datetime.now():%Y-%m-%d %H:%M} · {platform.node()} · {os.cpu_count()} CPUs · {platform.processor() or platform.machine()}"
          f" · Python {platform.python_version()} · SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        url = args.db or f"sqlite:///{directory / 'scale.sqlite3'}"
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        shop = Shop(url, args.chats)
        engine, workspace = shop.runtime.engine, shop.runtime.workspace_id
        timed(
            f"dataset ({args.products:,} products, {args.movements:,} movements, {args.partners:,} partners)",
            lambda: build_dataset(engine, workspace, args.products, args.movements, args.partners),
        )
        books = timed("jxc check over the whole ledger", lambda: check_books(SqlUnitOfWork(engine, workspace)))
        assert books.ok, books.mismatches  # type: ignore[attr-defined]

        floor = percentiles(floor_sqlite(directory, 2000) if engine.dialect.name == "sqlite" else floor_postgres(url, 2000))[0]
        print(f"floor: raw {engine.dialect.name} insert + update transaction p50 {ms(floor)}")

        print(f"in-process, {args.rounds} of each:")
        for label, samples in time_in_process(shop, args.products, args.rounds).items():
            report(label, samples, floor)
        rate = throughput_in_process(shop, args.products, args.chats, args.per_chat)
        print(f"  throughput, {args.chats} chats at once (入库/出库): {rate:7.0f} commands/s")

        print(f"through the fake Bot API over HTTP (python-telegram-bot polling), {args.api_rounds} of each:")
        api_timings, api_rate = asyncio.run(over_fake_api(shop, args.products, args.api_rounds, args.chats, args.per_chat))
        for label, samples in api_timings.items():
            report(label, samples, floor)
        print(f"  throughput, {args.chats} chats at once (入库/出库): {api_rate:7.0f} commands/s")

        print("scans over all products (best of 3):")
        for label, line in (
            ("库存 overview (urgency sort)", "库存"),
            ("补货建议 30天", "补货建议 30天"),
            ("分析 ABC 90天", "分析 ABC 90天"),
            ("alert scan (预警 检查)", "预警 检查"),
            ("monthly report (报表 本月)", "报表 本月"),
            ("chart (图表 库存)", "图表 库存"),
        ):
            seconds = time_once(shop, line)
            print(f"  {label:<32} " + (f"{seconds * 1000:9.1f} ms" if seconds is not None else "      n/a (not in this build yet)"))
        engine.dispose()


if __name__ == "__main__":
    main()
