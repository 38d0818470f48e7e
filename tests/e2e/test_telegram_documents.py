"""Documents end to end (issue 4): the real python-telegram-bot Application polling the fake Bot
API, on SQLite and PostgreSQL. A purchase cycle (partial delivery, QC rejection, landed cost, a
return, payment) and a sales cycle (reservation, partial shipment, a return, 收款, aging), with
the members whose work each step is, the next-step buttons pressed as Telegram sends them —
each checked in the chat as Telegram shows it and in the rows behind it; after each scenario
`jxc check` passes for stock and documents."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.unit_of_work import SqlUnitOfWork
from tests.e2e.telegram_harness import Bot
from tests.e2e.test_telegram_access import GROUP_1, BOUND_1, PRIVATE_NOTE, buttons, invite, shown

pytestmark = pytest.mark.slow

ADMIN = {"user_id": 3001, "first_name": "小李", "username": "xiaoli"}
KEEPER = {"user_id": 3002, "first_name": "老李", "username": "laoli"}
BUYER = {"user_id": 3003, "first_name": "采购丙", "username": "buyer"}
SELLER = {"user_id": 3004, "first_name": "销售丁", "username": "seller"}
BOOKKEEPER = {"user_id": 3005, "first_name": "财务戊", "username": "bookkeeper"}


def today() -> date:
    # The bot runs on the system clock in Asia/Shanghai (JXC_TIMEZONE's default).
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def team(bot: Bot) -> None:
    for role, person in (("管理员", ADMIN), ("仓管", KEEPER), ("采购", BUYER), ("销售", SELLER), ("财务", BOOKKEEPER)):
        await invite(bot, role, person)
    for text in (
        "商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5",
        "商品 新增 A002 雪碧 单位 罐 进价 2 售价 3",
        "供应商 新增 华东饮料 账期 30天",
        "客户 新增 张三超市 账期 15天 信用额度 2000",
    ):
        assert (await bot.say(text))["text"].startswith("✅"), text


def labels(message: dict) -> list[str]:
    return [label for label, _ in buttons(message)]


def data_of(message: dict, label: str) -> str:
    (data,) = [data for text, data in buttons(message) if text == label]
    return data


def documents_check(bot: Bot) -> None:
    """`jxc check` for the documents of every workspace."""
    for workspace in bot.workspace_ids():
        with SqlUnitOfWork(bot.engine, workspace) as uow:
            assert uow.documents.check() == []


async def test_a_purchase_cycle_with_partial_delivery_qc_landed_cost_return_and_payment(bot: Bot):
    await team(bot)
    due = today() + timedelta(days=30)
    created = await bot.say("采购 @华东饮料 A001 100 单价 2.4 A002 50 单价 3 交期 12-01", **BUYER)
    assert created["text"].splitlines()[0] == "✅ 采购单 /PO_2026_0001 · 华东饮料 · 草稿"
    assert "共 2 种商品 · 合计 390.00 元" in created["text"]
    assert labels(created) == ["查看", "审核", "关闭"]
    # The buyer presses 审核: refused as a pop-up for him alone, the message stays.
    calls = len(bot.api.calls)
    await bot.press(created, data_of(created, "审核"), **BUYER)
    (what,) = shown(bot, created, calls)
    assert what[1] == "🔒 你的角色「采购」不能审核单据。需要：老板、管理员。" and bot.message(created)["text"] == created["text"]
    # The admin presses it: the message becomes the approval, with the next step.
    approved = await bot.press(created, data_of(created, "审核"), **ADMIN)
    assert approved["text"].splitlines()[0] == "✅ 采购单 /PO_2026_0001 已审核 · 华东饮料 · 已审核"
    assert labels(approved) == ["查看", "全部到货", "关闭"]
    assert bot.rows("SELECT number, status FROM trade_order") == [("PO-2026-0001", "已审核")]

    # Partial delivery: 98 of 100 pass QC, freight 50 onto their cost.
    received = await bot.say("到货 PO-2026-0001 A001 100 合格 98 运费 50", **KEEPER)
    assert received["text"] == (
        "✅ 到货 /PO_2026_0001 · 华东饮料 · 入库单 RK-2026-0001\n"
        "A001 可口可乐 到 100 · 合格 98 · 拒收 2 罐 · 235.20 元 + 分摊 50.00 元 → 单位成本 2.9102 元\n"
        "费用：运费 50.00 元（按货值分摊进成本）\n"
        f"应付 华东饮料 285.20 元，{due} 到期\n"
        "拒收的货已记在 华东饮料 名下，不入库、不计应付。\n"
        "单据状态：部分到货"
    )
    # The rest by the 全部到货 button: A001 2 at 2.40 and A002 50 at 3.00.
    done = await bot.press(received, data_of(received, "全部到货"), **KEEPER)
    assert done["text"].endswith("单据状态：已完成") and f"应付 华东饮料 154.80 元，{due} 到期" in done["text"]
    assert labels(done) == ["查看"]
    # Quantities in thousandths, money in fen, as stored.
    assert bot.rows("SELECT line_no, quantity, done, billed, rejected FROM order_line ORDER BY line_no") == [
        (1, 100_000, 100_000, 24_000, 2_000),
        (2, 50_000, 50_000, 15_000, 0),
    ]
    assert bot.rows("SELECT number, quantity, value FROM stock_movement ORDER BY id") == [
        ("RK-2026-0001", 98_000, 28_520),
        ("RK-2026-0002", 2_000, 480),
        ("RK-2026-0002", 50_000, 15_000),
    ]

    # Two go back to the supplier at the price they were bought at.
    returned = await bot.say("退货 @华东饮料 A001 2", **KEEPER)
    assert returned["text"] == (
        "✅ 退货 CT-2026-0001 · 华东饮料 · A001 可口可乐 2 罐\n"
        "退给供应商，按原进价（RK-2026-0002）4.80 元，应付相应减少。\n"
        "应付余额：435.20 元"
    )
    # The bookkeeper pays 300 by bank, oldest first.
    paid = await bot.say("付款 @华东饮料 300 银行", **BOOKKEEPER)
    assert paid["text"] == (
        "✅ 付款 FK-2026-0001 · 华东饮料 · 300.00 元（银行）\n冲 RK-2026-0001 280.40 元\n冲 RK-2026-0002 19.60 元\n还欠供应商 135.20 元"
    )
    assert bot.rows("SELECT number, ledger, amount, order_number FROM open_item ORDER BY id") == [
        ("RK-2026-0001", "应付", 28_520, "PO-2026-0001"),
        ("RK-2026-0002", "应付", 15_480, "PO-2026-0001"),
        ("CT-2026-0001", "应付", -480, ""),
    ]
    assert bot.rows("SELECT source, amount FROM allocation ORDER BY id") == [("item", 480), ("payment", 28_040), ("payment", 1_960)]
    payables = await bot.say("应付 @华东饮料", **BOOKKEEPER)
    assert payables["text"] == (
        f"💰 应付合计 135.20 元（{today()}）\n未到期 135.20\n\n"
        f"华东饮料 135.20 元\nRK-2026-0002（PO-2026-0001） 135.20 元 · {today()} · {due} 到期"
    )
    # Viewing the completed order by its link: what is still open on it.
    view = await bot.say("/PO_2026_0001", **BOOKKEEPER)
    assert view["text"].splitlines()[-1] == f"未结：RK-2026-0002 135.20 元（{due} 到期）"
    documents_check(bot)


async def test_a_sales_cycle_with_reservation_partial_shipment_return_receipt_and_aging(bot: Bot):
    await team(bot)
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    day = today()
    long_ago = day - timedelta(days=50)
    # Stock, and an old quick sale (back-dated 50 days) still unpaid: due 35 days ago.
    assert (await bot.say("入库 A001 100 单价 2.4"))["text"].startswith("✅")
    old = await bot.say(f"出库 A001 4 单价 3.5 @张三超市 日期 {long_ago}", **KEEPER)
    assert old["text"].endswith(f"应收 张三超市 14.00 元，{long_ago + timedelta(days=15)} 到期")

    # The seller's order reserves stock: the next order sees 96 − 10 = 86 available.
    created = await bot.say("销售 @张三超市 A001 10 单价 3.5 折扣 9折", **SELLER)
    assert created["text"] == (
        "✅ 销售单 /SO_2026_0001 · 张三超市 · 待发货\n"
        "A001 可口可乐 10 罐 × 3.50 = 31.50 元\n"
        "共 1 种商品 · 合计 31.50 元（90% 折后）\n"
        "已预留库存。发货：发货 SO-2026-0001"
    )
    second = await bot.say("销售 @张三超市 A001 90 单价 3.5", **SELLER)
    assert "⚠️ A001 可用 86 罐（库存 96 − 其他单预留 10），缺 4，发货前需补货" in second["text"]
    assert (await bot.say("关闭 SO-2026-0002", **SELLER))["text"].startswith("✅ 销售单 /SO_2026_0002 已关闭")

    # A partial shipment in the group: revenue shown, cost sent to the keeper privately.
    private_before = len(bot.api.sent_messages(KEEPER["user_id"]))
    shipped = await bot.say("发货 SO-2026-0001 A001 6 快递 SF1234567", **KEEPER, **GROUP_1)
    due = day + timedelta(days=15)
    assert shipped["text"] == (
        "✅ 发货 /SO_2026_0001 · 张三超市 · 出库单 CK-2026-0002 · 快递 SF1234567\n"
        "A001 可口可乐 6 罐 · 18.90 元\n"
        f"应收 张三超市 18.90 元，{due} 到期\n"
        "单据状态：部分发货\n" + PRIVATE_NOTE
    )
    assert labels(shipped) == ["查看", "全部发货", "应收", "关闭"]
    (full,) = bot.api.sent_messages(KEEPER["user_id"])[private_before:]
    assert "A001 可口可乐 6 罐 · 18.90 元 · 成本 14.40 · 毛利 4.50" in full["text"]

    # Two come back from the customer: in at the cost they left with, receivable down 6.30.
    back = await bot.say("退货 @张三超市 A001 2", **KEEPER)
    assert back["text"] == (
        "✅ 退货 XT-2026-0001 · 张三超市 · A001 可口可乐 2 罐\n"
        "客户退回入库，按出库成本（CK-2026-0002）4.80 元；应收减少 6.30 元。\n"
        "应收余额：26.60 元"
    )

    # Aging before any money: the return's credit went to the oldest item (14.00 → 7.70), which
    # is 35 days overdue (31–60); the shipment is not yet due.
    aging = await bot.say("应收", **BOOKKEEPER)
    assert aging["text"] == (
        f"💰 应收合计 26.60 元（{day}）\n"
        "未到期 18.90 · 31–60天 7.70\n\n"
        "张三超市 26.60 元 · 逾期 7.70 元\n"
        f"CK-2026-0001 7.70 元 · {long_ago} · {long_ago + timedelta(days=15)} 到期 · 逾期 35 天\n"
        f"CK-2026-0002（SO-2026-0001） 18.90 元 · {day} · {due} 到期"
    )
    # 收款 naming the order settles its shipment first, then the oldest; 10 stays as credit.
    collected = await bot.say("收款 @张三超市 36.60 SO-2026-0001 微信", **BOOKKEEPER)
    assert collected["text"] == (
        "✅ 收款 SK-2026-0001 · 张三超市 · 36.60 元（微信）\n"
        "冲 CK-2026-0002 18.90 元\n"
        "冲 CK-2026-0001 7.70 元\n"
        "预收 10.00 元，留作下次冲抵。\n"
        "预收余额 10.00 元"
    )
    # The rest ships by its button and is settled by that credit at once.
    rest = await bot.press(shipped, data_of(shipped, "全部发货"), **KEEPER)
    assert rest["text"].endswith("单据状态：已完成\n" + PRIVATE_NOTE) and "（已用预收冲抵 10.00 元）" in rest["text"]
    assert bot.rows("SELECT number, status FROM trade_order ORDER BY id") == [("SO-2026-0001", "已完成"), ("SO-2026-0002", "已关闭")]
    assert bot.rows("SELECT number, amount FROM open_item ORDER BY id") == [
        ("CK-2026-0001", 1_400),
        ("CK-2026-0002", 1_890),
        ("XT-2026-0001", -630),
        ("CK-2026-0003", 1_260),
    ]
    assert bot.rows("SELECT number, amount, account FROM payment") == [("SK-2026-0001", 3_660, "微信")]
    statement = await bot.say("对账单 @张三超市 本月", **BOOKKEEPER)
    assert statement["text"].splitlines()[-1] == "期末余额：2.60 元（客户欠我方）"
    documents_check(bot)


# ---- `jxc check` proves the documents too ------------------------------------------------------


def test_jxc_check_passes_after_a_cycle_and_fails_on_an_allocation_beyond_its_item(tmp_path):
    import sqlite3

    from tests.e2e.test_console import jxc

    db = tmp_path / "shop.sqlite3"
    session = "\n".join(
        (
            "商品 新增 A001 可口可乐 单位 罐",
            "客户 新增 张三超市",
            "入库 A001 10 单价 2.4",
            "出库 A001 4 单价 3.5 @张三超市",
            "收款 @张三超市 10",
        )
    )
    jxc("console", "--db", f"sqlite:///{db}", stdin=session + "\n", cwd=tmp_path)
    check = jxc("check", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert "✅ 对账通过：1 个余额与 2 笔流水的数量和金额全部相符，单据往来与核销相符" in check.stdout
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT source, amount FROM allocation").fetchall() == [("payment", 1000)]
        connection.execute("UPDATE allocation SET amount = 2000")  # 20.00 of a 14.00 sale, from a 10.00 payment
    check = jxc("check", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "账套 1 CK-2026-0001: 已核销 20.00，超出单据金额 14.00",
        "账套 1 SK-2026-0001: 核销 20.00，超出可用金额 10.00",
        "❌ 对账失败：0 个余额与流水不符，2 处单据往来不符（共 1 个余额，2 笔流水）",
    ]
