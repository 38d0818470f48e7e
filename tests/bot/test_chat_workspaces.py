"""Workspaces, invitations, members and chat bindings through the dispatcher: the rules that
depend on who is acting on whom, and that every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Runtime
from bot.clock import ManualClock
from tests.bot.chatkit import (
    CHAT_NOT_BOUND,
    NOT_A_MEMBER,
    OWNER,
    Person,
    assert_books_ok,
    bind,
    console,
    create_workspace,
    group,
    invite,
    join,
    ok,
    private,
    say,
    snapshot,
)

ADMIN = Person(3001, "管理员甲", "admin1")
KEEPER = Person(2001, "老李", "laoli")
ZHANG = Person(2002, "小张", "xiaozhang")
GROUP = -100500


@pytest.fixture
def team(runtime: Runtime) -> Runtime:
    join(runtime, "管理员", ADMIN)
    join(runtime, "仓管", KEEPER)
    return runtime


def test_an_invitation_is_used_once(team: Runtime) -> None:
    code = invite(team, "销售")
    assert say(team, private(f"加入 {code.lower()}", ZHANG)).html == (
        "✅ 已加入「默认账套」，角色：销售。发送 <code>帮助</code> 查看能用的命令。\n"
        "这个私聊现在记到「默认账套」；要切回别的账套：<code>绑定 &lt;账套编号&gt;</code>"
    )
    before = snapshot(team.engine)
    other = Person(2003, "小王", "xiaowang")
    assert say(team, private(f"加入 {code}", other)).html.startswith("❌ 邀请码无效、已用过或已过期")
    assert say(team, private("库存", other)).html == NOT_A_MEMBER
    assert snapshot(team.engine) == before


@pytest.mark.parametrize(("wait", "joined"), [(timedelta(hours=23, minutes=59), True), (timedelta(hours=24), False)])
def test_an_invitation_expires_after_24_hours(team: Runtime, clock: ManualClock, wait: timedelta, joined: bool) -> None:
    code = invite(team, "销售")
    clock.advance(wait)
    reply = say(team, private(f"加入 {code}", ZHANG))
    assert reply.html.startswith("✅ 已加入" if joined else "❌ 邀请码无效")


def test_a_member_joining_again_is_told_so_and_keeps_the_code_unused(team: Runtime) -> None:
    code = invite(team, "销售")
    before = snapshot(team.engine)
    assert say(team, private(f"加入 {code}", KEEPER)).html == "ℹ️ 你已经是「默认账套」的仓管了，不用再加入。"
    assert snapshot(team.engine) == before
    ok(say(team, private(f"加入 {code}", ZHANG)), "✅ 已加入")


def test_the_member_list_shows_roles_usernames_and_the_workspace_number(team: Runtime) -> None:
    assert say(team, private("成员", KEEPER)).html == (
        "👥 「默认账套」（编号 1）成员 3 人\n"
        "老板 · 老王 @laowang\n"
        "管理员 · 管理员甲 @admin1\n"
        "仓管 · 老李 @laoli\n"
        "设置角色：<code>成员 设置 @用户名 财务</code> · 限定仓库：<code>成员 仓库 @用户名 二仓</code>"
    )


def test_a_member_who_renames_is_listed_under_the_new_name(team: Runtime) -> None:
    renamed = Person(KEEPER.user_id, "李师傅", "lishifu")
    ok(say(team, private("库存", renamed)), "📊")
    members = say(team, private("成员")).html
    assert "仓管 · 李师傅 @lishifu" in members and "老李" not in members
    assert say(team, private("成员 设置 @lishifu 财务")).html == "✅ 李师傅 的角色：仓管 → 财务"


# The unknown-member reply ends with how @ names work, for every 成员 subcommand alike.
HANDLE_HINT = "@ 后面写成员的 Telegram 用户名或名字，如 <code>@lisi</code>、<code>@老李</code>"
MEMBER_RULES = [
    # (who, text, exact reply) — each a refusal that must change nothing
    (ADMIN, "成员 设置 @laowang 只读", "🔒 只有老板可以调整老板「老王」。"),
    (ADMIN, "成员 移除 @laowang", "🔒 只有老板可以调整老板「老王」。"),
    (ADMIN, "成员 设置 @laoli 管理员", "🔒 你的角色「管理员」不能任命老板和管理员。需要：老板。"),
    (ADMIN, "邀请 管理员", "🔒 你的角色「管理员」不能任命老板和管理员。需要：老板。"),
    (ADMIN, "邀请 老板", "🔒 你的角色「管理员」不能任命老板和管理员。需要：老板。"),
    (OWNER, "成员 设置 @laowang 管理员", "❌ 老王 是唯一的老板，不能移除或改角色。先把另一位成员设为老板。"),
    (OWNER, "成员 移除 @laowang", "❌ 老王 是唯一的老板，不能移除或改角色。先把另一位成员设为老板。"),
    (OWNER, "成员 设置 @laoli 仓管", "ℹ️ <b>老李</b> 没有变化，未修改。"),
    (OWNER, "成员 设置 @lao 财务", f"❌ 没有找到成员 @lao。是不是：老王、老李？\n{HANDLE_HINT}"),
    (OWNER, "成员 移除 @nobody", f"❌ 没有找到成员 @nobody。发送 <code>成员</code> 查看全部成员。\n{HANDLE_HINT}"),
    (OWNER, "成员 仓库 @nobody 主仓", f"❌ 没有找到成员 @nobody。发送 <code>成员</code> 查看全部成员。\n{HANDLE_HINT}"),
    (KEEPER, "成员 设置 @laoli 老板", "🔒 你的角色「仓管」不能邀请成员、设置角色。需要：老板、管理员。"),
]


@pytest.mark.parametrize(("who", "text", "expected"), MEMBER_RULES, ids=[f"{w.name}:{t}" for w, t, _ in MEMBER_RULES])
def test_member_management_rules(team: Runtime, who: Person, text: str, expected: str) -> None:
    before = snapshot(team.engine)
    assert say(team, private(text, who)).html == expected
    assert snapshot(team.engine) == before


def test_an_admin_manages_the_working_roles(team: Runtime) -> None:
    assert say(team, private("成员 设置 @LAOLI 财务", ADMIN)).html == "✅ 老李 的角色：仓管 → 财务"
    assert say(team, private("入库 A001 1", KEEPER)).html.startswith("🔒 你的角色「财务」")
    assert say(team, private("成员 移除 @老李", ADMIN)).html == "✅ 已移除成员 老李（财务）。他的历史记录保留在日志里。"
    assert say(team, private("库存", KEEPER)).html == NOT_A_MEMBER


def test_the_owner_hands_over_and_may_then_step_down(team: Runtime) -> None:
    assert say(team, private("成员 设置 @admin1 老板")).html == "✅ 管理员甲 的角色：管理员 → 老板"
    assert say(team, private("成员 设置 @laowang 只读", ADMIN)).html == "✅ 老王 的角色：老板 → 只读"
    assert say(team, private("日志")).html == "🔒 你的角色「只读」不能查看操作日志。需要：老板、管理员。"


def test_binding_and_unbinding_a_group(team: Runtime) -> None:
    bind(team, GROUP, by=ADMIN)
    assert say(team, group("绑定 1", GROUP)).html == "ℹ️ 本群已经绑定账套「默认账套」，不用再绑定。"
    assert say(team, group("库存", GROUP, KEEPER)).html.startswith("📊")
    assert say(team, group("解绑", GROUP, KEEPER)).html == "🔒 你的角色「仓管」不能绑定群、设置群的可见范围。需要：老板、管理员。"
    assert say(team, group("解绑", GROUP)).html == "✅ 已解除与账套「默认账套」的绑定，本群的命令不再记账。"
    before = snapshot(team.engine)
    for text in ("库存", "入库 A001 1", "解绑"):
        assert say(team, group(text, GROUP)).html == CHAT_NOT_BOUND
    assert snapshot(team.engine) == before


def test_rebinding_resets_the_cost_visibility(team: Runtime) -> None:
    bind(team, GROUP)
    ok(say(team, group("设置 本群 可见 成本", GROUP)))
    ok(say(team, group("解绑", GROUP)))
    bind(team, GROUP)
    assert say(team, group("设置 本群 隐藏 成本", GROUP)).html == "ℹ️ <b>本群</b> 没有变化，未修改。"


def test_an_owner_creates_at_most_five_workspaces(runtime: Runtime) -> None:
    ids = [create_workspace(runtime, f"店{n}", ZHANG) for n in range(5)]
    assert ids == [2, 3, 4, 5, 6]
    before = snapshot(runtime.engine)
    assert say(runtime, private("新建账套 店5", ZHANG)).html == "❌ 一个人最多创建 5 个账套。"
    assert snapshot(runtime.engine) == before
    # The private chat works in the newest one.
    assert say(runtime, private("成员", ZHANG)).html.startswith("👥 「店4」（编号 6）成员 1 人")
    assert_books_ok(runtime)


CONSOLE_REFUSAL = "❌ 控制台使用本机的账套，不能「{verb}」。请在 Telegram 里使用这个命令。"


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (group("新建账套 二号店", GROUP, ZHANG), "❌ 「新建账套」请在与我的私聊中发送。"),
        (group("加入 1-AAAAAAAA", GROUP, ZHANG), "❌ 「加入」请在与我的私聊中发送。"),
        (private("解绑"), "❌ 「解绑」要在群里发送。"),
        (console("新建账套 二号店"), CONSOLE_REFUSAL.format(verb="新建账套")),
        (console("加入 1-AAAAAAAA"), CONSOLE_REFUSAL.format(verb="加入")),
        (console("绑定 1"), CONSOLE_REFUSAL.format(verb="绑定")),
        (console("解绑"), CONSOLE_REFUSAL.format(verb="解绑")),
    ],
    ids=[
        "新建账套 in a group",
        "加入 in a group",
        "解绑 in a private chat",
        "新建账套 on the console",
        "加入 on the console",
        "绑定 on the console",
        "解绑 on the console",
    ],
)
def test_commands_refused_where_they_do_not_belong(runtime: Runtime, incoming, expected: str) -> None:  # type: ignore[no-untyped-def]
    ok(say(runtime, private("成员")), "👥")  # the owner's first message records their Telegram name
    before = snapshot(runtime.engine)
    assert say(runtime, incoming).html == expected
    assert snapshot(runtime.engine) == before


@pytest.mark.parametrize("text", ["新建账套 二号店", "加入 1-AAAAAAAA"])
def test_the_private_chat_refusal_in_a_group_does_not_talk_about_the_console(runtime: Runtime, text: str) -> None:
    for person in (ZHANG, OWNER):  # a stranger and the owner get the same answer
        reply = say(runtime, group(text, GROUP, person))
        assert "控制台" not in reply.html and reply.html.endswith("请在与我的私聊中发送。")


def test_a_member_removed_from_one_workspace_still_reaches_the_other_in_private(team: Runtime) -> None:
    assert create_workspace(team, "二号店", ZHANG) == 2
    join(team, "仓管", KEEPER, inviter=ZHANG)  # the keeper's private chat now works in 二号店
    assert say(team, private("成员", KEEPER)).html.startswith("👥 「二号店」（编号 2）成员 2 人\n")
    ok(say(team, private("成员 移除 @laoli", ZHANG)))
    # The private chat still names 二号店; it falls back to the workspace the keeper is still in.
    reply = say(team, private("成员", KEEPER))
    assert reply.html == (
        "👥 「默认账套」（编号 1）成员 3 人\n"
        "老板 · 老王 @laowang\n"
        "管理员 · 管理员甲 @admin1\n"
        "仓管 · 老李 @laoli\n"
        "设置角色：<code>成员 设置 @用户名 财务</code> · 限定仓库：<code>成员 仓库 @用户名 二仓</code>"
    )
    ok(say(team, private("入库 A001 1", KEEPER)), "❌ 未找到商品 A001。")  # as a keeper of 默认账套, not a stranger
    assert say(team, private("成员", ZHANG)).html.startswith("👥 「二号店」（编号 2）成员 1 人\n")
    # Someone removed from their only workspace is nobody again.
    ok(say(team, private("成员 移除 @laoli")))
    assert say(team, private("成员", KEEPER)).html == NOT_A_MEMBER
