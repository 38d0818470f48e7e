"""How long reports, charts and exports take on a big shop, against the floor of raw sqlite3.

Usage: .venv/bin/python bench/reports.py [--products 10000] [--movements 1000000] [--orders 20000] [--runs 3] [--db-dir DIR]

Builds an SQLite database through the migrations, then bulk-inserts (plain sqlite3, one
transaction) ``--products`` products and ``--movements`` movements spread over the last 365
days — receipts, issues with prices and customers, a few scraps — with balances that equal the
sum of the movements. Then it sends each command through the real dispatcher (console chat:
parser, service, SQL aggregation, template, chart or workbook) and prints the median of
``--runs`` runs against the targets (report ≤ 1 s, chart ≤ 0.3 s, export ≤ 2 s), and the
floor: the month's GROUP BY over the ledger written directly in sqlite3.
"""

from __future__ import annotations

import argparse
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_runtime  # noqa: E402
from bot.dispatcher import Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402

OWNER = 1001
TARGETS = {"report": 1.0, "chart": 0.3, "export": 2.0}
COMMANDS = [
    ("report", "报表 本月"),
    ("report", "报表 上月 进销存"),
    ("report", "报表 本月 销售"),
    ("report", "报表 本月 客户"),
    ("report", "报表 本月 每日"),
    ("report", "报表 本月 采购"),
    ("report", "报表 365天 进销存"),
    ("report", "排行 销售 本月"),
    ("report", "排行 毛利 本月"),
    ("report", "滞销 30天"),
    ("report", "周转"),
    ("chart", "图表 销售趋势 30天"),
    ("chart", "图表 排行"),
    ("chart", "图表 库存"),
    ("chart", "图表 P00042 90天"),
    ("export", "导出 进销存 本月"),
    ("export", "导出 报表 本月"),
    ("export", "导出 排行 本月"),
    ("export", "导出 滞销 30天"),
    ("export", "导出 周转"),
    ("export", "导出 流水 P00042 365天"),
    ("export", "导出 流水 7天"),
    ("export", "导出 模板 商品"),
    # Over the documents (--orders purchase orders and their receipts, as many sales items,
    # payments and cash-book entries; every item open).
    ("report", "报表 本月 资金"),
    ("chart", "图表 账龄"),
    ("export", "导出 应收"),
    ("export", "导出 应付"),
    ("export", "导出 对账单 @客户001 本月"),
]
CATEGORIES = ["饮料", "零食", "日用", "粮油", "调味", "乳品", "冷冻", "酒水", "烟草", "文具", "清洁", ""]
CUSTOMERS = [f"客户{n:03d}" for n in range(200)] + [""]
SUPPLIERS = [f"供应商{n:02d}" for n in range(30)]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores DateTime on SQLite


