"""The grammars of issue 3 (workspaces, members, audit log, undo, chat settings, warehouses) as
people type them: tables of accepted forms and of refusals with their exact reason and usage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.parsing import VERBS_BY_NAME, ParseError, looks_like_command, parse, to_text
from domain import commands as c
from domain.periods import Period

TODAY = date(2026, 11, 22)
D = Decimal
ROLES = "老板 管理员 仓管 采购 销售 财务 只读"

USAGE = {name: VERBS_BY_NAME[name].usage for name in VERBS_BY_NAME}
IN_USAGE = "入库 <编码> <数量> [单价 …] [@供应商] [仓库 …] [批次 … 有效期 …|生产日期 …] [备注 …] [日期 11-20]"
OUT_USAGE = "出库 <编码> <数量> [单价 …] [@客户 [现款]] [仓库 …] [批次 …] [备注 …] [日期 11-20]"
INVITE_USAGE = f"邀请 <角色>（{ROLES}）"
MEMBERS_USAGE = "成员 [设置 @成员 <角色>|移除 @成员|仓库 @成员 <仓库…>]"
SET_ROLE_USAGE = "成员 设置 @成员 <角色>"
REMOVE_USAGE = "成员 移除 @成员"
LIMIT_USAGE = "成员 仓库 @成员 <仓库…|全部>"
AUDIT_USAGE = "日志 [编码] [@成员] [今天|7天|本月]"
UNDO_USAGE = "撤销 [单号]"
SETTINGS_USAGE = "设置 本群 可见|隐藏 成本 / 设置 负库存 允许|禁止 / 设置 计价 先进先出|移动平均"
WAREHOUSE_USAGE = "仓库 [新增 <名称>]"
ADD_WAREHOUSE_USAGE = "仓库 新增 <名称>"


def day(begin: date, end_exclusive: date) -> Period:
    return Period(begin, end_exclusive)


TODAY_ONLY = day(TODAY, date(2026, 11, 23))

ACCEPTED = [
    # ---- 新建账套 ------------------------------------------------------------------------
    ("新建账套 好运便利店", c.CreateWorkspace("好运便利店")),
    ("新建账套　好运　便利店", c.CreateWorkspace("好运 便利店")),  # ideographic spaces collapse
    ("新建账套  Lucky  Mart ", c.CreateWorkspace("Lucky Mart")),
    ("新建账套 ＡＢＣ小店", c.CreateWorkspace("ABC小店")),  # full-width letters
    ("新建账套 " + "店" * 30, c.CreateWorkspace("店" * 30)),
    # ---- 绑定 / 解绑 -----------------------------------------------------------------------
    ("绑定 1", c.BindChat(1)),
    ("绑定1", c.BindChat(1)),
    ("绑定 ３", c.BindChat(3)),
    ("绑定 #3", c.BindChat(3)),
    ("绑定 123456789012", c.BindChat(123456789012)),
    ("解绑", c.UnbindChat()),
    ("  解绑  ", c.UnbindChat()),
    # ---- 备份 (issue 8) ----------------------------------------------------------------------
    ("备份", c.SendBackup()),
    (" 备份 ", c.SendBackup()),
    # ---- 邀请 / 加入 -----------------------------------------------------------------------
    *[(f"邀请 {role}", c.Invite(role)) for role in ROLES.split()],
    ("邀请　仓管", c.Invite("仓管")),
    ("加入 3-K7FQ9XPM", c.JoinWorkspace("3-K7FQ9XPM")),
    ("加入 3-k7fq9xpm", c.JoinWorkspace("3-K7FQ9XPM")),  # read off one phone, typed on another
    ("加入3-K7FQ9XPM", c.JoinWorkspace("3-K7FQ9XPM")),
    ("加入 ３－Ｋ７ＦＱ９ＸＰＭ", c.JoinWorkspace("3-K7FQ9XPM")),  # full-width
    ("加入 123456789012-ABCDEFGH", c.JoinWorkspace("123456789012-ABCDEFGH")),
    # ---- 成员 -------------------------------------------------------------------------------
    ("成员", c.ListMembers()),
    ("成员 第2页", c.ListMembers(2)),
    ("成员 设置 @老李 财务", c.SetMemberRole("老李", "财务")),
    ("成员设置 @laoli 财务", c.SetMemberRole("laoli", "财务")),
    ("成员 设置 ＠老李 管理员", c.SetMemberRole("老李", "管理员")),
    ("成员 设置 财务 @老李", c.SetMemberRole("老李", "财务")),  # the @member may come anywhere
    ("成员 移除 @老李", c.RemoveMember("老李")),
    ("成员移除 @laoli", c.RemoveMember("laoli")),
    ("成员 仓库 @x 全部", c.LimitMemberWarehouses("x", ())),
    ("成员 仓库 @老李 二仓", c.LimitMemberWarehouses("老李", ("二仓",))),
    ("成员 仓库 @老李 二仓 三仓", c.LimitMemberWarehouses("老李", ("二仓", "三仓"))),
    ("成员 仓库 @老李 二仓 二仓", c.LimitMemberWarehouses("老李", ("二仓",))),  # duplicates fold
    # ---- 日志 -------------------------------------------------------------------------------
    ("日志", c.ShowAudit()),
    ("日志 A001", c.ShowAudit("A001")),
    ("日志 a001", c.ShowAudit("A001")),
    ("日志A001", c.ShowAudit("A001")),
    ("日志 @老李", c.ShowAudit(None, "老李")),
    ("日志 @老李 今天", c.ShowAudit(None, "老李", TODAY_ONLY)),
    ("日志 A001 @老李 今天", c.ShowAudit("A001", "老李", TODAY_ONLY)),
    ("日志 今天 @老李 A001", c.ShowAudit("A001", "老李", TODAY_ONLY)),
    ("日志 昨天", c.ShowAudit(None, None, day(date(2026, 11, 21), TODAY))),
    ("日志 今日", c.ShowAudit(None, None, TODAY_ONLY)),
    ("日志 7天", c.ShowAudit(None, None, day(date(2026, 11, 16), date(2026, 11, 23)))),
    ("日志 本月", c.ShowAudit(None, None, day(date(2026, 11, 1), date(2026, 12, 1)))),
    ("日志 2026-11-01~2026-11-05", c.ShowAudit(None, None, day(date(2026, 11, 1), date(2026, 11, 6)))),
    ("日志 第2页", c.ShowAudit(page=2)),
    ("日志 A001 本月 第3页", c.ShowAudit("A001", None, day(date(2026, 11, 1), date(2026, 12, 1)), 3)),
    # ---- 撤销 -------------------------------------------------------------------------------
    ("撤销", c.Undo()),
    ("/undo", c.Undo()),
    ("撤销 确认", c.Undo(None, True)),
    ("撤销 RK-2026-0003", c.Undo("RK-2026-0003")),
    ("撤销RK-2026-0003", c.Undo("RK-2026-0003")),  # glued
    ("撤销 rk20260003", c.Undo("RK-2026-0003")),  # no dashes, lower case
    ("撤销 RK2026-0003", c.Undo("RK-2026-0003")),
    ("撤销 /RK_2026_0003", c.Undo("RK-2026-0003")),  # tapped in a reply
    ("撤销 ＲＫ－２０２６－０００３", c.Undo("RK-2026-0003")),  # full-width
    ("撤销 CK-2026-12345678", c.Undo("CK-2026-12345678")),
    ("撤销 RK-2026-0003 确认", c.Undo("RK-2026-0003", True)),
    ("/undo RK-2026-0003", c.Undo("RK-2026-0003")),
    ("撤销 #12", c.Undo("#12")),
    ("撤销#12", c.Undo("#12")),
    ("撤销 ＃１２", c.Undo("#12")),
    ("撤销 #0012", c.Undo("#12")),
    ("撤销 #12 确认", c.Undo("#12", True)),
    # ---- 设置 本群 ---------------------------------------------------------------------------
    ("设置 本群 可见 成本", c.SetChatVisibility(True)),
    ("设置 本群 隐藏 成本", c.SetChatVisibility(False)),
    ("设置本群 可见 成本", c.SetChatVisibility(True)),
    ("设置　本群　隐藏　成本", c.SetChatVisibility(False)),
    ("设置 本群 可见 敏感信息", c.SetChatVisibility(True)),
    # Other settings belong to later issues.
    ("设置 计价 FIFO", c.SetValuationMethod("fifo")),  # valuation (issue 5)
    ("设置 单据 格式", c.NotYetAvailable("设置")),
    ("设置", c.NotYetAvailable("设置")),
    # ---- 仓库 -------------------------------------------------------------------------------
    ("仓库", c.ListWarehouses()),
    ("仓库 新增 二仓", c.AddWarehouse("二仓")),
    ("仓库新增 二仓", c.AddWarehouse("二仓")),
    ("仓库 新增 " + "仓" * 30, c.AddWarehouse("仓" * 30)),
    # ---- 入库 / 出库 with a warehouse and an answer in advance ---------------------------------
    ("入库 A001 5 仓库 二仓", c.ReceiveStock("A001", D("5"), warehouse="二仓")),
    ("入库 A001 5 仓库二仓", c.ReceiveStock("A001", D("5"), warehouse="二仓")),
    ("入库 A001 5 仓库：二仓", c.ReceiveStock("A001", D("5"), warehouse="二仓")),
    ("入库 A001 5000 确认", c.ReceiveStock("A001", D("5000"), confirmed=True)),
    ("入库 A001 5 确认 备注 急", c.ReceiveStock("A001", D("5"), note="急", confirmed=True)),
    ("入库 A001 5 备注 确认", c.ReceiveStock("A001", D("5"), note="确认")),  # inside a note it is text
    (
        "出库 A001 5 单价 30 @张三 仓库 二仓 确认",
        c.IssueStock("A001", D("5"), unit_price=D("30.00"), counterparty="张三", warehouse="二仓", confirmed=True),
    ),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[text[:30] for text, _ in ACCEPTED])
def test_accepted_forms_parse_to_the_expected_command(text: str, expected: c.Command) -> None:
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[text[:30] for text, _ in ACCEPTED])
def test_the_canonical_form_reads_back_the_same(text: str, expected: c.Command) -> None:
    assert parse(to_text(expected), TODAY) == expected


REFUSED = [
    # (text, exact reason, exact usage)
    # ---- 新建账套 ----
    ("新建账套", "缺少账套名称", "新建账套 <名称>"),
    ("新建账套 " + "店" * 31, "账套名称太长（最多 30 字）", "新建账套 <名称>"),
    ("新建账套 好运@便利店", "账套名称不能包含 @ < >", "新建账套 <名称>"),
    ("新建账套 <b>店</b>", "账套名称不能包含 @ < >", "新建账套 <名称>"),
    # ---- 绑定 / 解绑 ----
    ("绑定", "缺少账套编号（老板在私聊发送「成员」可看到）", "绑定 <账套编号>"),
    ("绑定 0", "账套编号「0」不对，应是数字", "绑定 <账套编号>"),
    ("绑定 x", "账套编号「x」不对，应是数字", "绑定 <账套编号>"),
    ("绑定 -1", "账套编号「-1」不对，应是数字", "绑定 <账套编号>"),
    ("绑定 1.5", "账套编号「1.5」不对，应是数字", "绑定 <账套编号>"),
    ("绑定 ٣", "账套编号「٣」不对，应是数字", "绑定 <账套编号>"),  # a digit, but not ASCII
    ("绑定 1234567890123", "账套编号「1234567890123」不对，应是数字", "绑定 <账套编号>"),
    ("绑定 1 2", "多余的内容「2」", "绑定 <账套编号>"),
    ("绑定 @老李 1", "这个命令不用 @老李", "绑定 <账套编号>"),
    ("解绑 1", "多余的内容「1」", "解绑"),
    ("解绑 第2页", "这个命令没有分页", "解绑"),
    # ---- 邀请 ----
    ("邀请", "缺少角色", INVITE_USAGE),
    ("邀请 店长", f"没有「店长」这个角色，可选：{ROLES}", INVITE_USAGE),
    ("邀请 boss", f"没有「boss」这个角色，可选：{ROLES}", INVITE_USAGE),
    ("邀请 仓管 财务", "多余的内容「财务」", INVITE_USAGE),
    ("邀请 仓管 @老李", "这个命令不用 @老李", INVITE_USAGE),
    # ---- 加入 ----
    ("加入", "缺少邀请码", "加入 <邀请码>"),
    ("加入 3K7FQ9XPM", "邀请码「3K7FQ9XPM」格式不对，应像 3-K7FQ9XPM", "加入 <邀请码>"),
    ("加入 3-K7FQ9XP", "邀请码「3-K7FQ9XP」格式不对，应像 3-K7FQ9XPM", "加入 <邀请码>"),
    ("加入 3-K7FQ9XPMM", "邀请码「3-K7FQ9XPMM」格式不对，应像 3-K7FQ9XPM", "加入 <邀请码>"),
    ("加入 X-K7FQ9XPM", "邀请码「X-K7FQ9XPM」格式不对，应像 3-K7FQ9XPM", "加入 <邀请码>"),
    ("加入 3-K7FQ9XP!", "邀请码「3-K7FQ9XP!」格式不对，应像 3-K7FQ9XPM", "加入 <邀请码>"),
    ("加入 1234567890123-K7FQ9XPM", "邀请码「1234567890123-K7FQ9XPM」格式不对，应像 3-K7FQ9XPM", "加入 <邀请码>"),
    ("加入 3-K7FQ9XPM 1", "多余的内容「1」", "加入 <邀请码>"),
    # ---- 成员 ----
    ("成员 x", "多余的内容「x」", MEMBERS_USAGE),
    ("成员 @老李", "这个命令不用 @老李", MEMBERS_USAGE),
    ("成员 设置 老李 财务", "缺少 @成员（写用户名或名字）", SET_ROLE_USAGE),
    ("成员 设置 @老李", "缺少角色", SET_ROLE_USAGE),
    ("成员 设置 @老李 店长", f"没有「店长」这个角色，可选：{ROLES}", SET_ROLE_USAGE),
    ("成员 设置 @老李 财务 仓管", "多余的内容「仓管」", SET_ROLE_USAGE),
    ("成员 设置 @老李 @小张 财务", "只能写一个 @对象", SET_ROLE_USAGE),
    ("成员 设置 @ 财务", "@ 后面缺少名称", SET_ROLE_USAGE),
    ("成员 移除", "缺少 @成员（写用户名或名字）", REMOVE_USAGE),
    ("成员 移除 @老李 财务", "多余的内容「财务」", REMOVE_USAGE),
    ("成员 仓库 二仓", "缺少 @成员（写用户名或名字）", LIMIT_USAGE),
    ("成员 仓库 @老李", "缺少仓库名称（或写「全部」）", LIMIT_USAGE),
    ("成员 仓库 @老李 " + "仓" * 31, "仓库名称太长（最多 30 字）", LIMIT_USAGE),
    ("成员 仓库 @老李 " + " ".join(f"仓{n}" for n in range(21)), "仓库太多（最多 20 个）", LIMIT_USAGE),
    # ---- 日志 ----
    ("日志 A001 B002", "多余的内容「B002」", AUDIT_USAGE),
    ("日志 A00!1", "商品编码「A00!1」不对：只能用字母、数字和 . _ -，最多 32 位", AUDIT_USAGE),
    ("日志 单价 3", "这个命令不用「单价」", AUDIT_USAGE),
    ("日志 @老李 @小张", "只能写一个 @对象", AUDIT_USAGE),
    ("日志 0天", "天数应在 1 到 3660 之间", AUDIT_USAGE),
    ("日志 2026-11-05~2026-11-01", "时间段的开始应早于结束", AUDIT_USAGE),
    ("日志 第0页", "页码超出范围", AUDIT_USAGE),
    # ---- 撤销 ----
    ("撤销 #", "操作编号「#」不对，应像 #12", UNDO_USAGE),
    ("撤销 #x", "操作编号「#x」不对，应像 #12", UNDO_USAGE),
    ("撤销 #-1", "操作编号「#-1」不对，应像 #12", UNDO_USAGE),
    ("撤销 #١٢", "操作编号「#١٢」不对，应像 #12", UNDO_USAGE),
    ("撤销 #1234567890123", "操作编号「#1234567890123」不对，应像 #12", UNDO_USAGE),
    ("撤销 RK-26-3", "单号「RK-26-3」看不懂，应像 RK-2026-0003", UNDO_USAGE),
    ("撤销 RK-2026-003", "单号「RK-2026-003」看不懂，应像 RK-2026-0003", UNDO_USAGE),
    ("撤销 R-2026-0003", "单号「R-2026-0003」看不懂，应像 RK-2026-0003", UNDO_USAGE),
    ("撤销 可乐", "单号「可乐」看不懂，应像 RK-2026-0003", UNDO_USAGE),
    ("撤销 RK-2026-0003 RK-2026-0004", "多余的内容「RK-2026-0004」", UNDO_USAGE),
    ("撤销 RK-2026-0003 @老李", "这个命令不用 @老李", UNDO_USAGE),
    ("撤销 RK-2026-0003 备注 错了", "这个命令不用「备注」", UNDO_USAGE),
    # ---- 设置 本群 ----
    ("设置 本群", "本群的设置只有：可见 成本 / 隐藏 成本", SETTINGS_USAGE),
    ("设置 本群 其他", "本群的设置只有：可见 成本 / 隐藏 成本", SETTINGS_USAGE),
    ("设置 本群 可见", "本群的设置只有：可见 成本 / 隐藏 成本", SETTINGS_USAGE),
    ("设置 本群 显示 成本", "本群的设置只有：可见 成本 / 隐藏 成本", SETTINGS_USAGE),
    ("设置 本群 可见 成本 全部", "本群的设置只有：可见 成本 / 隐藏 成本", SETTINGS_USAGE),
    ("设置 本群 可见 成本 @老李", "这个命令不用 @老李", SETTINGS_USAGE),
    # ---- 仓库 ----
    ("仓库 x", "多余的内容「x」", WAREHOUSE_USAGE),
    ("仓库 第2页", "这个命令没有分页", WAREHOUSE_USAGE),
    ("仓库 新增", "缺少仓库名称", ADD_WAREHOUSE_USAGE),
    ("仓库 新增 " + "仓" * 31, "仓库名称太长（最多 30 字）", ADD_WAREHOUSE_USAGE),
    ("仓库 新增 二仓 三仓", "多余的内容「三仓」", ADD_WAREHOUSE_USAGE),
    ("仓库 新增 二仓 @老李", "这个命令不用 @老李", ADD_WAREHOUSE_USAGE),
    # ---- 入库 / 出库 ----
    ("入库 A001 5 仓库 " + "仓" * 31, "仓库名称太长（最多 30 字）", IN_USAGE),
    ("入库 A001 5 仓库", "「仓库」后面缺少内容", IN_USAGE),
    ("入库 A001 5 仓库 二仓 仓库 三仓", "「仓库」写了两次", IN_USAGE),
    ("入库 A001 确认", "缺少数量", IN_USAGE),
    ("入库 确认", "缺少商品编码和数量", IN_USAGE),
    ("出库 A001 5 确认 确认", "多余的内容「确认」", OUT_USAGE),
    # ---- 备份 ----
    ("备份 今天", "多余的内容「今天」", "备份"),
    ("备份 @老李", "这个命令不用 @老李", "备份"),
]


@pytest.mark.parametrize(("text", "reason", "usage"), REFUSED, ids=[f"refused-{n:02d}" for n in range(len(REFUSED))])
def test_refusals_give_the_exact_reason_and_usage(text: str, reason: str, usage: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, TODAY)
    assert (caught.value.reason, caught.value.usage) == (reason, usage)
    assert not caught.value.not_a_command


@pytest.mark.parametrize(
    ("text", "extra"),
    [("日志 今天 昨天", "昨天"), ("日志 昨天 7天", "7天"), ("日志 7天 本月", "本月"), ("日志 今天 今天", "今天"), ("日志 本月 A001 昨天", "昨天")],
)
def test_a_second_period_in_the_audit_log_is_called_extra(text: str, extra: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, TODAY)
    assert (caught.value.reason, caught.value.usage) == (f"多余的内容「{extra}」", AUDIT_USAGE)


@pytest.mark.parametrize(
    ("word", "label"),
    [("今天", "今天"), ("今日", "今日"), ("昨天", "昨天"), ("昨日", "昨日"), ("前天", "前天"), ("7天", "近7天"), ("本月", "本月")],
)
def test_an_audit_period_carries_its_label(word: str, label: str) -> None:
    # Period equality ignores the label, so it is checked on its own: the 日志 header shows it.
    command = parse(f"日志 {word}", TODAY)
    assert isinstance(command, c.ShowAudit) and command.period is not None
    assert command.period.label == label


def test_usage_lines_match_the_verb_table() -> None:
    # The usage a refusal shows is the one 帮助 shows.
    assert USAGE["入库"] == IN_USAGE and USAGE["出库"] == OUT_USAGE
    assert USAGE["邀请"] == INVITE_USAGE and USAGE["成员"] == MEMBERS_USAGE
    assert USAGE["日志"] == AUDIT_USAGE and USAGE["撤销"] == UNDO_USAGE
    assert USAGE["设置"] == SETTINGS_USAGE and USAGE["仓库"] == WAREHOUSE_USAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A Chinese verb glued to Chinese text is chatter, as with 库存不多了吧.
        ("邀请仓管", False),
        ("新建账套好运便利店", False),
        ("撤销吧", False),
        ("日志呢", False),
        ("成员们好", False),
        ("设置好了", False),
        ("绑定好了吗", False),
        # The verbs of issue 3 are commands in a group.
        ("撤销", True),
        ("撤销RK-2026-0003", True),
        ("撤销#12", True),
        ("日志 A001", True),
        ("成员设置 @老李 财务", True),
        ("设置本群 可见 成本", True),
        ("绑定 1", True),
        ("绑定1", True),
        ("解绑", True),
        ("仓库新增 二仓", True),
        ("加入 1-K7FQ9XPM", True),
        ("/undo", True),
    ],
)
def test_group_messages_of_the_new_verbs_are_told_from_chatter(text: str, expected: bool) -> None:
    assert looks_like_command(text) is expected


@pytest.mark.parametrize("text", ["邀请仓管", "新建账套好运便利店", "撤销吧"])
def test_glued_chinese_after_a_new_verb_is_not_a_command(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, TODAY)
    assert caught.value.not_a_command
