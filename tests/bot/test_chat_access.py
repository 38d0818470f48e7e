"""Who may do what, through the dispatcher on a real database: the permission matrix per role,
cost figures in groups, strangers, and members limited to some warehouses.

Members are made the way people make them: the owner sends `邀请 <角色>` in a private chat and
the invitee sends `加入 <邀请码>` in theirs; groups are bound with `绑定 1`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.app import Runtime
from bot.clock import ManualClock
from bot.dispatcher import Reply
from bot.parsing import parse
from domain import commands as c
from domain.access import COMMAND_PERMISSION, OPEN_COMMANDS
from tests.bot.chatkit import (
    CHAT_NOT_BOUND,
    NOT_A_MEMBER,
    NOW,
    OWNER,
    STRANGER,
    Person,
    assert_books_ok,
    bind,
    changed_tables,
    create_workspace,
    group,
    join,
    make_runtime,
    ok,
    press,
    private,
    say,
    snapshot,
)

TODAY = NOW.date()

# ---- the permission matrix ---------------------------------------------------------------------

O, A, K, B, S, F, V = "老板", "管理员", "仓管", "采购", "销售", "财务", "只读"
ROLES = [O, A, K, B, S, F, V]
LETTER = {O: "O", A: "A", K: "K", B: "B", S: "S", F: "F", V: "V"}
TEAM = {
    O: OWNER,
    A: Person(3001, "管理员甲", "admin1"),
    K: Person(3002, "仓管乙", "keeper1"),
    B: Person(3003, "采购丙", "buyer1"),
    S: Person(3004, "销售丁", "seller1"),
    F: Person(3005, "财务戊", "books1"),
    V: Person(3006, "只读己", "viewer1"),
}
# Each role gets its own objects to act on, so the cases of the shared shop stay independent.
TARGETS = {kind: {role: Person(4000 + 10 * n + k, f"{kind}{n}", f"{kind}{n}") for n, role in enumerate(ROLES)} for k, kind in enumerate(("t", "r", "w"))}


def visible_group(role: str) -> int:
    return -5000 - ROLES.index(role)


def unbind_group(role: str) -> int:
    return -6000 - ROLES.index(role)


def new_group(role: str) -> int:
    return -7000 - ROLES.index(role)


MOVE = "入库、出库、调拨、盘点、报损"
EDIT = "维护商品资料"
MEMBERS = "邀请成员、设置角色"
CHATS = "绑定群、设置群的可见范围"
WAREHOUSES = "新增仓库"
AUDIT = "查看操作日志"
OWNERSHIP = "任命老板和管理员"
SETTINGS = "账套设置（负库存等）"
REPORTS = "报表、图表、导出"
PURCHASE = "采购单据"
SELL = "销售单据"
MONEY = "收款、付款、费用"
APPROVE = "审核单据"
ALERTS = "订阅、检查和忽略预警"
ALL = "OAKBSFV"


def not_permitted(role: str, permission: str, needed: str) -> str:
    names = "、".join(r for r in ROLES if LETTER[r] in needed)
    return f"🔒 你的角色「{role}」不能{permission}。需要：{names}。"


# (case, text ({n}: the role's index), where, allowed roles, how an allowed reply starts,
#  the refusal: (permission, roles that hold it) or a role → exact reply table
#  [, setup: commands the owner sends in private first, so that the case has something to act on])
MATRIX = [
    ("库存", "库存", "private", ALL, "📊 库存", None),
    ("库存 A001", "库存 A001", "private", ALL, "📦 <b>A001</b>", None),
    ("流水", "流水 A001", "private", ALL, "🧾 流水", None),
    ("商品 A001", "商品 A001", "private", ALL, "📦 <b>A001</b>", None),
    ("商品", "商品", "private", ALL, "🔎", None),
    ("仓库", "仓库", "private", ALL, "🏬 仓库", None),
    ("成员", "成员", "private", ALL, "👥", None),
    ("入库", "入库 A001 1", "private", "OAK", "✅ 入库 1 罐", (MOVE, "OAK")),
    ("出库", "出库 A001 1", "private", "OAK", "✅ 出库 1 罐", (MOVE, "OAK")),
    ("入库 in a group", "入库 A001 1", "visible", "OAK", "✅ 入库 1 罐", (MOVE, "OAK")),
    ("商品 新增", "商品 新增 N{n} 新品{n}", "private", "OAKB", "✅ 已新增商品", (EDIT, "OAKB")),
    ("商品 修改", "商品 修改 M{n} 售价 9.9", "private", "OAKB", "✅ 已修改", (EDIT, "OAKB")),
    ("商品 停用", "商品 停用 S{n}", "private", "OAKB", "✅ 已停用", (EDIT, "OAKB")),
    ("仓库 新增", "仓库 新增 仓{n}", "private", "OA", "✅ 已新增仓库", (WAREHOUSES, "OA")),
    ("日志", "日志", "private", "OA", "📜 操作日志", (AUDIT, "OA")),
    ("邀请 仓管", "邀请 仓管", "private", "OA", "✉️", (MEMBERS, "OA")),
    ("邀请 管理员", "邀请 管理员", "private", "O", "✉️", {A: not_permitted(A, OWNERSHIP, "O"), **{r: not_permitted(r, MEMBERS, "OA") for r in (K, B, S, F, V)}}),
    ("成员 设置", "成员 设置 @t{n} 只读", "private", "OA", "✅ t{n} 的角色：销售 → 只读", (MEMBERS, "OA")),
    ("成员 移除", "成员 移除 @r{n}", "private", "OA", "✅ 已移除成员 r{n}", (MEMBERS, "OA")),
    ("成员 仓库", "成员 仓库 @w{n} 二仓", "private", "OA", "✅ w{n} 现在只能使用：二仓", (MEMBERS, "OA")),
    (
        "撤销 another's receipt",
        "撤销 RK-2026-0002",
        "private",
        "OA",
        "↩️ 确认撤销 <b>RK-2026-0002</b>",
        {K: "🔒 RK-2026-0002 不是你的操作，只有管理员或老板可以撤销。", **{r: not_permitted(r, MOVE, "OAK") for r in (B, S, F, V)}},
    ),
    ("设置 本群", "设置 本群 可见 成本", "visible", "OA", "✅ 本群现在显示成本", (CHATS, "OA")),
    ("解绑", "解绑", "unbind", "OA", "✅ 已解除与账套「默认账套」的绑定", (CHATS, "OA")),
    ("绑定", "绑定 1", "new", "OA", "✅ 本群已绑定账套「默认账套」", (CHATS, "OA")),
    # ---- inventory (issue 5): each role counts in warehouses of its own ----
    ("调拨", "调拨 A001 1 主仓→二仓", "private", "OAK", "✅ 调拨 1 罐 · <b>A001</b> 可口可乐 · 主仓 → 二仓\n单号：DB-", (MOVE, "OAK")),
    ("报损", "报损 A001 1 原因 破损", "private", "OAK", "✅ 报损 1 罐 · <b>A001</b> 可口可乐 · 结存", (MOVE, "OAK")),
    ("盘点 开始", "盘点 开始 开{n}", "private", "OAK", "📋 已开始盘点 PD-2026-", (MOVE, "OAK"), ("仓库 新增 开{n}",)),
    (
        "盘点 录入",
        "盘点 A001 2 仓库 点{n}",
        "private",
        "OAK",
        "📝 PD-2026-",
        (MOVE, "OAK"),
        ("仓库 新增 点{n}", "盘点 开始 点{n}"),
    ),
    (
        "盘点 差异",
        "盘点 差异 仓库 差{n}",
        "private",
        "OAK",
        "📋 盘点 PD-2026-",
        (MOVE, "OAK"),
        ("仓库 新增 差{n}", "盘点 开始 差{n}", "盘点 A001 1 仓库 差{n}"),
    ),
    (
        "盘点 确认 (asks)",
        "盘点 确认 仓库 问{n}",
        "private",
        "OAK",
        "📋 确认盘点 PD-2026-",
        (MOVE, "OAK"),
        ("仓库 新增 问{n}", "盘点 开始 问{n}", "盘点 A001 1 仓库 问{n}"),
    ),
    (
        "盘点 确认 (books)",
        "盘点 确认 仓库 确{n} 确认",
        "private",
        "OAK",
        "✅ 盘点 PD-2026-",
        (MOVE, "OAK"),
        ("仓库 新增 确{n}", "盘点 开始 确{n}", "盘点 A001 1 仓库 确{n}"),
    ),
    ("盘点 取消", "盘点 取消 仓库 消{n}", "private", "OAK", "✅ 已取消盘点 PD-2026-", (MOVE, "OAK"), ("仓库 新增 消{n}", "盘点 开始 消{n}")),
    ("设置 负库存", "设置 负库存 允许", "private", "OA", "✅ 已允许负库存", (SETTINGS, "OA"), ("设置 负库存 禁止",)),
    ("设置 税率", "设置 税率 13%", "private", "OA", "✅ 税率设为 13%", (SETTINGS, "OA"), ("设置 税率 无",)),
    # ---- valuation: the team's books have movements, so the method is past choosing: the permitted
    # roles get the reason (and nothing is written), the others the permission refusal ----
    ("设置 计价", "设置 计价 先进先出", "private", "OA", "❌ 不能改为「先进先出」：本账套已经有出入库记录", (SETTINGS, "OA")),
    ("商品 修改 … 仓库", "商品 修改 A001 安全库存 {n} 仓库 主仓", "private", "OAKB", "✅ 已修改 <b>A001</b>", (EDIT, "OAKB")),
    ("分析 ABC", "分析 ABC", "private", "OABFV", "📈 ABC 分析 · 近 90 天", (REPORTS, "OABFV")),
    ("补货建议", "补货建议", "private", ALL, "🛒 补货建议 · 按近 30 天日均销量", None),
    # ---- partners (issue 4): suppliers are the buyer's, customers the seller's ----
    ("供应商 新增", "供应商 新增 供{n}", "private", "OAB", "✅ 已新增供应商 <b>供{n}</b>", (PURCHASE, "OAB")),
    ("客户 新增", "客户 新增 客{n}", "private", "OAS", "✅ 已新增客户 <b>客{n}</b>", (SELL, "OAS")),
    (
        "供应商 修改",
        "供应商 修改 改供{n} 账期 30天",
        "private",
        "OAB",
        "✅ 已修改供应商 <b>改供{n}</b>",
        (PURCHASE, "OAB"),
        ("供应商 新增 改供{n}",),
    ),
    ("客户 修改", "客户 修改 改客{n} 账期 30天", "private", "OAS", "✅ 已修改客户 <b>改客{n}</b>", (SELL, "OAS"), ("客户 新增 改客{n}",)),
    ("供应商", "供应商", "private", ALL, "🤝 供应商", None),
    # ---- faster entry (issue 9) ----
    ("批量", "入库\nA001 1\n出库 A001 1", "private", "OAK", "📋 批量登记 2 行", (MOVE, "OAK")),
    ("批量 商品", "商品 新增\nBN{n} 批新{n}\nBM{n} 批新{n}", "private", "OAKB", "📋 批量登记 2 行", (EDIT, "OAKB")),
    ("导入 商品", "导入 商品", "private", "OAKB", "📎 请把 Excel 或 CSV 文件", (EDIT, "OAKB")),
    # ---- reports (issue 7): a role without cost sees the same reports without cost figures ----
    ("报表", "报表 本月", "private", "OABFV", "📊 报表 · 本月", (REPORTS, "OABFV")),
    ("排行", "排行 销售 本月", "private", "OABFV", "🏆 销售排行（按金额）", (REPORTS, "OABFV")),
    ("滞销", "滞销 30天", "private", "OABFV", "🐢 滞销", (REPORTS, "OABFV")),
    ("周转", "周转", "private", "OABFV", "🔄 库存周转", (REPORTS, "OABFV")),
    ("图表", "图表 A001", "private", "OABFV", "📉 <b>A001</b>", (REPORTS, "OABFV")),
    ("导出", "导出 模板 商品", "private", "OABFV", "📄 商品导入模板", (REPORTS, "OABFV")),
    # ---- alerts (issue 6): payment alerts also need the money permission. Before the documents
    # rows, whose payables would be listed by 预警 and recorded by 预警 检查 ----
    ("订阅 (list)", "订阅", "private", ALL, "这里还没有订阅预警。", None),  # before 订阅 应收 below
    ("订阅", "订阅 预警 库存", "visible", "OAKBF", "✅ 已订阅：库存", (ALERTS, "OAKBF")),
    (
        "订阅 应收",
        "订阅 预警 应收",
        "private",
        "OAF",
        "✅ 已订阅：应收",
        {
            K: "🔒 订阅「应收」预警需要收付款权限：老板、管理员、财务。未订阅。",
            B: "🔒 订阅「应收」预警需要收付款权限：老板、管理员、财务。未订阅。",
            **{r: not_permitted(r, ALERTS, "OAKBF") for r in (S, V)},
        },
    ),
    ("退订", "退订 库存", "visible", "OAKBF", "✅ 已退订：库存", (ALERTS, "OAKBF")),
    ("预警", "预警", "private", ALL, "✅ 现在没有预警。", None),
    ("预警 检查", "预警 检查", "private", "OAKBF", "🔎 已检查：新预警 0 条", (ALERTS, "OAKBF")),
    ("预警 忽略", "预警 忽略 A001 3天", "private", "OAKBF", "🔕 已忽略 <b>A001</b> 可口可乐 的库存预警 3 天", (ALERTS, "OAKBF")),
    ("设置 预警", "设置 预警 日均 1{n}天", "private", "OA", "✅ 预警设置已更新。", (SETTINGS, "OA")),
    # ---- documents (issue 4): the buyer orders, an admin approves, the keeper moves the goods,
    # the seller sells, the bookkeeper handles the money. {po}/{so}: the order the setup made.
    ("采购", "采购 @采供{n} A001 1 单价 2.4", "private", "OAB", "✅ 采购单 /PO_2026_", (PURCHASE, "OAB"), ("供应商 新增 采供{n}",)),
    ("销售", "销售 @销客{n} A001 1 单价 3.5", "private", "OAS", "✅ 销售单 /SO_2026_", (SELL, "OAS"), ("客户 新增 销客{n}",)),
    ("采购单", "采购单", "private", ALL, "📄 采购单", None),
    ("审核", "审核 {po}", "private", "OA", "✅ 采购单 /PO_2026_", (APPROVE, "OA"), ("供应商 新增 审供{n}", "采购 @审供{n} A001 1 单价 2.4")),
    ("关闭 采购单", "关闭 {po}", "private", "OAB", "✅ 采购单 /PO_2026_", (PURCHASE, "OAB"), ("供应商 新增 关供{n}", "采购 @关供{n} A001 1 单价 2.4")),
    ("关闭 销售单", "关闭 {so}", "private", "OAS", "✅ 销售单 /SO_2026_", (SELL, "OAS"), ("客户 新增 关客{n}", "销售 @关客{n} A001 1 单价 3.5")),
    (
        "到货",
        "到货 {po}",
        "private",
        "OAK",
        "✅ 到货 /PO_2026_",
        (MOVE, "OAK"),
        ("供应商 新增 到供{n}", "采购 @到供{n} A001 1 单价 2.4", "审核 {po}"),
    ),
    ("发货", "发货 {so}", "private", "OAK", "✅ 发货 /SO_2026_", (MOVE, "OAK"), ("客户 新增 发客{n}", "销售 @发客{n} A001 1 单价 3.5")),
    ("退货", "退货 @退供{n} A001 1", "private", "OAK", "✅ 退货 CT-2026-", (MOVE, "OAK"), ("供应商 新增 退供{n}", "入库 A001 1 单价 2.4 @退供{n}")),
    ("收款", "收款 @收客{n} 10", "private", "OAF", "✅ 收款 SK-2026-", (MONEY, "OAF"), ("客户 新增 收客{n}",)),
    ("应收", "应收", "private", "OAF", "💰 应收合计", (MONEY, "OAF")),
    ("对账单", "对账单 @账客{n}", "private", "OAF", "📒 对账单 · 账客{n}（客户）", (MONEY, "OAF"), ("客户 新增 账客{n}",)),
    ("费用", "费用 10 水电", "private", "OAF", "✅ 费用 FY-2026-", (MONEY, "OAF")),
]
# A document number the setup's reply names, for the {po}/{so} of a case.
_LINK = re.compile(r"/(PO|SO)_(\d{4})_(\d{4,8})")
CASES = [(row, role) for row in MATRIX for role in ROLES]
READS = {"库存", "库存 A001", "流水", "商品 A001", "商品", "仓库", "成员", "日志", "盘点 差异", "分析 ABC", "补货建议", "供应商", "导入 商品"}
READS |= {"设置 计价"}  # refused for every role on books that have movements: writes nothing
READS |= {"报表", "排行", "滞销", "周转", "图表", "导出"}
READS |= {'应收', '对账单', '采购单'}
READS |= {"订阅 (list)", "预警", "预警 检查"}  # nothing holds and nobody wants a digest: nothing to record
# What the owner's setup commands may answer: done, asked, counted, or already so.
SETUP_REPLIES = ("✅", "📋", "📝", "ℹ️ 负库存已经是", "ℹ️ <b>税率</b> 没有变化")


@pytest.fixture(scope="module")
def team() -> Iterator[Runtime]:
    """默认账套 with one member of every role, a product with stock, and per-role targets."""
    runtime = make_runtime(clock=ManualClock(NOW))
    ok(say(runtime, private("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5")))
    ok(say(runtime, private("入库 A001 100 单价 2.4")))
    # A receipt only the undo case touches (it is asked about, never confirmed): RK-2026-0002.
    ok(say(runtime, private("商品 新增 U001 撤销用 单位 件")))
    ok(say(runtime, private("入库 U001 10")))
    ok(say(runtime, private("仓库 新增 二仓")))
    for role in ROLES[1:]:
        join(runtime, role, TEAM[role])
    for n, role in enumerate(ROLES):
        for kind in ("t", "r", "w"):
            join(runtime, S, TARGETS[kind][role])
        ok(say(runtime, private(f"商品 新增 M{n} 改价商品{n}")))
        ok(say(runtime, private(f"商品 新增 S{n} 停用商品{n}")))
        bind(runtime, visible_group(role))
        bind(runtime, unbind_group(role))
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()


def _incoming(where: str, text: str, person: Person, role: str):  # type: ignore[no-untyped-def]
    if where == "private":
        return private(text, person)
    chat = {"visible": visible_group, "unbind": unbind_group, "new": new_group}[where](role)
    return group(text, chat, person)


@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{row[0]}-{role}" for row, role in CASES])
def test_the_permission_matrix_is_enforced_for_every_role(team: Runtime, row: tuple, role: str) -> None:
    case, text, where, allowed, start, refusal, *rest = row
    n = ROLES.index(role)
    made: dict[str, str] = {}
    for command in rest[0] if rest else ():
        setup = ok(say(team, private(command.format(n=n, **made))), SETUP_REPLIES)
        for prefix, year, number in _LINK.findall(setup.html):
            made[prefix.lower()] = f"{prefix}-{year}-{number}"
    incoming = _incoming(where, text.format(n=n, **made), TEAM[role], role)
    before = snapshot(team.engine)
    reply = say(team, incoming)
    after = snapshot(team.engine)
    if LETTER[role] in allowed:
        assert reply.html.startswith(start.format(n=n)), reply.html
        if case in READS:
            assert after == before, "a read changed the database"
        else:
            assert changed_tables(before, after), "an allowed change wrote nothing"
    else:
        if isinstance(refusal, dict):
            expected = refusal[role]
        else:
            expected = not_permitted(role, *refusal)
        assert reply.html == expected
        assert reply.buttons == [] and reply.private is None
        assert after == before, f"the refusal changed {changed_tables(before, after)}"
    assert_books_ok(team)


def test_the_matrix_covers_every_command_that_needs_a_permission() -> None:
    covered = {type(parse(text.format(n=0, po="PO-2026-0001", so="SO-2026-0001"), TODAY)) for _, text, *_ in MATRIX}
    guarded = {kind for kind, permission in COMMAND_PERMISSION.items() if permission is not None} | {c.Undo}
    assert guarded <= covered, f"not in MATRIX: {sorted(k.__name__ for k in guarded - covered)}"


# ---- sensitive figures ---------------------------------------------------------------------------

GROUP = -100200
SELLER = Person(2004, "销售丁", "seller")
BUYER = Person(2003, "采购丙", "buyer")
NOTE = "🔒 成本和金额已私聊发给你。"


def _open_shop(runtime: Runtime) -> Runtime:
    ok(say(runtime, private("商品 新增 A001 可口可乐 单位 罐 进价 2.5 售价 3.5 安全库存 20")))
    ok(say(runtime, private("入库 A001 50 单价 2.4 @华东饮料")))
    join(runtime, S, SELLER)
    join(runtime, B, BUYER)
    bind(runtime, GROUP)
    return runtime


@pytest.fixture
def shop(runtime: Runtime) -> Runtime:
    """A product with 50 罐 in stock, a seller, a buyer and a bound group (cost hidden there)."""
    return _open_shop(runtime)


@pytest.fixture(scope="module")
def unchanged_shop() -> Iterator[Runtime]:
    """The same shop shared by tests that prove they change nothing (each compares snapshots)."""
    runtime = _open_shop(make_runtime(clock=ManualClock(NOW)))
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()


def test_an_owners_receipt_in_a_group_hides_cost_and_sends_it_privately(shop: Runtime) -> None:
    reply = say(shop, group("入库 A001 10 单价 2.6", GROUP))
    headline = "✅ 入库 10 罐 · <b>A001</b> 可口可乐 · 结存 60 罐\n单号：RK-2026-0002"
    assert reply.html == f"{headline}\n{NOTE}"
    for hidden in ("单价", "金额", "2.60", "平均成本"):
        assert hidden not in reply.html.removesuffix(NOTE)
    assert reply.private is not None
    assert reply.private.html == (
        f"{headline}\n单价：2.60 元 · 金额：26.00 元\n库存金额：146.00 元 · 平均成本：2.4333 元/罐"
    )
    assert_books_ok(shop)


@pytest.mark.parametrize(
    ("text", "public", "full"),
    [
        (
            "库存",
            "📊 库存 · 1 个商品\n缺货 0 · 低于安全库存 0\n🟢 <b>A001</b> 可口可乐 50罐/20",
            "📊 库存 · 1 个商品 · 金额 120.00 元\n缺货 0 · 低于安全库存 0\n🟢 <b>A001</b> 可口可乐 50罐/20 · 120.00元",
        ),
        (
            "库存 A001",
            "📦 <b>A001</b> 可口可乐\n库存：<b>50</b> 罐 · 正常\n安全库存：20\n流水：<code>流水 A001</code>",
            "📦 <b>A001</b> 可口可乐\n库存：<b>50</b> 罐 · 正常\n成本价：2.40 元/罐 · 库存金额：120.00 元\n安全库存：20\n流水：<code>流水 A001</code>",
        ),
        (
            "商品 A001",
            "📦 <b>A001</b> 可口可乐\n单位：罐\n售价：3.50\n安全库存：20\n库存：50 罐（正常）",
            "📦 <b>A001</b> 可口可乐\n单位：罐\n进价：2.50 · 售价：3.50\n安全库存：20\n库存：50 罐（正常） · 金额 120.00 元",
        ),
        (
            "流水 A001",
            "🧾 流水 · <b>A001</b> 可口可乐\n共 1 笔\n11-22 10:00 RK-2026-0001 入库 <b>+50</b> → 50 · 华东饮料 · 老王",
            "🧾 流水 · <b>A001</b> 可口可乐\n共 1 笔\n11-22 10:00 RK-2026-0001 入库 <b>+50</b> → 50 · 120.00元 · 华东饮料 · 老王",
        ),
    ],
    ids=["库存", "库存 A001", "商品 A001", "流水 A001"],
)
def test_who_sees_cost_where(shop: Runtime, text: str, public: str, full: str) -> None:
    # A seller never sees cost, in a group or in private, and gets no private copy.
    for incoming in (group(text, GROUP, SELLER), private(text, SELLER)):
        reply = say(shop, incoming)
        assert (reply.html, reply.private) == (public, None)
    # Owner and buyer may see it: the group gets it without, they get it in private.
    for person in (OWNER, BUYER):
        reply = say(shop, group(text, GROUP, person))
        assert reply.html == f"{public}\n{NOTE}"
        assert reply.private is not None and reply.private.html == full
        reply = say(shop, private(text, person))
        assert (reply.html, reply.private) == (full, None)
    # A group marked 可见 成本 shows it to those who may see it, and still not to a seller.
    ok(say(shop, group("设置 本群 可见 成本", GROUP)))
    reply = say(shop, group(text, GROUP))
    assert (reply.html, reply.private) == (full, None)
    reply = say(shop, group(text, GROUP, SELLER))
    assert (reply.html, reply.private) == (public, None)
    # … until it is hidden again.
    ok(say(shop, group("设置 本群 隐藏 成本", GROUP)))
    assert say(shop, group(text, GROUP)).html == f"{public}\n{NOTE}"


def test_after_marking_the_group_the_owners_receipt_is_full_there(shop: Runtime) -> None:
    assert say(shop, group("设置 本群 可见 成本", GROUP)).html == "✅ 本群现在显示成本、进价和库存金额（仅对有权限的角色）。"
    reply = say(shop, group("入库 A001 10 单价 2.6", GROUP))
    assert "单价：2.60 元 · 金额：26.00 元" in reply.html and "库存金额：146.00 元" in reply.html
    assert NOTE not in reply.html and reply.private is None


def test_an_issue_in_a_group_shows_the_sale_but_not_the_cost(shop: Runtime) -> None:
    # The keeper books the sale; the group sees the price and amount, the cost of goods stays private.
    keeper = Person(2005, "仓管乙", "keeper")
    join(shop, K, keeper)
    reply = say(shop, group("出库 A001 5 单价 3.5 @张三", GROUP, keeper))
    assert reply.html == (
        "✅ 出库 5 罐 · <b>A001</b> 可口可乐 · 结存 45 罐\n单号：CK-2026-0001\n售价 3.50 元 · 金额 17.50 元\n客户：张三\n"
        # 张三 is no customer on file: nothing is owed, and the reply says how to file them
        "（张三 不是已建档的客户，未记应收：<code>客户 新增 张三</code>）\n" + NOTE
    )
    assert reply.private is not None and "成本：12.00 元" in reply.private.html


@pytest.mark.parametrize("setting", ["设置 本群 可见 成本", "设置 本群 隐藏 成本"])
def test_the_group_setting_is_refused_in_a_private_chat(unchanged_shop: Runtime, setting: str) -> None:
    before = snapshot(unchanged_shop.engine)
    assert say(unchanged_shop, private(setting)).html == "❌ 「设置 本群」要在群里发送。"
    assert snapshot(unchanged_shop.engine) == before


def test_setting_the_same_visibility_twice_changes_nothing(unchanged_shop: Runtime) -> None:
    before = snapshot(unchanged_shop.engine)
    assert say(unchanged_shop, group("设置 本群 隐藏 成本", GROUP)).html == "ℹ️ <b>本群</b> 没有变化，未修改。"
    assert snapshot(unchanged_shop.engine) == before


def test_the_audit_log_in_a_group_does_not_leak_a_privately_typed_price(shop: Runtime) -> None:
    # The typed command text may carry prices: where cost is hidden, neither it nor the change shows.
    ok(say(shop, private("商品 修改 A001 进价 2.6")))
    reply = say(shop, group("日志", GROUP))
    codes = re.compile(r"1-[0-9A-Z]{8}")
    assert codes.sub("1-CODE", reply.html) == (
        "📜 操作日志\n共 8 条\n"
        "#8 11-22 10:00 老王 · 商品修改 A001\n"
        "#7 11-22 10:00 老王 · 绑定 -100200\n"
        "#6 11-22 10:00 采购丙 · 加入 采购 · 1-CODE\n"
        "#5 11-22 10:00 老王 · 邀请 采购 · 1-CODE\n"
        "#4 11-22 10:00 销售丁 · 加入 销售 · 1-CODE\n"
        "#3 11-22 10:00 老王 · 邀请 销售 · 1-CODE\n"
        "#2 11-22 10:00 老王 · 入库 A001 · RK-2026-0001\n"
        "#1 11-22 10:00 老王 · 商品新增 A001\n" + NOTE
    )
    assert "<code>" not in reply.html and "2.4" not in reply.html and "2.6" not in reply.html
    # The owner gets the full log, typed commands included, in private.
    assert reply.private is not None
    full = reply.private.html
    assert "#8 11-22 10:00 老王 · 商品修改 A001\n  进价：2.50 → 2.60\n  <code>商品 修改 A001 进价 2.6</code>\n" in full
    assert "#2 11-22 10:00 老王 · 入库 A001 · RK-2026-0001\n  <code>入库 A001 50 单价 2.4 @华东饮料</code>\n" in full


def test_the_undo_preview_in_a_group_does_not_leak_a_privately_typed_price(shop: Runtime) -> None:
    reply = say(shop, group("撤销 RK-2026-0001", GROUP))
    assert reply.html == (
        "↩️ 确认撤销 <b>RK-2026-0001</b>？\n入库 · 11-22 10:00 · 老王 · <b>A001</b> 可口可乐\n数量 +50 罐\n"
        "撤销会追加一笔反向的冲销流水，原记录保留。\n5 分钟内有效，只有发出命令的人能确认。"
    )
    assert "原命令" not in reply.html and "单价 2.4" not in reply.html
    assert [[b.text for b in row] for row in reply.buttons] == [["✅ 确认", "✖ 取消"]]
    assert reply.private is None


# ---- strangers -----------------------------------------------------------------------------------

# One message per command that needs a membership (every command but the open ones).
MEMBER_COMMANDS = [
    "入库\nA001 1\nA001 2",  # faster entry: a batch
    "导入 商品",
    "库存",
    "库存 A001",
    "流水 A001",
    "商品 A001",
    "商品 可乐",
    "商品 新增 B001 雪碧",
    "商品 修改 A001 售价 3.8",
    "商品 停用 A001",
    "入库 A001 5",
    "出库 A001 5",
    "仓库",
    "仓库 新增 二仓",
    "解绑",
    "设置 本群 可见 成本",
    "邀请 仓管",
    "成员",
    "成员 设置 @laowang 只读",
    "成员 移除 @laowang",
    "成员 仓库 @laowang 主仓",
    "日志",
    "撤销",
    "撤销 RK-2026-0001",
    "撤销 #1",
    # issue 5 and later
    "调拨 A001 1 主仓→二仓",
    "报损 A001 1 原因 破损",
    "盘点 开始",
    "盘点 A001 48",
    "盘点 差异",
    "盘点 确认",
    "盘点 取消",
    "设置 负库存 允许",
    "设置 税率 13%",
    "设置 计价 先进先出",
    "商品 修改 A001 安全库存 5 仓库 主仓",
    "分析 ABC",
    "补货建议",
    "供应商 新增 华南食品",
    "客户 修改 张三超市 账期 30天",
    "客户",
    "报表 本月",
    "排行 销售",
    "滞销 30天",
    "周转",
    "图表 销售趋势",
    "导出 进销存 本月",
    # documents (issue 4)
    "采购 @华东饮料 A001 1 单价 2.4",
    "销售 @张三超市 A001 1",
    "采购单",
    "销售单 SO-2026-0001",
    "/PO_2026_0001",
    "审核 PO-2026-0001",
    "关闭 SO-2026-0001",
    "到货 PO-2026-0001",
    "发货 SO-2026-0001",
    "退货 @华东饮料 A001 1",
    "收款 @张三超市 100",
    "付款 @华东饮料 100",
    "应收",
    "应付 @华东饮料",
    "对账单 @张三超市 本月",
    "其他收入 200 房租转租",
    "费用 300 水电",
    # ---- alerts ----
    "订阅 预警 库存",
    "订阅",
    "退订 库存",
    "预警",
    "预警 检查",
    "预警 忽略 A001",
    "设置 预警 日报 21:00",
]
SECRETS = ("默认账套", "A001", "可口可乐", "RK-2026", "50", "华东", "老王", "1001", str(STRANGER.user_id))


def test_the_stranger_commands_cover_every_guarded_command() -> None:
    covered = {type(parse(text, TODAY)) for text in MEMBER_COMMANDS}
    assert covered == set(COMMAND_PERMISSION) - OPEN_COMMANDS


@pytest.mark.parametrize("text", MEMBER_COMMANDS)
def test_a_stranger_gets_the_not_a_member_reply_for_every_command(unchanged_shop: Runtime, text: str) -> None:
    before = snapshot(unchanged_shop.engine)
    for incoming in (private(text, STRANGER), group(text, GROUP, STRANGER)):
        reply = say(unchanged_shop, incoming)
        assert reply.html == NOT_A_MEMBER
        assert reply.buttons == [] and reply.private is None
        for secret in SECRETS:
            assert secret not in reply.html
    assert snapshot(unchanged_shop.engine) == before


@pytest.mark.parametrize("text", MEMBER_COMMANDS)
def test_in_an_unbound_group_everyone_is_told_to_bind_it(unchanged_shop: Runtime, text: str) -> None:
    before = snapshot(unchanged_shop.engine)
    for person in (OWNER, SELLER, STRANGER):
        assert say(unchanged_shop, group(text, GROUP - 1, person)).html == CHAT_NOT_BOUND
    assert snapshot(unchanged_shop.engine) == before


@pytest.mark.parametrize("where", ["private", "group"])
def test_binding_a_workspace_one_is_not_in_looks_like_binding_one_that_does_not_exist(unchanged_shop: Runtime, where: str) -> None:
    before = snapshot(unchanged_shop.engine)
    replies = set()
    for text in ("绑定 1", "绑定 999"):
        incoming = private(text, STRANGER) if where == "private" else group(text, GROUP - 2, STRANGER)
        replies.add(say(unchanged_shop, incoming).html)
    assert replies == {NOT_A_MEMBER}
    assert snapshot(unchanged_shop.engine) == before


def test_a_member_of_another_workspace_cannot_take_over_a_bound_group(shop: Runtime) -> None:
    other = Person(2002, "小张", "xiaozhang")
    assert create_workspace(shop, "二号店", other) == 2
    before = snapshot(shop.engine)
    reply = say(shop, group("绑定 2", GROUP, other))
    assert reply.html == "❌ 本群已经绑定了另一个账套。要换账套，先由那个账套的老板或管理员发送 <code>解绑</code>。"
    assert "默认账套" not in reply.html
    # Nor read it, nor unbind it: in that group they are nobody.
    for text in ("库存", "解绑", "成员"):
        assert say(shop, group(text, GROUP, other)).html == NOT_A_MEMBER
    assert snapshot(shop.engine) == before
    assert_books_ok(shop)


def test_a_strangers_confirmation_press_is_a_dead_button(shop: Runtime) -> None:
    asked = say(shop, private("入库 A001 5000"))
    (confirm, cancel) = asked.buttons[0]
    before = snapshot(shop.engine)
    for data in (confirm.data, cancel.data):
        reply = shop.dispatcher.handle_button(private("", STRANGER), data)
        # A pop-up for the stranger alone; it says nothing about whose button it is.
        assert reply == Reply("⌛ 这个确认已经过期或已处理。需要的话请重新发送命令。", alert=True)
    assert snapshot(shop.engine) == before
    # The question keeps working for the one who asked.
    assert press(shop, private(""), confirm.data).html.startswith("✅ 入库 5,000 罐 · <b>A001</b> 可口可乐 · 结存 5,050 罐")


@pytest.mark.parametrize("text", ["帮助", "帮助 撤销", "帮助 采购"])
def test_open_commands_answer_a_stranger_without_workspace_data(unchanged_shop: Runtime, text: str) -> None:
    reply = say(unchanged_shop, private(text, STRANGER))
    assert reply.html == say(unchanged_shop, private(text)).html  # the same for everyone
    assert "默认账套" not in reply.html


def test_a_stranger_with_a_bad_code_learns_nothing(unchanged_shop: Runtime) -> None:
    before = snapshot(unchanged_shop.engine)
    for code in ("1-AAAAAAAA", "999-AAAAAAAA"):
        reply = say(unchanged_shop, private(f"加入 {code}", STRANGER))
        assert reply.html == "❌ 邀请码无效、已用过或已过期（24 小时有效）。请向老板要一个新的：<code>邀请 &lt;角色&gt;</code>"
    assert snapshot(unchanged_shop.engine) == before


# ---- members limited to some warehouses ----------------------------------------------------------

KEEPER = Person(2001, "老李", "laoli")


@pytest.fixture
def two_warehouses(shop: Runtime) -> Runtime:
    assert say(shop, private("仓库 新增 二仓")).html.startswith("✅ 已新增仓库「二仓」")
    join(shop, K, KEEPER)
    assert say(shop, private("成员 仓库 @laoli 二仓")).html == "✅ 老李 现在只能使用：二仓"
    return shop


def test_a_keeper_limited_to_one_warehouse_books_only_there(two_warehouses: Runtime) -> None:
    shop = two_warehouses
    before = snapshot(shop.engine)
    for text in ("入库 A001 5", "出库 A001 1", "入库 A001 5 仓库 主仓"):
        assert say(shop, private(text, KEEPER)).html == "🔒 你没有仓库「主仓」的权限。写上你负责的仓库，如 <code>仓库 二仓</code>。"
    assert say(shop, private("入库 A001 5 仓库 三仓", KEEPER)).html.startswith("❌ 没有仓库「三仓」。现有：二仓。")
    assert snapshot(shop.engine) == before
    reply = say(shop, private("入库 A001 5 仓库 二仓", KEEPER))
    assert reply.html.startswith("✅ 入库 5 罐 · <b>A001</b> 可口可乐 · 结存 5 罐\n单号：RK-2026-0002")
    assert say(shop, private("出库 A001 2 仓库 二仓", KEEPER)).html.startswith("✅ 出库 2 罐 · <b>A001</b> 可口可乐 · 结存 3 罐")
    assert_books_ok(shop)


def test_a_limited_keeper_reads_only_their_warehouse(two_warehouses: Runtime) -> None:
    shop = two_warehouses
    ok(say(shop, private("入库 A001 7 仓库 二仓", KEEPER)))
    overview = say(shop, private("库存", KEEPER)).html
    assert "A001</b> 可口可乐 7罐/20" in overview and "57罐" not in overview
    assert "A001</b> 可口可乐 57罐/20" in say(shop, private("库存")).html
    assert "库存：<b>7</b> 罐" in say(shop, private("库存 A001", KEEPER)).html
    assert "库存：<b>57</b> 罐" in say(shop, private("库存 A001")).html
    ledger = say(shop, private("流水 A001", KEEPER)).html
    assert "共 1 笔" in ledger and "RK-2026-0002" in ledger and "RK-2026-0001" not in ledger
    assert "主仓（默认） · 无权限" in say(shop, private("仓库", KEEPER)).html
    assert "仅限：二仓" in say(shop, private("成员")).html


def test_lifting_the_limit_gives_back_every_warehouse(two_warehouses: Runtime) -> None:
    shop = two_warehouses
    assert say(shop, private("成员 仓库 @laoli 全部")).html == "✅ 老李 现在可以使用全部仓库。"
    assert say(shop, private("入库 A001 5", KEEPER)).html.startswith("✅ 入库 5 罐 · <b>A001</b> 可口可乐 · 结存 55 罐")
    assert_books_ok(shop)


def test_limiting_to_an_unknown_warehouse_is_refused(two_warehouses: Runtime) -> None:
    shop = two_warehouses
    before = snapshot(shop.engine)
    reply = say(shop, private("成员 仓库 @laoli 三仓"))
    assert reply.html.startswith("❌ 没有仓库「三仓」。现有：主仓、二仓。")
    assert snapshot(shop.engine) == before
