"""How long finding a product without its code takes, against an exact code and a raw floor.

Usage: .venv/bin/python bench/lookup.py [--products 800] [--rounds 300] [--db-dir DIR]

Prints p50/p99 of `库存 <code>`, `库存 <pinyin initials>` and `库存 <name fragment>` through the real
dispatcher (the fuzzy path runs only after the exact code misses: it ranks every active product's
name, pinyin cached per name), then the floor — reading every product name with raw sqlite3 — and
the ratios.
"""

from __future__ import annotations

import argparse
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
NAMES = "可口可乐 百事可乐 康师傅冰红茶 农夫山泉 雪碧 芬达 王老吉 加多宝 红牛 脉动 营养快线 旺仔牛奶".split()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--db-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db_dir) as directory:
        path = Path(directory) / "bench.sqlite3"
        settings = Settings(database_url=f"sqlite:///{path}", jxc_owner_ids=str(OWNER), jxc_rate_limit="1000000/1", _env_file=None)
        runtime = build_runtime(settings)

        def say(text: str) -> str:
            reply = runtime.dispatcher.handle(Incoming(text, OWNER, "bench", OWNER, "private"))
            assert reply is not None
            return reply.html

        for number in range(args.products):
            say(f"商品 新增 P{number:05d} {NAMES[number % len(NAMES)]}{number} 单位 件")
        say("商品 新增 Z0001 娃哈哈矿泉水 单位 瓶")  # the one product the queries below find
        cases = {"库存 <code>": "库存 Z0001", "库存 <initials>": "库存 whhkqs", "库存 <name>": "库存 娃哈哈"}
        timings: dict[str, list[float]] = {label: [] for label in cases}
        for _ in range(args.rounds):
            for label, text in cases.items():
                start = time.perf_counter()
                html = say(text)
                timings[label].append(time.perf_counter() - start)
                assert "Z0001" in html, html
        floor: list[float] = []
        connection = sqlite3.connect(path)
        for _ in range(args.rounds):
            start = time.perf_counter()
            connection.execute("SELECT code, name FROM product WHERE workspace_id = 1 AND active").fetchall()
            floor.append(time.perf_counter() - start)
        connection.close()
        floor_p50 = percentiles(floor)[0]
        print(f"{args.products + 1} products, {args.rounds} rounds")
        for label, samples in timings.items():
            p50, p99 = percentiles(samples)
            print(f"{label:16} p50 {p50 * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms  ×{p50 / floor_p50:8.1f} of the floor")
        print(f"{'floor (sqlite3)':16} p50 {floor_p50 * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
