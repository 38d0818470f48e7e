"""How long one chat command takes in-process, against the floor of raw sqlite3.

Usage: .venv/bin/python bench/commands.py [--products 1000] [--rounds 2000] [--db-dir DIR]

Prints p50/p99 latency of 入库, 出库 and 库存 through the real dispatcher as a Telegram message
from a member in a private chat takes it (access lookup, rate limit, parser, service with its
audit entry and exactly-once update record, SQLite at synchronous=FULL, template), then the same
insert-and-update transaction written directly with sqlite3, and the ratio between them — the
framework's overhead made visible.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_runtime  # noqa: E402
from bot.dispatcher import Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402


OWNER = 1001


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def time_commands(directory: Path, products: int, rounds: int) -> dict[str, list[float]]:
    settings = Settings(
        database_url=f"sqlite:///{directory / 'bench.sqlite3'}",
        jxc_owner_ids=str(OWNER),
        jxc_rate_limit="1000000/1",
        _env_file=None,
    )
    runtime = build_runtime(settings)
    handle = runtime.dispatcher.handle
    update_ids = itertools.count(1)

    def say(text: str) -> None:
        incoming = Incoming(text, OWNER, "bench", OWNER, "private", update_id=next(update_ids))
        reply = handle(incoming)
        assert reply is not None and not reply.html.startswith(("❌", "🔒", "⚠️")), (text, reply.html)

    for number in range(products):
        say(f"商品 新增 P{number:05d} 商品{number} 单位 件 进价 2.5 安全库存 10")
    timings: dict[str, list[float]] = {"入库": [], "出库": [], "库存 <编码>": []}
    for round_number in range(rounds):
        code = f"P{round_number % products:05d}"
        for label, text in (("入库", f"入库 {code} 5 单价 2.4"), ("出库", f"出库 {code} 2"), ("库存 <编码>", f"库存 {code}")):
            start = time.perf_counter()
            say(text)
            timings[label].append(time.perf_counter() - start)
    runtime.engine.dispose()
    return timings


def time_raw_sqlite(directory: Path, rounds: int) -> list[float]:
    """The bare minimum a booking needs: append a row and update a balance, durably."""
    connection = sqlite3.connect(directory / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE movement (id INTEGER PRIMARY KEY, product INTEGER, quantity INTEGER, value INTEGER)")
    connection.execute("CREATE TABLE balance (product INTEGER PRIMARY KEY, quantity INTEGER, value INTEGER)")
    connection.execute("INSERT INTO balance VALUES (1, 0, 0)")
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO movement (product, quantity, value) VALUES (1, 5000, 1200)")
        connection.execute("UPDATE balance SET quantity = quantity + 5000, value = value + 1200 WHERE product = 1")
        connection.execute("COMMIT")
        samples.append(time.perf_counter() - start)
    connection.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--db-dir", type=Path, default=None, help="where to put the databases (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db_dir) as scratch:
        directory = Path(scratch)
        floor_p50, floor_p99 = percentiles(time_raw_sqlite(directory, args.rounds))
        print(f"raw sqlite3 insert+update (synchronous=FULL): p50 {floor_p50 * 1000:.3f} ms  p99 {floor_p99 * 1000:.3f} ms")
        for label, samples in time_commands(directory, args.products, args.rounds).items():
            p50, p99 = percentiles(samples)
            print(
                f"{label:<12} p50 {p50 * 1000:7.3f} ms  p99 {p99 * 1000:7.3f} ms  "
                f"{1 / statistics.mean(samples):7.0f}/s  ratio to floor (p50) {p50 / floor_p50:5.1f}×"
            )


if __name__ == "__main__":
    main()
