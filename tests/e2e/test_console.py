"""``jxc`` as a user runs it: real subprocesses, scripted through a pipe."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = """\
商品 新增 A001 可口可乐 规格 330ml 单位 罐 进价 2.5 售价 3.5 安全库存 20
入库 A001 50 单价 2.4 备注 补货
出库 A001 5 单价 3.5
出库 A001 500
入库 A00l 5
入库 Ａ００１ ５０
库存 A001
流水 A001
乱写一气
新建账套 二号店
绑定 2
"""


def jxc(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "JXC_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        timeout=120,
    )


def test_console_reads_a_script_from_a_pipe_and_books_it(tmp_path):
    db = tmp_path / "shop.sqlite3"
    result = jxc("console", "--db", f"sqlite:///{db}", "--user", "小李", stdin=SCRIPT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✅ 已新增商品 A001 可口可乐" in out
    assert "✅ 入库 50 罐 · A001 可口可乐 · 结存 50 罐" in out
    assert re.search(r"单号：RK-\d{4}-0001", out)
    assert "库存金额：120.00 元" in out
    assert "✅ 出库 5 罐 · A001 可口可乐 · 结存 45 罐" in out
    assert "成本：12.00 元" in out
    assert "❌ 库存不足：A001 可口可乐 只有 45 罐，不能出库 500 罐。未记账。" in out
    assert "❌ 未找到商品 A00L，是否要找 A001 可口可乐？" in out
    assert "结存 95 罐" in out
    assert "库存：95 罐" in out
    assert "共 3 笔" in out
    assert "没看懂这句话" in out
    # The console keeps to its local workspace: it neither creates nor switches workspaces.
    assert "❌ 控制台使用本机的账套，不能「新建账套」。请在 Telegram 里使用这个命令。" in out
    assert "❌ 控制台使用本机的账套，不能「绑定」。请在 Telegram 里使用这个命令。" in out
    assert "<b>" not in out  # the console shows plain text
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT kind, quantity, value, actor_name FROM stock_movement ORDER BY id").fetchall()
    assert rows == [("receipt", 50000, 12000, "小李"), ("issue", -5000, -1200, "小李"), ("receipt", 50000, 12500, "小李")]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT id FROM workspace").fetchall() == [(1,)]

    check = jxc("check", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert check.returncode == 0
    assert "✅ 对账通过：1 个余额与 3 笔流水" in check.stdout


def test_check_exits_1_when_a_balance_disagrees_with_its_movements(tmp_path):
    db = tmp_path / "shop.sqlite3"
    jxc("console", "--db", f"sqlite:///{db}", stdin="商品 新增 A001 可乐\n入库 A001 5\n", cwd=tmp_path)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE stock_balance SET quantity = quantity + 1000")
    check = jxc("check", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert check.returncode == 1
    assert "❌ 对账失败" in check.stdout and "A001" in check.stdout


def test_check_exits_1_when_fifo_layers_disagree_with_the_balance(tmp_path):
    db = tmp_path / "shop.sqlite3"
    script = "设置 计价 先进先出\n商品 新增 A001 可乐\n入库 A001 10 单价 2\n入库 A001 5 单价 3\n出库 A001 12\n"
    result = jxc("console", "--db", f"sqlite:///{db}", stdin=script, cwd=tmp_path)
    assert "成本：26.00 元" in result.stdout  # 10 × 2 + 2 × 3
    assert jxc("check", "--db", f"sqlite:///{db}", cwd=tmp_path).returncode == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE cost_layer SET remaining_value = remaining_value - 1 WHERE remaining_quantity > 0")
    check = jxc("check", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert check.returncode == 1
    assert "先进先出成本批次合计 3.000/8.99" in check.stdout and "1 个余额与成本批次不符" in check.stdout


def test_demo_creates_a_believable_shop_and_opens_the_console(tmp_path):
    result = jxc("demo", "--path", str(tmp_path / "demo.sqlite3"), stdin="库存\n流水 A001\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "演示数据库已建好" in result.stderr
    first_page = result.stdout.split("> 流水")[0]
    assert "24 个商品" in first_page and "🔴" in first_page  # some products are out of stock on purpose
    assert "[下一页 ▶：库存 第2页]" in first_page
    assert "店长小王" in result.stdout and "仓管小李" in result.stdout
    check = jxc("check", "--db", f"sqlite:///{tmp_path / 'demo.sqlite3'}", cwd=tmp_path)
    assert check.returncode == 0, check.stdout


def test_main_job_without_a_token_is_the_demo(tmp_path):
    result = jxc(stdin="库存 A001\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "A001 可口可乐" in result.stdout
    assert (tmp_path / "data" / "demo.sqlite3").exists()


def test_run_without_a_token_explains_what_to_do(tmp_path):
    result = jxc("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
