"""Inventory (issue 5) through the dispatcher on a real database: 调拨 and the split 库存 card,
报损, a whole 盘点 with its confirm button, packing units, 设置 负库存 with the cost adjustment of
the restoring receipt, 分析 ABC and 补货建议 — exact replies, the ledger rows behind them, and
refusals that change nothing. The runtime fixtures run `jxc check` for every workspace after each
scenario; the scenarios whose storage matters run on SQLite and PostgreSQL (any_runtime)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.dispatcher import Reply
from storage.tables import StockBalanceRow, StockMovementRow, StocktakeRow, WarehouseRow
from tests.bot.chatkit import (
    OWNER,
    Person,
    assert_books_ok,
    bind,
    changed_tables,
    group,
    join,
    make_runtime,
    ok,
    press,
    private,
    say,
    snapshot,
)

D = Decimal
KEEPER = Person(2001, "老李", "laoli")
KEEPER_2 = Person(2002, "王五", "wangwu")
SELLER = Person(2004, "销售丁", "seller")
GROUP = -100500
NOTE = "🔒 成本和金额已私聊发给你。"
FOREIGN = Reply("🔒 这个按钮只能由发出命令的人点。", alert=True)


# ---- the database behind the replies ---------------------------------------------------------


def ledger(runtime: Runtime, workspace_id: int = 1) -> list[tuple[str, str, str, Decimal, Decimal]]:
    """(number, kind, warehouse, quantity, value) of every movement, oldest first."""
    m, w = StockMovementRow.__table__, WarehouseRow.__table__
    query = (
        select(m.c.number, m.c.kind, w.c.name, m.c.quantity, m.c.value)
        .join(w, (w.c.workspace_id == m.c.workspace_id) & (w.c.id == m.c.warehouse_id))
        .where(m.c.workspace_id == workspace_id)
        .order_by(m.c.id)
    )
    with runtime.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def balances(runtime: Runtime, workspace_id: int = 1) -> dict[str, tuple[Decimal, Decimal]]:
    """Warehouse name → (quantity, value) of the workspace's stored balances (one product per test)."""
    b, w = StockBalanceRow.__table__, WarehouseRow.__table__
    query = (
        select(w.c.name, b.c.quantity, b.c.value)
        .join(w, (w.c.workspace_id == b.c.workspace_id) & (w.c.id == b.c.warehouse_id))
        .where(b.c.workspace_id == workspace_id)
    )
    with runtime.engine.connect() as connection:
        return {name: (quantity, value) for name, quantity, value in connection.execute(query)}


def stocktakes(runtime: Runtime, workspace_id: int = 1) -> list[tuple[str, str, str]]:
    """(number, warehouse, status) of every count, oldest first."""
    s, w = StocktakeRow.__table__, WarehouseRow.__table__
    query = (
        select(s.c.number, w.c.name, s.c.status)
        .join(w, (w.c.workspace_id == s.c.workspace_id) & (w.c.id == s.c.warehouse_id))
        .where(s.c.workspace_id == workspace_id)
        .order_by(s.c.id)
    )
    with runtime.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def refused(runtime: Runtime, incoming, expected: str) -> None:  # type: ignore[no-untyped-def]
    """The exact refusal, and not one row written anywhere."""
    before = snapshot(runtime.engine)
    reply = say(runtime, incoming)
    assert reply.html == expected
    assert reply.buttons == [] and reply.private is None
    assert snapshot(runtime.engine) == before, f"the refusal changed {changed_tables(before, snapshot(runtime.engine))}"


def setup(runtime: Runtime, *texts: str, person: Person = OWNER) -> None:
    for text in texts:
        ok(say(runtime, private(text, person)), ("✅", "📋", "📝"))


# ---- 调拨 ----------------------------------------------------------------------------------------


def test_a_transfer_moves_quantity_and_value_at_cost_and_the_card_splits_them(any_runtime: Runtime) -> None:
    rt = any_runtime
    setup(rt, "商品 新增 A001 可口可乐 单位 罐 安全库存 2", "仓库 新增 二仓", "入库 A001 3 单价 3.33", "入库 A001 1 单价 3.34")
    # docs/valuation.md: 4 罐 worth 9.99 + 3.34 = 13.33 (average 3.3325) in 主仓.
    reply = say(rt, private("调拨 A001 1 主仓→二仓"))
    # 1 × 13.33 ÷ 4 = 3.3325 → 3.33 leaves 主仓 and arrives in 二仓.
    assert reply.html == (
        "✅ 调拨 1 罐 · <b>A001</b> 可口可乐 · 主仓 → 二仓\n"
        "单号：DB-2026-0001 · 按成本转移 3.33 元\n"
        "主仓 结存 3 罐 · 二仓 结存 1 罐"
    )
    assert say(rt, private("库存 A001")).html == (
        "📦 <b>A001</b> 可口可乐\n"
        "库存：<b>4</b> 罐 · 正常\n"
        "  主仓 3 罐 · 10.00 元\n"
        "  二仓 1 罐 · 3.33 元\n"
        "成本价：3.3325 元/罐 · 库存金额：13.33 元\n"
        "安全库存：2\n"
        "流水：<code>流水 A001</code>"
    )
    # The transfer that empties 主仓 takes its whole remaining value (10.00), not 3 × 3.3325.
    reply = say(rt, private("调拨 A001 3 主仓 到 二仓"))
    assert reply.html == (
        "✅ 调拨 3 罐 · <b>A001</b> 可口可乐 · 主仓 → 二仓\n"
        "单号：DB-2026-0002 · 按成本转移 10.00 元\n"
        "主仓 结存 0 罐 · 二仓 结存 4 罐"
    )
    assert "  主仓 0 罐 · 0.00 元\n  二仓 4 罐 · 13.33 元\n" in say(rt, private("库存 A001")).html
    assert ledger(rt) == [
        ("RK-2026-0001", "receipt", "主仓", D("3"), D("9.99")),
        ("RK-2026-0002", "receipt", "主仓", D("1"), D("3.34")),
        ("DB-2026-0001", "transfer_out", "主仓", D("-1"), D("-3.33")),
        ("DB-2026-0001", "transfer_in", "二仓", D("1"), D("3.33")),
        ("DB-2026-0002", "transfer_out", "主仓", D("-3"), D("-10.00")),
        ("DB-2026-0002", "transfer_in", "二仓", D("3"), D("10.00")),
    ]
    assert balances(rt) == {"主仓": (D("0"), D("0.00")), "二仓": (D("4"), D("13.33"))}
    ledger_reply = say(rt, private("流水 A001")).html
    assert "DB-2026-0002 调入 <b>+3</b> → 4 · 10.00元 · 来自主仓 · 老王" in ledger_reply
    assert "DB-2026-0002 调出 <b>-3</b> → 0 · -10.00元 · 调往二仓 · 老王" in ledger_reply
    assert_books_ok(rt)