def populate(path: Path, products: int, movements: int, now: datetime) -> float:
    """Bulk-insert the shop; returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    created = _stamp(now)
    db.execute("INSERT OR IGNORE INTO warehouse (workspace_id, id, name, is_default) VALUES (1, 2, '二仓', 0)")
    db.executemany(
        "INSERT INTO product (workspace_id, id, code, name, unit, spec, category, barcode, purchase_price, sale_price,"
        " safety_stock, max_stock, active, packs, created_at, updated_at) VALUES (1, ?, ?, ?, '件', '', ?, '', ?, ?, ?, NULL, 1, '', ?, ?)",
        [
            (pid, f"P{pid:05d}", f"商品{pid}", CATEGORIES[pid % len(CATEGORIES)], 20000 + pid % 300 * 100, 35000 + pid % 300 * 150, 10_000, created, created)
            for pid in range(1, products + 1)
        ],
    )
    # Per product: a constant unit cost keeps the moving average exact in integers.
    cost = {pid: 200 + pid % 300 for pid in range(1, products + 1)}  # fen per unit
    balance: dict[tuple[int, int], list[int]] = {}
    start = now - timedelta(days=365)
    step = (now - start) / movements
    rows = []
    for n in range(movements):
        pid = rng.randint(1, products)
        wid = 1 if rng.random() < 0.8 else 2
        held = balance.setdefault((pid, wid), [0, 0])
        roll = rng.random()
        at = _stamp(start + step * n)
        if held[0] < 5_000 or roll < 0.40:
            quantity = rng.randint(10, 60)
            kind, number, who, price = "receipt", f"RK-2026-{n:07d}", SUPPLIERS[pid % len(SUPPLIERS)], cost[pid] * 100
        elif roll < 0.98:
            quantity = -min(held[0] // 1000, rng.randint(1, 8))
            kind, number, who = "issue", f"CK-2026-{n:07d}", rng.choice(CUSTOMERS)
            price = None if rng.random() < 0.1 else (cost[pid] + 150) * 100
        else:
            quantity = -1
            kind, number, who, price = "scrap", f"BS-2026-{n:07d}", "", None
        q, v = quantity * 1000, quantity * cost[pid]
        held[0] += q
        held[1] += v
        rows.append((n + 1, number, kind, pid, wid, q, v, held[0], held[1], price, who, at, at))
        if len(rows) == 100_000:
            _insert_movements(db, rows)
            rows = []
    _insert_movements(db, rows)
    db.executemany(
        "INSERT INTO stock_balance (workspace_id, product_id, warehouse_id, quantity, value, updated_at) VALUES (1, ?, ?, ?, ?, ?)",
        [(pid, wid, q, v, created) for (pid, wid), (q, v) in balance.items()],
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


def populate_documents(path: Path, orders: int, products: int, now: datetime) -> None:
    """Partners, ``orders`` purchase orders (half with a 交期) each with one receipt's payable,
    as many receivables, half as many payments of each kind, and cash-book entries."""
    rng = random.Random(11)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    created = _stamp(now)
    names = [("供应商", name) for name in SUPPLIERS] + [("客户", name) for name in CUSTOMERS if name]
    db.executemany(
        "INSERT INTO partner (workspace_id, id, kind, name, contact, phone, terms_days, credit_limit, created_at, lead_days)"
        " VALUES (1, ?, ?, ?, '', '', 30, NULL, ?, NULL)",
        [(pid, kind, name, created) for pid, (kind, name) in enumerate(names, start=1)],
    )
    suppliers = list(range(1, len(SUPPLIERS) + 1))
    customers = list(range(len(SUPPLIERS) + 1, len(names) + 1))
    today = now.date()
    order_rows, line_rows, items, payments = [], [], [], []
    for n in range(1, orders + 1):
        day = today - timedelta(days=rng.randint(0, 364))
        due = day + timedelta(days=rng.randint(-3, 7)) if n % 2 else None
        number = f"PO-2026-{n:06d}"
        quantity = rng.randint(10, 200)
        rejected = rng.randint(0, 3)
        order_rows.append((n, number, rng.choice(suppliers), due.isoformat() if due else None, created))
        line_rows.append((n, rng.randint(1, products), quantity * 1000, 240_00, quantity * 1000 - rejected * 1000, quantity * 240, rejected * 1000))
        items.append((2 * n - 1, "应付", order_rows[-1][2], f"RK-B-{n:06d}", number, quantity * 240, day.isoformat(), (day + timedelta(days=30)).isoformat()))
        sold = today - timedelta(days=rng.randint(0, 364))
        items.append((2 * n, "应收", rng.choice(customers), f"CK-B-{n:06d}", "", rng.randint(100, 100_000), sold.isoformat(), (sold + timedelta(days=30)).isoformat()))
        if n % 2 == 0:
            for ledger, partners in (("应收", customers), ("应付", suppliers)):
                at = now - timedelta(days=rng.randint(0, 364))
                payments.append((len(payments) + 1, ledger, rng.choice(partners), f"P-B-{len(payments) + 1:07d}", rng.randint(100, 50_000), rng.choice(("现金", "银行", "微信", "支付宝")), _stamp(at), at.date().isoformat()))
    db.executemany(
        "INSERT INTO trade_order (workspace_id, id, kind, number, partner_id, status, warehouse_id, due_on, discount, note, created_at, created_by)"
        " VALUES (1, ?, '采购单', ?, ?, '已完成', 1, ?, NULL, '', ?, 'bench')",
        order_rows,
    )
    db.executemany(
        "INSERT INTO order_line (workspace_id, order_id, line_no, product_id, quantity, unit_price, price_source, done, billed, rejected)"
        " VALUES (1, ?, 1, ?, ?, ?, '所填单价', ?, ?, ?)",
        line_rows,
    )
    db.executemany(
        "INSERT INTO open_item (workspace_id, id, ledger, partner_id, number, order_number, amount, occurred_on, due_on) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
        items,
    )
    db.executemany(
        "INSERT INTO payment (workspace_id, id, ledger, partner_id, number, amount, account, occurred_at, occurred_on, note) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, '')",
        payments,
    )
    db.executemany(
        "INSERT INTO cash_entry (workspace_id, id, number, income, amount, account, note, occurred_at) VALUES (1, ?, ?, ?, ?, '现金', 'bench', ?)",
        [(n, f"FY-B-{n:06d}", n % 5 == 0, rng.randint(100, 20_000), _stamp(now - timedelta(days=rng.randint(0, 364)))) for n in range(1, orders // 10 + 1)],
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _insert_movements(db: sqlite3.Connection, rows: list[tuple]) -> None:
    db.executemany(
        "INSERT INTO stock_movement (workspace_id, id, number, kind, product_id, warehouse_id, quantity, value,"
        " balance_quantity, balance_value, unit_price, counterparty, note, occurred_at, recorded_at, actor_id,"
        " actor_name, chat_id, reverses_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 1001, 'bench', 0, NULL)",
        rows,
    )


def floor(path: Path, now: datetime, runs: int) -> float:
    """The month's per-product sums, straight from sqlite3 (the least any report can cost)."""
    db = sqlite3.connect(path)
    begin = _stamp(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) - timedelta(hours=8))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        db.execute(
            "SELECT product_id, SUM(quantity), SUM(value) FROM stock_movement WHERE workspace_id = 1 AND occurred_at >= ?"
            " GROUP BY +product_id",  # by time, not by walking a product index over the whole ledger
            (begin,),
        ).fetchall()
        samples.append(time.perf_counter() - started)
    db.close()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db-dir", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="build the database here once and reuse it on later runs")
    parser.add_argument("--only", default="", help="run only the commands containing this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db_dir) as directory:
        path = args.keep or Path(directory) / "bench.sqlite3"
        existed = path.exists()
        settings = Settings(database_url=f"sqlite:///{path}", jxc_owner_ids=str(OWNER), _env_file=None)
        runtime = build_runtime(settings)  # migrates and creates 默认账套 (workspace 1)
        now = datetime.now(timezone.utc)
        loaded = 0.0 if existed else populate(path, args.products, args.movements, now)
        if not existed:
            populate_documents(path, args.orders, args.products, now)
        print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()} · SQLite {sqlite3.sqlite_version}")
        print(f"populated {args.products:,} products and {args.movements:,} movements in {loaded:.1f} s, and {args.orders:,} orders")
        base = floor(path, now, args.runs)
        print(f"floor (raw sqlite3 GROUP BY of this month): {base * 1000:.1f} ms\n")
        handle = runtime.dispatcher.handle
        print(f"{'command':<28}{'median':>10}{'target':>9}{'÷ floor':>9}  result")
        for kind, text in COMMANDS:
            if args.only not in text:
                continue
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                reply = handle(Incoming(text, 0, "bench", 0, chat_type="console"))
                samples.append(time.perf_counter() - started)
                assert reply is not None and not reply.html.startswith("❌"), (text, reply and reply.html)
            median = statistics.median(samples)
            target = TARGETS[kind]
            verdict = "ok" if median <= target else "OVER"
            print(f"{text:<28}{median * 1000:>8.0f}ms{target * 1000:>7.0f}ms{median / base:>8.1f}×  {verdict}")
        runtime.engine.dispose()


if __name__ == "__main__":
    main()
