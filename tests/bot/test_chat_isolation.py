"""Two workspaces on one database: through every command each sees and changes only its own
books; the other's product codes, document numbers, operation ids and members behave exactly
like ones that never existed. Runs on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.app import Runtime
from bot.clock import ManualClock
from tests.bot.chatkit import (
    NOT_A_MEMBER,
    NOW,
    OWNER,
    Person,
    assert_books_ok,
    bind,
    create_workspace,
    fresh_database,
    group,
    invite,
    join,
    make_runtime,
    movement_numbers,
    ok,
    press,
    private,
    say,
    snapshot,
    workspace_rows,
)

ZHANG = Person(2002, "小张", "xiaozhang")  # owner of 二号店 (workspace 2)
SHOP_1 = ("默认账套", "可口可乐", "芬达", "C003", "老王", "laowang")
SHOP_2 = ("二号店", "百事可乐", "雪碧", "B002", "小张", "xiaozhang")
GROUP_2 = -200300


def _open_two_shops(rt: Runtime) -> Runtime:
    """默认账套 (1): A001 可口可乐 65 罐 after RK-0001, RK-0002, CK-0001; C003 芬达; 仓库 二仓.
    二号店 (2): A001 百事可乐 30 罐 after its own RK-2026-0001; B002 雪碧; a bound group."""
    ok(say(rt, private("商品 新增 A001 可口可乐 单位 罐 进价 2.5")))
    ok(say(rt, private("商品 新增 C003 芬达 单位 瓶")))
    ok(say(rt, private("入库 A001 50 单价 2.4")))
    ok(say(rt, private("入库 A001 20 单价 2.4")))
    ok(say(rt, private("出库 A001 5")))
    ok(say(rt, private("仓库 新增 二仓")))
    assert create_workspace(rt, "二号店", ZHANG) == 2
    ok(say(rt, private("商品 新增 A001 百事可乐 单位 罐 进价 3", ZHANG)))
    ok(say(rt, private("商品 新增 B002 雪碧 单位 瓶", ZHANG)))
    ok(say(rt, private("入库 A001 30 单价 3", ZHANG)))
    bind(rt, GROUP_2, workspace_id=2, by=ZHANG)
    assert movement_numbers(rt, 1) == ["RK-2026-0001", "RK-2026-0002", "CK-2026-0001"]
    assert movement_numbers(rt, 2) == ["RK-2026-0001"]
    return rt


@pytest.fixture
def shops(any_runtime: Runtime) -> Runtime:
    return _open_two_shops(any_runtime)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unchanged_shops(request: pytest.FixtureRequest) -> Iterator[Runtime]:
    """The two shops shared by the tests that prove they change nothing."""
    with fresh_database(request.param) as url:
        runtime = make_runtime(url, ManualClock(NOW))
        yield _open_two_shops(runtime)
        assert_books_ok(runtime)
        runtime.engine.dispose()


READS = ["库存", "库存 A001", "流水 A001", "商品 A001", "商品", "商品 可乐", "仓库", "成员", "日志", "日志 A001", "撤销 RK-2026-0001"]


@pytest.mark.parametrize("text", READS)
def test_every_read_shows_only_the_own_workspace(unchanged_shops: Runtime, text: str) -> None:
    shops = unchanged_shops
    before = snapshot(shops.engine)
    for person, own, other in ((OWNER, SHOP_1, SHOP_2), (ZHANG, SHOP_2, SHOP_1)):
        reply = say(shops, private(text, person))
        assert not reply.html.startswith(("❌", "🔒")), reply.html
        for secret in other:
            assert secret not in reply.html, f"{person.name} sees {secret!r} in:\n{reply.html}"
    reply_1, reply_2 = say(shops, private(text)).html, say(shops, private(text, ZHANG)).html
    assert reply_1 != reply_2 or text == "仓库"  # both have just 主仓
    if text in ("库存", "库存 A001", "商品 A001", "流水 A001"):
        assert "可口可乐" in reply_1 and "百事可乐" in reply_2
    changed = {name for name, rows in snapshot(shops.engine).items() if rows != before[name]}
    assert changed <= {"confirmation"}  # 撤销 asks first; reading changes nothing else


def test_each_sees_its_own_balance_ledger_and_numbers(unchanged_shops: Runtime) -> None:
    shops = unchanged_shops
    assert "库存：<b>65</b> 罐" in say(shops, private("库存 A001")).html
    assert "库存：<b>30</b> 罐" in say(shops, private("库存 A001", ZHANG)).html
    ledger_1 = say(shops, private("流水 A001")).html
    ledger_2 = say(shops, private("流水 A001", ZHANG)).html
    assert "共 3 笔" in ledger_1 and "共 1 笔" in ledger_2
    assert re.findall(r"[A-Z]{2}-2026-\d{4}", ledger_2) == ["RK-2026-0001"]
    assert "+30" in ledger_2 and "+50" not in ledger_2
    members_2 = say(shops, private("成员", ZHANG)).html
    assert "「二号店」（编号 2）成员 1 人" in members_2


# Names of the other workspace, and names that never existed: the replies must be the same.
UNKNOWN_TO_2 = [
    ("库存 {}", "C003", "Q777"),
    ("流水 {}", "C003", "Q777"),
    ("商品 {}", "C003", "Q777"),
    ("商品 {}", "芬达", "芒果"),
    ("入库 {} 1", "C003", "Q777"),
    ("出库 {} 1", "C003", "Q777"),
    ("商品 修改 {} 售价 1", "C003", "Q777"),
    ("商品 停用 {}", "C003", "Q777"),
    ("日志 {}", "C003", "Q777"),
    ("撤销 {}", "RK-2026-0002", "RK-2026-0099"),
    ("撤销 {}", "CK-2026-0001", "CK-2026-0099"),
    ("撤销 {}", "#6", "#999"),
    ("成员 设置 @{} 只读", "laowang", "nobody"),
    ("成员 移除 @{}", "老王", "无名"),
    ("日志 @{}", "laowang", "nobody"),
    ("入库 A001 1 仓库 {}", "二仓", "三仓"),
]


@pytest.mark.parametrize(("template", "theirs", "never"), UNKNOWN_TO_2, ids=[t.format(x) for t, x, _ in UNKNOWN_TO_2])
def test_the_other_workspaces_names_behave_as_unknown(
    unchanged_shops: Runtime, template: str, theirs: str, never: str
) -> None:
    shops = unchanged_shops
    before = snapshot(shops.engine)
    reply_theirs = say(shops, private(template.format(theirs), ZHANG)).html
    reply_never = say(shops, private(template.format(never), ZHANG)).html
    assert reply_theirs.replace(theirs, never) == reply_never
    for secret in SHOP_1:
        assert secret not in reply_theirs.replace(theirs, "")
    assert snapshot(shops.engine) == before
    assert_books_ok(shops)


def test_writes_change_only_the_own_workspace(shops: Runtime) -> None:
    books_1 = workspace_rows(shops.engine, 1)
    ok(say(shops, private("商品 修改 A001 售价 9 名称 百事可乐330", ZHANG)))
    ok(say(shops, private("入库 A001 5", ZHANG)))
    ok(say(shops, private("出库 A001 2", ZHANG)))
    ok(say(shops, private("仓库 新增 二号仓", ZHANG)))
    ok(say(shops, private("商品 停用 B002", ZHANG)))
    asked = say(shops, private("撤销 RK-2026-0001", ZHANG))
    undone = press(shops, private("", ZHANG), asked.buttons[0][0].data)
    assert undone.html.startswith("↩️ 已撤销 RK-2026-0001（入库）\n冲销单号：CX-2026-0001")
    assert workspace_rows(shops.engine, 1) == books_1, "workspace 2 changed workspace 1"
    assert movement_numbers(shops, 2) == ["RK-2026-0001", "RK-2026-0002", "CK-2026-0001", "CX-2026-0001"]
    assert "库存：<b>65</b> 罐" in say(shops, private("库存 A001")).html
    assert "库存：<b>3</b> 罐" in say(shops, private("库存 A001", ZHANG)).html
    # And the other way round: 默认账套 undoing its own CK-2026-0001 leaves 二号店 alone.
    books_2 = workspace_rows(shops.engine, 2)
    asked = say(shops, private("撤销 CK-2026-0001"))
    press(shops, private(""), asked.buttons[0][0].data)
    assert workspace_rows(shops.engine, 2) == books_2
    assert "库存：<b>70</b> 罐" in say(shops, private("库存 A001")).html
    assert_books_ok(shops)


def test_a_group_of_one_workspace_is_closed_to_the_other(shops: Runtime) -> None:
    before = snapshot(shops.engine)
    for text in ("库存", "库存 A001", "入库 A001 1", "日志", "成员", "解绑", "设置 本群 可见 成本"):
        assert say(shops, group(text, GROUP_2, OWNER)).html == NOT_A_MEMBER
    reply = say(shops, group("绑定 1", GROUP_2, OWNER))
    assert reply.html == "❌ 本群已经绑定了另一个账套。要换账套，先由那个账套的老板或管理员发送 <code>解绑</code>。"
    assert snapshot(shops.engine) == before
    assert "百事可乐 30罐" in say(shops, group("库存", GROUP_2, ZHANG)).html


def test_an_invitation_works_only_in_its_own_workspace(shops: Runtime) -> None:
    code = invite(shops, "仓管", ZHANG)
    assert code.startswith("2-")
    before = snapshot(shops.engine)
    forged = "1-" + code.split("-", 1)[1]  # the same secret, routed to the other workspace
    keeper = Person(2005, "仓管乙", "keeper")
    assert say(shops, private(f"加入 {forged}", keeper)).html.startswith("❌ 邀请码无效")
    assert snapshot(shops.engine) == before
    assert say(shops, private(f"加入 {code}", keeper)).html == (
        "✅ 已加入「二号店」，角色：仓管。发送 <code>帮助</code> 查看能用的命令。\n"
        "这个私聊现在记到「二号店」；要切回别的账套：<code>绑定 &lt;账套编号&gt;</code>"
    )
    assert "百事可乐" in say(shops, private("库存", keeper)).html
    assert say(shops, private("绑定 1", keeper)).html == NOT_A_MEMBER
    assert_books_ok(shops)


def test_a_member_of_both_switches_the_private_chat_between_them(shops: Runtime) -> None:
    join(shops, "只读", OWNER, inviter=ZHANG)  # joining binds the private chat to 二号店
    assert "百事可乐" in say(shops, private("库存")).html
    assert say(shops, private("入库 A001 1")).html.startswith("🔒 你的角色「只读」")
    assert say(shops, private("绑定 1")).html == "✅ 私聊已切换到账套「默认账套」。"
    assert "可口可乐" in say(shops, private("库存")).html
    ok(say(shops, private("入库 A001 1")))
    assert movement_numbers(shops, 2) == ["RK-2026-0001"]
    assert_books_ok(shops)