def test_undoing_a_transfer_reverses_both_legs(any_runtime: Runtime) -> None:
    rt = any_runtime
    setup(rt, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓", "入库 A001 3 单价 3.33", "入库 A001 1 单价 3.34")
    setup(rt, "调拨 A001 1 主仓→二仓", "调拨 A001 3 主仓→二仓")
    question = say(rt, private("撤销 DB-2026-0002"))
    assert question.html == (
        "↩️ 确认撤销 <b>DB-2026-0002</b>？\n"
        "调拨 · 11-22 10:00 · 老王 · <b>A001</b> 可口可乐\n"
        "调出 -3 · -10.00 元\n"
        "调入 +3 · 10.00 元\n"
        "撤销会追加反向的冲销流水，原记录保留。\n"
        "原命令：<code>调拨 A001 3 主仓→二仓</code>\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    undone = press(rt, private(""), question.buttons[0][0].data)
    assert undone.html == "↩️ 已撤销 DB-2026-0002（调拨）\n冲销单号：CX-2026-0001 · 2 笔流水已反向冲销"
    assert balances(rt) == {"主仓": (D("3"), D("10.00")), "二仓": (D("1"), D("3.33"))}
    # What arrived in 二仓 leaves it first, then 主仓 gets it back: no value created or lost.
    assert ledger(rt)[-2:] == [
        ("CX-2026-0001", "reversal", "二仓", D("-3"), D("-10.00")),
        ("CX-2026-0001", "reversal", "主仓", D("3"), D("10.00")),
    ]
    assert_books_ok(rt)


def _two_warehouses(runtime: Runtime) -> Runtime:
    """A001 可口可乐: 100 罐 at 2.40 in 主仓, 5 罐 at 2.40 in 二仓 (a receipt, so no transfer is
    typical yet); a keeper limited to 二仓."""
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐 进价 2.5", "仓库 新增 二仓", "入库 A001 100 单价 2.4", "入库 A001 5 单价 2.4 仓库 二仓")
    join(runtime, "仓管", KEEPER)
    ok(say(runtime, private("成员 仓库 @laoli 二仓")))
    return runtime


@pytest.fixture
def two_warehouses(runtime: Runtime) -> Runtime:
    return _two_warehouses(runtime)


@pytest.fixture(scope="module")
def unchanged_shop() -> Iterator[Runtime]:
    """The same shop shared by the refusals (each proves by snapshot that it wrote nothing)."""
    runtime = _two_warehouses(make_runtime())
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()


NOT_MAIN = "🔒 你没有仓库「主仓」的权限。写上你负责的仓库，如 <code>仓库 二仓</code>。"

TRANSFER_REFUSALS = [
    # The source is short: the refusal names the warehouse and what it holds.
    (OWNER, "调拨 A001 8 二仓→主仓", "❌ 库存不足：<b>A001</b> 可口可乐 在二仓只有 5 罐，不能调出 8 罐。未记账。"),
    (OWNER, "调拨 A001 101 主仓->二仓", "❌ 库存不足：<b>A001</b> 可口可乐 在主仓只有 100 罐，不能调出 101 罐。未记账。"),
    # The same warehouse twice is the domain's refusal (the parser let it through).
    (OWNER, "调拨 A001 5 主仓→主仓", "❌ 调出和调入都是「主仓」。用法：<code>调拨 A001 10 主仓→二仓</code>"),
    (OWNER, "调拨 A001 5 二仓 到 二仓", "❌ 调出和调入都是「二仓」。用法：<code>调拨 A001 10 主仓→二仓</code>"),
    (OWNER, "调拨 A001 5 主仓→三仓", "❌ 没有仓库「三仓」。现有：主仓、二仓。\n新增：<code>仓库 新增 三仓</code>"),
    (OWNER, "调拨 A001 5 三仓→主仓", "❌ 没有仓库「三仓」。现有：主仓、二仓。\n新增：<code>仓库 新增 三仓</code>"),
    (OWNER, "调拨 Z999 1 主仓→二仓", "❌ 未找到商品 Z999。\n新增商品：<code>商品 新增 &lt;编码&gt; &lt;名称&gt; 单位 …</code>"),
    (OWNER, "调拨 A001 1.5 主仓→二仓", "❌ <b>A001</b> 可口可乐 按「罐」计数，数量 1.5 不能有小数。"),
    (
        OWNER,
        "调拨 A001 2盒 主仓→二仓",
        "❌ <b>A001</b> 可口可乐 的单位是「罐」，不能按「盒」记账。\n请写数量加「罐」或只写数字，例如 <code>入库 A001 10</code>",
    ),
    # A member limited to 二仓 may move nothing into or out of 主仓, and sees only 二仓 as existing.
    (KEEPER, "调拨 A001 5 主仓→二仓", NOT_MAIN),
    (KEEPER, "调拨 A001 1 二仓→主仓", NOT_MAIN),
    (KEEPER, "调拨 A001 1 二仓→三仓", "❌ 没有仓库「三仓」。现有：二仓。\n新增：<code>仓库 新增 三仓</code>"),
]


@pytest.mark.parametrize(("person", "text", "expected"), TRANSFER_REFUSALS, ids=[t for _, t, _ in TRANSFER_REFUSALS])
def test_a_refused_transfer_says_why_and_changes_nothing(unchanged_shop: Runtime, person: Person, text: str, expected: str) -> None:
    refused(unchanged_shop, private(text, person), expected)


def test_a_transfer_in_a_group_hides_its_value_and_sends_it_privately(two_warehouses: Runtime) -> None:
    rt = two_warehouses
    bind(rt, GROUP)
    reply = say(rt, group("调拨 A001 10 主仓→二仓", GROUP))
    public = "✅ 调拨 10 罐 · <b>A001</b> 可口可乐 · 主仓 → 二仓\n单号：DB-2026-0001\n主仓 结存 90 罐 · 二仓 结存 15 罐"
    assert reply.html == f"{public}\n{NOTE}"
    assert reply.private is not None and reply.private.html == (
        "✅ 调拨 10 罐 · <b>A001</b> 可口可乐 · 主仓 → 二仓\n单号：DB-2026-0001 · 按成本转移 24.00 元\n主仓 结存 90 罐 · 二仓 结存 15 罐"
    )
    card = say(rt, group("库存 A001", GROUP))
    assert card.html == (
        "📦 <b>A001</b> 可口可乐\n库存：<b>105</b> 罐 · 正常\n  主仓 90 罐\n  二仓 15 罐\n安全库存：—\n流水：<code>流水 A001</code>\n" + NOTE
    )
    assert card.private is not None and "  主仓 90 罐 · 216.00 元\n  二仓 15 罐 · 36.00 元\n" in card.private.html
    # The limited keeper's card shows his warehouse only, as the whole stock.
    assert say(rt, private("库存 A001", KEEPER)).html == (
        "📦 <b>A001</b> 可口可乐\n库存：<b>15</b> 罐 · 正常\n成本价：2.40 元/罐 · 库存金额：36.00 元\n安全库存：—\n流水：<code>流水 A001</code>"
    )


def test_a_tenfold_transfer_asks_first_and_the_button_books_it(two_warehouses: Runtime) -> None:
    rt = two_warehouses
    setup(rt, "调拨 A001 2 主仓→二仓")  # the usual transfer is now 2 罐
    before = snapshot(rt.engine)
    question = say(rt, private("调拨 A001 30 主仓→二仓"))
    assert question.html == (
        "⚠️ 请确认：<code>调拨 A001 30 主仓→二仓 确认</code>\n"
        "· 数量 30 是平时（约 2）的 10 倍以上\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    assert changed_tables(before, snapshot(rt.engine)) == {"confirmation"}
    done = press(rt, private(""), question.buttons[0][0].data)
    assert done.html.startswith("✅ 调拨 30 罐 · <b>A001</b> 可口可乐 · 主仓 → 二仓\n单号：DB-2026-0002 · 按成本转移 72.00 元")
    assert balances(rt) == {"主仓": (D("68"), D("163.20")), "二仓": (D("37"), D("88.80"))}


def test_a_tenfold_transfer_the_source_cannot_cover_is_refused_without_a_question(two_warehouses: Runtime) -> None:
    setup(two_warehouses, "调拨 A001 2 主仓→二仓")  # 二仓 holds 7; the usual transfer is 2
    refused(two_warehouses, private("调拨 A001 60 二仓→主仓"), "❌ 库存不足：<b>A001</b> 可口可乐 在二仓只有 7 罐，不能调出 60 罐。未记账。")


# ---- 报损 ----------------------------------------------------------------------------------------


def test_a_scrap_goes_out_at_cost_with_its_reason(any_runtime: Runtime) -> None:
    rt = any_runtime
    setup(rt, "商品 新增 A001 可口可乐 单位 罐 进价 2.5 安全库存 99", "入库 A001 100 单价 2.4")
    reply = say(rt, private("报损 A001 2 原因 破损 <玻璃>"))
    assert reply.html == (
        "✅ 报损 2 罐 · <b>A001</b> 可口可乐 · 结存 98 罐\n"
        "单号：BS-2026-0001 · 主仓 · 原因：破损 &lt;玻璃&gt;\n"
        "损失（按成本）：4.80 元\n"
        "⚠️ 低于安全库存"
    )
    assert ledger(rt)[-1] == ("BS-2026-0001", "scrap", "主仓", D("-2"), D("-4.80"))
    m = StockMovementRow.__table__
    with rt.engine.connect() as connection:
        assert connection.scalar(select(m.c.note).where(m.c.number == "BS-2026-0001")) == "破损 <玻璃>"
    assert balances(rt) == {"主仓": (D("98"), D("235.20"))}
    # The ledger shows it as 报损 with its reason; 日志 records it.
    assert "BS-2026-0001 报损 <b>-2</b> → 98 · -4.80元 · 破损 &lt;玻璃&gt; · 老王" in say(rt, private("流水 A001")).html
    assert "老王 · 报损 A001 · BS-2026-0001" in say(rt, private("日志")).html
    assert_books_ok(rt)


def test_a_scrap_in_a_group_hides_the_loss_and_a_short_stock_is_refused(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓", "入库 A001 10 单价 2.4")
    join(runtime, "仓管", KEEPER)
    bind(runtime, GROUP)
    reply = say(runtime, group("报损 A001 1 原因 过期", GROUP, KEEPER))
    public = "✅ 报损 1 罐 · <b>A001</b> 可口可乐 · 结存 9 罐\n单号：BS-2026-0001 · 主仓 · 原因：过期"
    assert reply.html == f"{public}\n{NOTE}"
    assert reply.private is not None and reply.private.html == f"{public}\n损失（按成本）：2.40 元"
    # Short in the named warehouse: refused with its name and nothing written.
    refused(runtime, group("报损 A001 1 仓库 二仓 原因 破损", GROUP, KEEPER), "❌ 库存不足：<b>A001</b> 可口可乐 在二仓只有 0 罐，不能报损 1 罐。未记账。")
    refused(runtime, group("报损 A001 10 原因 丢失", GROUP, KEEPER), "❌ 库存不足：<b>A001</b> 可口可乐 在主仓只有 9 罐，不能报损 10 罐。未记账。")
    refused(
        runtime,
        group("报损 A001 1", GROUP, KEEPER),
        "❌ 请写报损原因，如 原因 破损\n用法：<code>报损 &lt;编码&gt; &lt;数量&gt; 原因 … [仓库 …] [批次 …]</code>",
    )


# ---- 盘点 ----------------------------------------------------------------------------------------


def test_a_whole_stocktake_through_the_chat(any_runtime: Runtime) -> None:
    rt = any_runtime
    setup(
        rt,
        "商品 新增 A001 可口可乐 单位 罐 进价 2.5",
        "商品 新增 B002 雪碧<&> 单位 瓶 进价 2",
        "商品 新增 C003 芬达 单位 瓶",
        "商品 新增 D004 美年达 单位 瓶",
        "入库 A001 100 单价 2.4",
        "入库 B002 10 单价 2",
        "入库 C003 5 单价 1",
        "入库 D004 7 单价 1",
    )
    assert say(rt, private("盘点 开始")).html == (
        "📋 已开始盘点 PD-2026-0001 · 主仓\n"
        "逐个录入实盘数量：<code>盘点 A001 48</code>（重录会覆盖）\n"
        "查看差异：<code>盘点 差异</code> · 记账：<code>盘点 确认</code> · 放弃：<code>盘点 取消</code>\n"
        "没有录入的商品不会改动。"
    )
    assert say(rt, private("盘点 A001 70")).html == (
        "📝 PD-2026-0001 · <b>A001</b> 可口可乐 实盘 70 罐 · 账面 100 · 盘亏 -30\n"
        "已录入 1 个商品 · <code>盘点 差异</code> 查看 · <code>盘点 确认</code> 记账"
    )
    # A recount replaces the earlier count.
    assert say(rt, private("盘点 A001 60")).html.startswith("📝 PD-2026-0001 · <b>A001</b> 可口可乐 实盘 60 罐 · 账面 100 · 盘亏 -40\n已录入 1 个商品")
    assert "实盘 12 瓶 · 账面 10 · 盘盈 +2\n已录入 2 个商品" in say(rt, private("盘点 B002 12")).html
    assert "实盘 5 瓶 · 账面 5 · 相符\n已录入 3 个商品" in say(rt, private("盘点 C003 5")).html
    # Goods move after the count: the variance stays against the book at count time.
    ok(say(rt, private("出库 A001 5")))
    variance = say(rt, private("盘点 差异"))
    # The loss of 40 costs 40 × 228.00 ÷ 95 = 96.00; the gain of 2 瓶 at the average 2.00 is 4.00.
    assert variance.html == (
        "📋 盘点 PD-2026-0001 · 主仓 · 已录入 3 个商品\n"
        "盘盈 4.00 元 · 盘亏 96.00 元（按当前成本估算）\n"
        "🔴 <b>A001</b> 可口可乐 实盘 60 · 账面 100 · -40 罐 · -96.00元\n"
        "🟢 <b>B002</b> 雪碧&lt;&amp;&gt; 实盘 12 · 账面 10 · +2 瓶 · 4.00元\n"
        "⚪ <b>C003</b> 芬达 实盘 5 · 账面 5 · 0 瓶"
    )
    before = snapshot(rt.engine)
    question = say(rt, private("盘点 确认"))
    assert question.html == (
        "📋 确认盘点 PD-2026-0001 · 主仓：录入 3 个商品，2 个有差异\n"
        "盘盈 4.00 元 · 盘亏 96.00 元（按当前成本）\n"
        "<b>A001</b> 可口可乐 -40 罐\n"
        "<b>B002</b> 雪碧&lt;&amp;&gt; +2 瓶\n"
        "确认后按差异记盘盈盘亏，没有录入的商品不改动。\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    assert [[(b.text, b.command) for b in row] for row in question.buttons] == [
        [("✅ 确认", "盘点 确认 仓库 主仓 确认"), ("✖ 取消", "")]
    ]
    (confirm, cancel), = question.buttons
    assert confirm.data.startswith("cf:") and cancel.data == "cx:" + confirm.data[3:]
    assert changed_tables(before, snapshot(rt.engine)) == {"confirmation"}, "asking booked something"
    # ✖ books nothing and leaves the count open.
    assert press(rt, private(""), cancel.data).html == "✖ 已取消，没有执行：<code>盘点 确认 仓库 主仓 确认</code>"
    assert stocktakes(rt) == [("PD-2026-0001", "主仓", "open")]
    assert [row for row in ledger(rt) if row[0].startswith("PD")] == []
    # Asked again and confirmed with the button.
    question = say(rt, private("盘点 确认"))
    done = press(rt, private(""), question.buttons[0][0].data)
    assert done.html == (
        "✅ 盘点 PD-2026-0001 已记账 · 主仓 · 录入 3 个商品，2 个有差异\n"
        "盘盈 4.00 元 · 盘亏 96.00 元\n"
        "<b>A001</b> 可口可乐 -40 罐（实盘 60，账面 100） · -96.00元\n"
        "<b>B002</b> 雪碧&lt;&amp;&gt; +2 瓶（实盘 12，账面 10） · 4.00元\n"
        "撤销整张盘点单：<code>撤销 PD-2026-0001</code>"
    )
    booked = [row for row in ledger(rt) if row[0] == "PD-2026-0001"]
    assert sorted(booked, key=lambda row: row[1]) == [
        ("PD-2026-0001", "stocktake_gain", "主仓", D("2"), D("4.00")),
        ("PD-2026-0001", "stocktake_loss", "主仓", D("-40"), D("-96.00")),
    ]
    # The question showed exactly what was booked.
    gains, losses = re.search(r"盘盈 ([\d.]+) 元 · 盘亏 ([\d.]+) 元", question.html).groups()  # type: ignore[union-attr]
    assert (D(gains), D(losses)) == (sum(v for *_, v in booked if v > 0), -sum(v for *_, v in booked if v < 0))
    assert stocktakes(rt) == [("PD-2026-0001", "主仓", "confirmed")]
    # 60 counted − 5 sold since = 55 罐 worth 228.00 − 96.00; C003 matched and D004 was not counted: untouched.
    assert "库存：<b>55</b> 罐 · 正常\n成本价：2.40 元/罐 · 库存金额：132.00 元" in say(rt, private("库存 A001")).html
    assert "库存：<b>12</b> 瓶" in say(rt, private("库存 B002")).html
    assert [row for row in ledger(rt) if row[0].startswith("PD") and row[2] != "主仓"] == []
    assert "库存：<b>7</b> 瓶" in say(rt, private("库存 D004")).html
    assert say(rt, private("盘点 差异")).html == "ℹ️ 现在没有进行中的盘点。开始：<code>盘点 开始</code>"
    # The whole count is undone with its number.
    undo = say(rt, private("撤销 PD-2026-0001"))
    assert undo.html.startswith("↩️ 确认撤销 <b>PD-2026-0001</b>？\n盘点确认 · 11-22 10:00 · 老王\n")
    assert "盘亏 -40 · -96.00 元\n" in undo.html and "盘盈 +2 · 4.00 元\n" in undo.html
    undone = press(rt, private(""), undo.buttons[0][0].data)
    assert undone.html == "↩️ 已撤销 PD-2026-0001（盘点确认）\n冲销单号：CX-2026-0001 · 2 笔流水已反向冲销"
    assert "库存：<b>95</b> 罐 · 正常\n成本价：2.40 元/罐 · 库存金额：228.00 元" in say(rt, private("库存 A001")).html
    assert "库存：<b>10</b> 瓶" in say(rt, private("库存 B002")).html
    assert_books_ok(rt)


def test_a_stocktake_in_a_group_hides_values_and_only_its_issuer_may_press(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐", "入库 A001 100 单价 2.4")
    join(runtime, "仓管", KEEPER)
    join(runtime, "仓管", KEEPER_2)
    bind(runtime, GROUP)
    ok(say(runtime, group("盘点 开始", GROUP, KEEPER)), "📋")
    ok(say(runtime, group("盘点 A001 90", GROUP, KEEPER)), "📝")
    variance = say(runtime, group("盘点 差异", GROUP, KEEPER))
    assert variance.html == (
        "📋 盘点 PD-2026-0001 · 主仓 · 已录入 1 个商品\n🔴 <b>A001</b> 可口可乐 实盘 90 · 账面 100 · -10 罐\n" + NOTE
    )
    assert variance.private is not None and "盘亏 24.00 元（按当前成本估算）" in variance.private.html
    question = say(runtime, group("盘点 确认", GROUP, KEEPER))
    assert question.html == (
        "📋 确认盘点 PD-2026-0001 · 主仓：录入 1 个商品，1 个有差异\n"
        "<b>A001</b> 可口可乐 -10 罐\n"
        "确认后按差异记盘盈盘亏，没有录入的商品不改动。\n"
        "5 分钟内有效，只有发出命令的人能确认。"
    )
    (confirm, cancel), = question.buttons
    # Another keeper (who may count) and the owner press: a pop-up for them, nothing booked.
    before = snapshot(runtime.engine)
    for person in (KEEPER_2, OWNER):
        for data in (confirm.data, cancel.data):
            assert press(runtime, group("", GROUP, person), data) == FOREIGN
    assert snapshot(runtime.engine) == before
    done = press(runtime, group("", GROUP, KEEPER), confirm.data)
    public = (
        "✅ 盘点 PD-2026-0001 已记账 · 主仓 · 录入 1 个商品，1 个有差异\n"
        "<b>A001</b> 可口可乐 -10 罐（实盘 90，账面 100）\n"
        "撤销整张盘点单：<code>撤销 PD-2026-0001</code>"
    )
    assert done.html == f"{public}\n{NOTE}"
    assert done.private is not None and done.private.html == (
        "✅ 盘点 PD-2026-0001 已记账 · 主仓 · 录入 1 个商品，1 个有差异\n"
        "盘盈 0.00 元 · 盘亏 24.00 元\n"
        "<b>A001</b> 可口可乐 -10 罐（实盘 90，账面 100） · -24.00元\n"
        "撤销整张盘点单：<code>撤销 PD-2026-0001</code>"
    )
    assert stocktakes(runtime) == [("PD-2026-0001", "主仓", "confirmed")]
    assert balances(runtime) == {"主仓": (D("90"), D("216.00"))}


def test_a_count_matching_the_book_everywhere_books_nothing_and_cannot_be_undone(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐", "入库 A001 10 单价 2", "盘点 开始", "盘点 A001 10")
    question = say(runtime, private("盘点 确认"))
    assert question.html.startswith("📋 确认盘点 PD-2026-0001 · 主仓：录入 1 个商品，0 个有差异\n盘盈 0.00 元 · 盘亏 0.00 元")
    done = press(runtime, private(""), question.buttons[0][0].data)
    assert done.html == (
        "✅ 盘点 PD-2026-0001 已记账 · 主仓 · 录入 1 个商品，0 个有差异\n"
        "盘盈 0.00 元 · 盘亏 0.00 元\n"
        "撤销整张盘点单：<code>撤销 PD-2026-0001</code>"
    )
    assert [row[1] for row in ledger(runtime)] == ["receipt"]
    assert stocktakes(runtime) == [("PD-2026-0001", "主仓", "confirmed")]
    # (The hint suits member changes, not a count; reported, not pinned.)
    refused(
        runtime,
        private("撤销 PD-2026-0001"),
        "❌ 「盘点确认（无差异）」不能撤销：它没有记账。",
    )


def test_the_question_of_a_long_count_names_every_difference(runtime: Runtime) -> None:
    for n in range(12):
        setup(runtime, f"商品 新增 P{n:02d} 货{n} 单位 件", f"入库 P{n:02d} 10 单价 1")
    setup(runtime, "盘点 开始", *(f"盘点 P{n:02d} {n}" for n in range(12)))  # P10 matches, P11 gains 1
    question = say(runtime, private("盘点 确认"))
    assert question.html.startswith("📋 确认盘点 PD-2026-0001 · 主仓：录入 12 个商品，11 个有差异\n盘盈 1.00 元 · 盘亏 55.00 元")
    assert "<b>P11</b> 货11 +1 件" in question.html


def test_a_limited_keeper_counts_in_his_warehouse_while_the_owner_counts_the_main_one(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓", "入库 A001 10 单价 2", "调拨 A001 4 主仓→二仓")
    join(runtime, "仓管", KEEPER)
    ok(say(runtime, private("成员 仓库 @laoli 二仓")))
    setup(runtime, "盘点 开始")
    refused(runtime, private("盘点 开始", KEEPER), NOT_MAIN)
    assert say(runtime, private("盘点 开始 二仓", KEEPER)).html.startswith("📋 已开始盘点 PD-2026-0002 · 二仓\n")
    # Two counts are open; the keeper may see one, so his counts go there without naming it.
    assert say(runtime, private("盘点 A001 3", KEEPER)).html.startswith("📝 PD-2026-0002 · <b>A001</b> 可口可乐 实盘 3 罐 · 账面 4 · 盘亏 -1")
    refused(runtime, private("盘点 A001 6"), "❓ 主仓、二仓 都在盘点，请写明仓库，如 <code>盘点 A001 48 仓库 主仓</code>")
    assert say(runtime, private("盘点 A001 6 仓库 主仓")).html.startswith("📝 PD-2026-0001 · <b>A001</b> 可口可乐 实盘 6 罐 · 账面 6 · 相符")
    ok(say(runtime, private("盘点 确认 仓库 二仓 确认", KEEPER)))
    assert balances(runtime) == {"主仓": (D("6"), D("12.00")), "二仓": (D("3"), D("6.00"))}
    assert say(runtime, private("盘点 取消")).html == "✅ 已取消盘点 PD-2026-0001 · 主仓（录入的 1 个商品不记账）"
    assert stocktakes(runtime) == [("PD-2026-0001", "主仓", "cancelled"), ("PD-2026-0002", "二仓", "confirmed")]


NO_COUNT = "ℹ️ 现在没有进行中的盘点。开始：<code>盘点 开始</code>"
STOCKTAKE_REFUSALS = [
    ((), OWNER, "盘点 A001 48", NO_COUNT),
    ((), OWNER, "盘点 差异", NO_COUNT),
    ((), OWNER, "盘点 确认", NO_COUNT),
    ((), OWNER, "盘点 取消", NO_COUNT),
    ((), OWNER, "盘点 A001 48 仓库 二仓", "ℹ️ 二仓没有进行中的盘点。开始：<code>盘点 开始 二仓</code>"),
    ((), OWNER, "盘点 开始 三仓", "❌ 没有仓库「三仓」。现有：主仓、二仓。\n新增：<code>仓库 新增 三仓</code>"),
    ((), KEEPER, "盘点 开始", NOT_MAIN),
    (
        ("盘点 开始",),
        OWNER,
        "盘点 开始",
        "ℹ️ 主仓已经在盘点（PD-2026-0001）。继续录入：<code>盘点 A001 48</code>；结束：<code>盘点 确认</code> 或 <code>盘点 取消</code>",
    ),
    (
        ("盘点 开始",),
        OWNER,
        "盘点 确认",
        "❌ 盘点 PD-2026-0001 还没有录入任何商品。录入：<code>盘点 A001 48</code>；不盘了：<code>盘点 取消</code>",
    ),
    # The keeper limited to 二仓 does not see the count of 主仓.
    (("盘点 开始",), KEEPER, "盘点 A001 48", NO_COUNT),
    (("盘点 开始",), OWNER, "盘点 Z999 1", "❌ 未找到商品 Z999。\n新增商品：<code>商品 新增 &lt;编码&gt; &lt;名称&gt; 单位 …</code>"),
    (
        ("盘点 开始",),
        OWNER,
        "盘点 A001 2盒",
        "❌ <b>A001</b> 可口可乐 的单位是「罐」，不能按「盒」记账。\n请写数量加「罐」或只写数字，例如 <code>入库 A001 10</code>",
    ),
    # Counted 10 of 100, then 20 sold: the loss of 90 is more than the 80 left — recount first.
    (
        ("盘点 开始", "盘点 A001 10", "出库 A001 20"),
        OWNER,
        "盘点 确认",
        "❌ 不能记账：<b>A001</b> 可口可乐 盘亏 90 罐，但现在只剩 80 罐（录入后又有出库）。请重新录入：<code>盘点 A001 &lt;实盘数量&gt;</code>",
    ),
    (
        ("盘点 开始", "盘点 开始 二仓"),
        OWNER,
        "盘点 差异",
        "❓ 主仓、二仓 都在盘点，请写明仓库，如 <code>盘点 A001 48 仓库 主仓</code>",
    ),
]


@pytest.mark.parametrize(
    ("before", "person", "text", "expected"), STOCKTAKE_REFUSALS, ids=[f"{'+'.join(b)}:{t}" for b, _, t, _ in STOCKTAKE_REFUSALS]
)
def test_a_refused_stocktake_command_says_why_and_changes_nothing(
    two_warehouses: Runtime, before: tuple[str, ...], person: Person, text: str, expected: str
) -> None:
    setup(two_warehouses, *before)
    refused(two_warehouses, private(text, person), expected)


# ---- packing units -------------------------------------------------------------------------------


def test_packing_units_in_every_booking_and_its_reply(any_runtime: Runtime) -> None:
    rt = any_runtime
    setup(rt, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓")
    assert say(rt, private("商品 修改 A001 箱=24罐")).html == "✅ 已修改 <b>A001</b> 可口可乐\n包装：（空） → 箱=24"
    assert "单位：罐 · 1 箱 = 24 罐\n" in say(rt, private("商品 A001")).html
    # The price typed with packs is per 箱: the value is 2 × 57.60 = 115.20 exactly, 2.40 a 罐.
    assert say(rt, private("入库 A001 2箱 单价 57.6")).html == (
        "✅ 入库 48 罐（2 箱） · <b>A001</b> 可口可乐 · 结存 48 罐\n"
        "单号：RK-2026-0001\n"
        "单价：2.40 元 · 金额：115.20 元\n"
        "库存金额：115.20 元 · 平均成本：2.40 元/罐"
    )
    assert say(rt, private("出库 A001 1箱")).html.startswith(
        "✅ 出库 24 罐（1 箱） · <b>A001</b> 可口可乐 · 结存 24 罐\n单号：CK-2026-0001\n成本：57.60 元"
    )
    assert say(rt, private("调拨 A001 0.5箱 主仓→二仓")).html == (
        "✅ 调拨 12 罐（0.5 箱） · <b>A001</b> 可口可乐 · 主仓 → 二仓\n"
        "单号：DB-2026-0001 · 按成本转移 28.80 元\n"
        "主仓 结存 12 罐 · 二仓 结存 12 罐"
    )
    assert say(rt, private("报损 A001 0.5箱 仓库 二仓 原因 压坏")).html.startswith(
        "✅ 报损 12 罐（0.5 箱） · <b>A001</b> 可口可乐 · 结存 12 罐\n单号：BS-2026-0001 · 二仓 · 原因：压坏\n损失（按成本）：28.80 元"
    )
    setup(rt, "盘点 开始")
    assert say(rt, private("盘点 A001 0.5箱")).html.startswith("📝 PD-2026-0001 · <b>A001</b> 可口可乐 实盘 12 罐 · 账面 12 · 相符")
    assert [(number, kind, quantity, value) for number, kind, _, quantity, value in ledger(rt)] == [
        ("RK-2026-0001", "receipt", D("48"), D("115.20")),
        ("CK-2026-0001", "issue", D("-24"), D("-57.60")),
        ("DB-2026-0001", "transfer_out", D("-12"), D("-28.80")),
        ("DB-2026-0001", "transfer_in", D("12"), D("28.80")),
        ("BS-2026-0001", "scrap", D("-12"), D("-28.80")),
    ]
    # A pack of a counted good cannot be split below one 罐, and an unknown pack is not a unit.
    refused(rt, private("出库 A001 0.01箱"), "❌ <b>A001</b> 可口可乐 按「罐」计数，数量 0.24 不能有小数。")
    refused(
        rt,
        private("入库 A001 2盒"),
        "❌ <b>A001</b> 可口可乐 的单位是「罐」（包装：箱=24），不能按「盒」记账。\n请写数量加「罐」或「箱」或只写数字，例如 <code>入库 A001 10</code>",
    )
    refused(rt, private("商品 修改 A001 箱=24"), "ℹ️ <b>A001</b> 没有变化，未修改。")
    assert_books_ok(rt)


def test_a_pack_price_that_does_not_divide_keeps_the_value_typed(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐 箱=24罐")
    # 10.00 a 箱 of 24: the value is 10.00 (not 24 × 0.4167 = 10.00.8), the unit cost 0.4167.
    assert say(runtime, private("入库 A001 1箱 单价 10")).html == (
        "✅ 入库 24 罐（1 箱） · <b>A001</b> 可口可乐 · 结存 24 罐\n"
        "单号：RK-2026-0001\n"
        "单价：0.4167 元 · 金额：10.00 元\n"
        "库存金额：10.00 元 · 平均成本：0.4167 元/罐"
    )
    assert ledger(runtime) == [("RK-2026-0001", "receipt", "主仓", D("24"), D("10.00"))]


# ---- 设置 负库存 ----------------------------------------------------------------------------------


def test_negative_stock_allowed_then_the_restoring_receipt_adjusts_cost(any_runtime: Runtime) -> None:
    """docs/valuation.md, "Negative stock", step by step."""
    rt = any_runtime
    setup(rt, "商品 新增 A001 可口可乐 单位 罐", "仓库 新增 二仓")
    refused(rt, private("设置 负库存 禁止"), "ℹ️ 负库存已经是「禁止」了，没有改动。")
    assert say(rt, private("设置 负库存 允许")).html == (
        "✅ 已允许负库存：库存不够时也能出库，成本按最近的成本价计；补货时按补货成本重新计价，差额记成本调整。"
    )
    refused(rt, private("设置 负库存 允许"), "ℹ️ 负库存已经是「允许」了，没有改动。")
    setup(rt, "入库 A001 10 单价 2")
    # 15 out of 10: costed at the average 2.00 → 30.00; the stock is −5 worth −10.00.
    assert say(rt, private("出库 A001 15")).html == (
        "✅ 出库 15 罐 · <b>A001</b> 可口可乐 · 结存 -5 罐\n"
        "单号：CK-2026-0001\n"
        "成本：30.00 元\n"
        "库存金额：-10.00 元\n"
        "⚠️ 负库存 -5 罐：补货入库时按补货成本调整。"
    )
    # 3 more at the deficit's rate 2.00 → 6.00; −8 worth −16.00.
    assert "成本：6.00 元\n库存金额：-16.00 元\n⚠️ 负库存 -8 罐" in say(rt, private("出库 A001 3")).html
    # 5 in at 3.00 (15.00): the 5 restored units cost 3, not 2 → adjustment −5.00, COGS +5.00;
    # the remaining −3 stay at 2.00: −16.00 + 15.00 − 5.00 = −6.00.
    assert say(rt, private("入库 A001 5 单价 3")).html == (
        "✅ 入库 5 罐 · <b>A001</b> 可口可乐 · 结存 -3 罐\n"
        "单号：RK-2026-0002\n"
        "单价：3.00 元 · 金额：15.00 元\n"
        "库存金额：-6.00 元 · 平均成本：— 元/罐\n"
        "↪ 补回负库存：之前出库少计的成本按本次进价调整，销售成本 +5.00 元"
    )
    # 10 in at 3.00 (30.00): 3 restored → −3.00 (COGS +3.00); 7 × 3.00 = 21.00, the average afresh.
    reply = say(rt, private("入库 A001 10 单价 3"))
    assert "库存金额：21.00 元 · 平均成本：3.00 元/罐\n↪ 补回负库存：之前出库少计的成本按本次进价调整，销售成本 +3.00 元" in reply.html
    assert [(number, kind, quantity, value) for number, kind, _, quantity, value in ledger(rt)] == [
        ("RK-2026-0001", "receipt", D("10"), D("20.00")),
        ("CK-2026-0001", "issue", D("-15"), D("-30.00")),
        ("CK-2026-0002", "issue", D("-3"), D("-6.00")),
        ("RK-2026-0002", "receipt", D("5"), D("15.00")),
        ("RK-2026-0002", "cost_adjustment", D("0"), D("-5.00")),  # appended, nothing rewritten
        ("RK-2026-0003", "receipt", D("10"), D("30.00")),
        ("RK-2026-0003", "cost_adjustment", D("0"), D("-3.00")),
    ]
    # Cost of goods sold 30 + 6 + 5 + 3 = 44.00 = receipts 65.00 − stock 21.00.
    rows = ledger(rt)
    cogs = -sum(v for _, kind, _, _, v in rows if kind in ("issue", "cost_adjustment"))
    receipts = sum(v for _, kind, _, _, v in rows if kind == "receipt")
    assert (cogs, receipts, balances(rt)["主仓"]) == (D("44.00"), D("65.00"), (D("7"), D("21.00")))
    assert "RK-2026-0002 成本调整 <b>0</b> → -3 · -5.00元 · 负库存补货成本调整 · 老王" in say(rt, private("流水 A001")).html
    # Transfers and scraps never go below zero, whatever the setting.
    refused(rt, private("调拨 A001 8 主仓→二仓"), "❌ 库存不足：<b>A001</b> 可口可乐 在主仓只有 7 罐，不能调出 8 罐。未记账。")
    refused(rt, private("报损 A001 8 原因 丢失"), "❌ 库存不足：<b>A001</b> 可口可乐 在主仓只有 7 罐，不能报损 8 罐。未记账。")
    # Forbidden again: the over-issue is refused and nothing is written.
    assert say(rt, private("设置 负库存 禁止")).html == "✅ 已禁止负库存：库存不够的出库会被拒绝（已是负数的库存补货后恢复）。"
    refused(rt, private("出库 A001 8"), "❌ 库存不足：<b>A001</b> 可口可乐 只有 7 罐，不能出库 8 罐。未记账。")
    log = say(rt, private("日志")).html
    assert "老王 · 账套设置 负库存\n  允许负库存：是 → 否\n  <code>设置 负库存 禁止</code>\n" in log
    assert "老王 · 账套设置 负库存\n  允许负库存：否 → 是\n  <code>设置 负库存 允许</code>\n" in log
    assert_books_ok(rt)


def test_the_cost_adjustment_is_hidden_in_a_group_not_set_to_show_cost(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可口可乐 单位 罐", "设置 负库存 允许", "入库 A001 10 单价 2", "出库 A001 15")
    bind(runtime, GROUP)
    reply = say(runtime, group("入库 A001 5 单价 3", GROUP))
    assert reply.html == "✅ 入库 5 罐 · <b>A001</b> 可口可乐 · 结存 0 罐\n单号：RK-2026-0002\n" + NOTE
    assert reply.private is not None and reply.private.html.endswith("销售成本 +5.00 元")
    assert balances(runtime) == {"主仓": (D("0"), D("0.00"))}


# ---- 分析 ABC and 补货建议 -----------------------------------------------------------------------


@pytest.fixture
def sales(runtime: Runtime) -> Runtime:
    """Sales value by product: today A001 10 × 5.00 priced = 50.00; B002 20 unpriced at its 售价
    1.00 = 20.00; C003 10 unpriced without 售价, at cost 1.00 = 10.00; 40 days ago D004 5 × 4.00
    = 20.00; E005 never sold."""
    setup(
        runtime,
        "商品 新增 A001 可乐 单位 罐 售价 5",
        "商品 新增 B002 雪碧 单位 罐 售价 1",
        "商品 新增 C003 芬达 单位 罐",
        "商品 新增 D004 果汁 单位 瓶 售价 4",
        "商品 新增 E005 矿泉水 单位 瓶",
        "入库 A001 100 单价 2",
        "出库 A001 10 单价 5",
        "入库 B002 100 单价 0.5",
        "出库 B002 20",
        "入库 C003 100 单价 1",
        "出库 C003 10",
        "入库 D004 100 单价 1 日期 2026-09-01",
        "出库 D004 5 单价 4 日期 2026-10-13",
    )
    return runtime


FOOTER = "没有售价的出库按商品售价计，再没有按成本计。"
ABC = [
    # 90 days, 80/15: total 100.00; the share *before* a product decides its class.
    (
        "分析 ABC",
        "📈 ABC 分析 · 近 90 天销售额 100.00 元 · A 80% / B 15% / C 其余\n"
        "A 类 3 个 · 90.00 元　B 类 1 个 · 10.00 元　C 类 1 个 · 0.00 元\n\n"
        "A <b>A001</b> 可乐 · 50.00 元 · 50.0%（累计 50.0%）\n"
        "A <b>B002</b> 雪碧 · 20.00 元 · 20.0%（累计 70.0%）\n"
        "A <b>D004</b> 果汁 · 20.00 元 · 20.0%（累计 90.0%）\n"  # 70 % before it < 80 %: still A
        "B <b>C003</b> 芬达 · 10.00 元 · 10.0%（累计 100.0%）\n" + FOOTER,
    ),
    # 70/20: D004 starts at exactly 70 % → B; C003 starts at 90 % → C.
    (
        "分析 ABC 70/20",
        "📈 ABC 分析 · 近 90 天销售额 100.00 元 · A 70% / B 20% / C 其余\n"
        "A 类 2 个 · 70.00 元　B 类 1 个 · 20.00 元　C 类 2 个 · 10.00 元\n\n"
        "A <b>A001</b> 可乐 · 50.00 元 · 50.0%（累计 50.0%）\n"
        "A <b>B002</b> 雪碧 · 20.00 元 · 20.0%（累计 70.0%）\n"
        "B <b>D004</b> 果汁 · 20.00 元 · 20.0%（累计 90.0%）\n"
        "C <b>C003</b> 芬达 · 10.00 元 · 10.0%（累计 100.0%）\n" + FOOTER,
    ),
    # 30 days: D004's sale 40 days ago drops out; total 80.00, shares 62.5 / 25 / 12.5.
    (
        "分析 ABC 30天 70/20",
        "📈 ABC 分析 · 近 30 天销售额 80.00 元 · A 70% / B 20% / C 其余\n"
        "A 类 2 个 · 70.00 元　B 类 1 个 · 10.00 元　C 类 2 个 · 0.00 元\n\n"
        "A <b>A001</b> 可乐 · 50.00 元 · 62.5%（累计 62.5%）\n"
        "A <b>B002</b> 雪碧 · 20.00 元 · 25.0%（累计 87.5%）\n"
        "B <b>C003</b> 芬达 · 10.00 元 · 12.5%（累计 100.0%）\n" + FOOTER,
    ),
]


@pytest.mark.parametrize(("text", "expected"), ABC, ids=[t for t, _ in ABC])
def test_abc_classes_by_sales_value(sales: Runtime, text: str, expected: str) -> None:
    before = snapshot(sales.engine)
    assert say(sales, private(text)).html == expected
    assert snapshot(sales.engine) == before


@pytest.fixture
def reorder(runtime: Runtime) -> Runtime:
    """R001 安全库存 10, bought from 华东饮料, 20 left: 30 sold 40 days ago, 60 sold two days ago.
    R002 安全库存 5 最高库存 100, no supplier, 10 left after 30 sold today. R003 99 left of 100."""
    setup(
        runtime,
        "商品 新增 R001 可乐 单位 罐 安全库存 10",
        "商品 新增 R002 雪碧 单位 瓶 安全库存 5 最高库存 100",
        "商品 新增 R003 芬达 单位 瓶",
        "入库 R001 110 单价 2 @华东饮料 日期 2026-10-03",
        "出库 R001 30 日期 2026-10-13",
        "出库 R001 60 日期 11-20",
        "入库 R002 40 单价 1 日期 2026-10-03",
        "出库 R002 30",
        "入库 R003 100 单价 1 @华南食品",
        "出库 R003 1",
    )
    return runtime


FORMULA = (
    "公式：再订货点 = 安全库存 + 日均 × 交期；建议量 = 目标库存 − 现有 − 在途，目标库存 = 最高库存（未设时为 安全库存 + 日均 ×（交期 + 补货周期））。"
    "日均 = 近 {days} 天销量 ÷ {days}（不足 {days} 天的新商品按实际天数）；交期按供应商设置（<code>供应商 修改 … 交期 7天</code>），未设为 7 天。"
)
REPLENISHMENT = [
    # 30 days: R001 60 sold → 2 a day; reorder point 10 + 2 × 7 = 24 ≥ 20 on hand; target
    # 10 + 2 × (7 + 14) = 52 → order 52 − 20 = 32. R002 30 sold → 1 a day; point 5 + 7 = 12 ≥ 10;
    # target 最高库存 100 → 90. R003: 1 sold → point 0.23 < 99: nothing.
    (
        "补货建议",
        "🛒 补货建议 · 按近 30 天日均销量 · 交期 7 天 · 补货周期 14 天\n\n"
        "<b>华东饮料</b>\n"
        "<b>R001</b> 可乐 建议 <b>32</b> 罐 · 现有 20 · 日均 2 · 再订货点 24\n\n"
        "<b>（未记供应商）</b>\n"
        "<b>R002</b> 雪碧 建议 <b>90</b> 瓶 · 现有 10 · 日均 1 · 再订货点 12\n\n" + FORMULA.format(days=30),
    ),
    # 60 days: R001 has moved only since 10-03 (51 days with today), so 90 sold → 90 ÷ 51 = 1.7647
    # a day, not 90 ÷ 60; point 10 + 1.7647 × 7 = 22.35 ≥ 20; target 10 + 1.7647 × 21 = 47.06 →
    # ⌈27.06⌉ = 28. R002 (also since 10-03) 30 ÷ 51 = 0.59 a day → point 9.12 < 10: nothing.
    (
        "补货建议 60天",
        "🛒 补货建议 · 按近 60 天日均销量 · 交期 7 天 · 补货周期 14 天\n\n"
        "<b>华东饮料</b>\n"
        "<b>R001</b> 可乐 建议 <b>28</b> 罐 · 现有 20 · 日均 1.76（51 天） · 再订货点 22.35\n\n" + FORMULA.format(days=60),
    ),
]


@pytest.mark.parametrize(("text", "expected"), REPLENISHMENT, ids=[t for t, _ in REPLENISHMENT])
def test_replenishment_suggests_what_to_order_by_supplier(reorder: Runtime, text: str, expected: str) -> None:
    before = snapshot(reorder.engine)
    assert say(reorder, private(text)).html == expected
    assert snapshot(reorder.engine) == before


def test_with_enough_stock_nothing_is_suggested(runtime: Runtime) -> None:
    setup(runtime, "商品 新增 A001 可乐 单位 罐 安全库存 1", "入库 A001 50 单价 2", "出库 A001 3")
    assert say(runtime, private("补货建议")).html == (
        "🛒 补货建议 · 按近 30 天日均销量 · 交期 7 天 · 补货周期 14 天\n\n库存都够用，暂时不用补货。\n\n" + FORMULA.format(days=30)
    )


def test_a_seller_may_see_replenishment_but_not_abc(sales: Runtime) -> None:
    join(sales, "销售", SELLER)
    assert say(sales, private("补货建议", SELLER)).html.startswith("🛒 补货建议")
    refused(sales, private("分析 ABC", SELLER), "🔒 你的角色「销售」不能报表、图表、导出。需要：老板、管理员、采购、财务、只读。")


def test_replenishment_offers_a_draft_purchase_order_per_supplier_on_file(reorder: Runtime) -> None:
    # No supplier on file yet: suggestions, no buttons (华东饮料 is only a name on receipts).
    assert say(reorder, private("补货建议")).buttons == []
    setup(reorder, "供应商 新增 华东饮料 账期 30天", "商品 修改 R001 进价 2")
    reply = say(reorder, private("补货建议"))
    ((button,),) = reply.buttons
    assert (button.text, button.command) == ("📝 生成采购单 @华东饮料", "采购 @华东饮料 R001 32")
    # A seller may read the suggestions but not order: refused, nothing written.
    join(reorder, "销售", SELLER)
    before = snapshot(reorder.engine)
    pressed = press(reorder, private("", SELLER), button.data)
    assert pressed.alert and pressed.html.startswith("🔒") and snapshot(reorder.engine) == before
    # The owner's press makes the draft: 32 罐 at the 进价 2.00 = 64.00, waiting for 审核.
    made = press(reorder, private(""), button.data)
    assert made.html.startswith("✅ 采购单 /PO_2026_0001 · 华东饮料 · 草稿")
    assert "<b>R001</b> 可乐 32 罐 × 2.00 = 64.00 元（商品进价）" in made.html
    # Approved, the 32 are on order: nothing more is suggested for R001.
    ok(say(reorder, private("审核 PO-2026-0001")))
    assert "R001" not in say(reorder, private("补货建议")).html
