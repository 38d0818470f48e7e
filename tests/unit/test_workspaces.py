"""Workspaces, chats, members and invitations, through the in-memory unit of work.

Every write leaves exactly one audit entry carrying the text as typed; every refusal leaves
the books (members, codes, bindings, audit log) exactly as they were."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from domain import commands as c
from domain import workspaces as ws
from domain.access import Invitation, Member, Permission, Role
from domain.audit import Action, AuditEntry
from domain.errors import (
    AlreadyBound,
    AlreadyMember,
    AlreadyProcessed,
    CannotManageMember,
    ChatNotBound,
    InvalidInvitation,
    NotAMember,
    NothingToChange,
    NotPermitted,
    TooManyWorkspaces,
    UnknownMember,
    UnknownWarehouse,
)
from domain.products import FieldChange
from tests.fakes import FakeBinding, FakeDirectory, FakeUnitOfWork, FakeWorld
from tests.unit.support import (
    ADMIN,
    BOOKKEEPER,
    BUYER,
    CAST,
    GROUP,
    KEEPER,
    KEEPER2,
    NOW,
    OWNER,
    SELLER,
    VIEWER,
    ctx_of,
    limited,
    member_in,
    shop,
    stranger_ctx,
)

R = Role
WORKING_ROLES = [R.KEEPER, R.BUYER, R.SELLER, R.BOOKKEEPER, R.VIEWER]
CODE = re.compile(r"1-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return shop()


def only_new_entry(uow: FakeUnitOfWork, before: int) -> AuditEntry:
    """The single audit entry written since the log had ``before`` entries."""
    new = uow.audit.entries[before:]
    assert len(new) == 1, new
    return new[0]


def assert_entry(entry: AuditEntry, action: Action, who: Member, text: str, subject: str, **more: object) -> None:
    assert (entry.action, entry.user_id, entry.user_name, entry.text, entry.at, entry.subject) == (
        action,
        who.user_id,
        who.name,
        text,
        NOW,
        subject,
    )
    for name, value in more.items():
        assert getattr(entry, name) == value, name


def invite(uow: FakeUnitOfWork, by: Member, role: Role) -> ws.Invited:
    return ws.invite(uow, ctx_of(by, f"邀请 {role.value}"), c.Invite(role.value))


# ---- invite ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inviter", "role"),
    [(OWNER, role) for role in Role] + [(ADMIN, role) for role in WORKING_ROLES],
    ids=lambda x: getattr(x, "value", None) or getattr(x, "name", ""),
)
def test_invite_makes_a_one_time_code_for_24_hours(uow: FakeUnitOfWork, inviter: Member, role: Role) -> None:
    before = len(uow.audit.entries)
    result = invite(uow, inviter, role)
    invitation = result.invitation
    assert CODE.fullmatch(invitation.code)
    assert invitation == Invitation(invitation.code, role, inviter.user_id, NOW + timedelta(hours=24), None)
    assert result.workspace_name == "默认账套"
    assert uow.invitations.by_code == {invitation.code: invitation}
    entry = only_new_entry(uow, before)
    assert_entry(entry, Action.INVITE, inviter, f"邀请 {role.value}", role.value, numbers=(invitation.code,))


@pytest.mark.parametrize("role", [R.OWNER, R.ADMIN])
def test_an_admin_cannot_invite_owners_or_admins(uow: FakeUnitOfWork, role: Role) -> None:
    before = uow.state()
    with pytest.raises(NotPermitted) as caught:
        invite(uow, ADMIN, role)
    assert (caught.value.role, caught.value.permission, caught.value.roles) == (
        R.ADMIN,
        Permission.TRANSFER_OWNERSHIP,
        [R.OWNER],
    )
    assert uow.state() == before


@pytest.mark.parametrize("inviter", [KEEPER, BUYER, SELLER, BOOKKEEPER, VIEWER], ids=lambda m: m.role.name)
def test_working_roles_invite_nobody(uow: FakeUnitOfWork, inviter: Member) -> None:
    before = uow.state()
    with pytest.raises(NotPermitted):
        invite(uow, inviter, R.VIEWER)
    assert uow.state() == before


# ---- join --------------------------------------------------------------------------------------


def join(uow: FakeUnitOfWork, code: str, who: int = 2001, name: str = "新人", now=NOW) -> ws.Joined:  # type: ignore[no-untyped-def]
    return ws.join_workspace(uow, stranger_ctx(who, name, f"加入 {code}", now), c.JoinWorkspace(code))


def test_join_makes_a_member_binds_the_private_chat_and_uses_the_code(uow: FakeUnitOfWork) -> None:
    code = invite(uow, OWNER, R.KEEPER).invitation.code
    before = len(uow.audit.entries)
    later = NOW + timedelta(hours=3)
    result = ws.join_workspace(uow, stranger_ctx(2001, "新人", f"加入 {code}", later), c.JoinWorkspace(code))
    assert result == ws.Joined(1, "默认账套", R.KEEPER)
    assert member_in(uow, 2001) == Member(2001, "新人", R.KEEPER, "stranger", None, later)
    assert uow.world.chats == {2001: FakeBinding(1, False, 2001, later)}
    assert uow.invitations.by_code[code].used_by == 2001
    entry = only_new_entry(uow, before)
    assert (entry.action, entry.user_id, entry.text, entry.subject, entry.numbers, entry.at, entry.chat_id) == (
        Action.JOIN,
        2001,
        f"加入 {code}",
        "仓管",
        (code,),
        later,
        2001,
    )


def test_a_code_works_once(uow: FakeUnitOfWork) -> None:
    code = invite(uow, OWNER, R.SELLER).invitation.code
    join(uow, code, 2001)
    before = uow.state()
    with pytest.raises(InvalidInvitation):
        join(uow, code, 2002, "后来者")
    assert uow.state() == before
    assert member_in(uow, 2002) is None


@pytest.mark.parametrize(
    ("after", "works"),
    [
        (timedelta(hours=24) - timedelta(seconds=1), True),
        (timedelta(hours=24), False),  # expired at exactly 24 h
        (timedelta(hours=25), False),
    ],
)
def test_a_code_expires_after_24_hours(uow: FakeUnitOfWork, after: timedelta, works: bool) -> None:
    code = invite(uow, OWNER, R.BUYER).invitation.code
    if works:
        assert join(uow, code, now=NOW + after).role is R.BUYER
        return
    before = uow.state()
    with pytest.raises(InvalidInvitation):
        join(uow, code, now=NOW + after)
    assert uow.state() == before


@pytest.mark.parametrize("code", ["1-ZZZZZZZZ", "2-ZZZZZZZZ", ""])
def test_an_unknown_code_is_refused_like_a_used_one(uow: FakeUnitOfWork, code: str) -> None:
    invite(uow, OWNER, R.BUYER)
    before = uow.state()
    with pytest.raises(InvalidInvitation):
        join(uow, code)
    assert uow.state() == before


def test_a_code_of_another_workspace_does_not_work_here() -> None:
    world = FakeWorld()
    here, there = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    here.seed_members(OWNER)
    there.seed_members(OWNER)
    code = invite(there, OWNER, R.KEEPER).invitation.code
    before = here.state()
    with pytest.raises(InvalidInvitation):
        join(here, code)
    assert here.state() == before


def test_a_member_joining_again_is_told_and_the_code_stays_usable(uow: FakeUnitOfWork) -> None:
    code = invite(uow, OWNER, R.VIEWER).invitation.code
    before = uow.state()
    with pytest.raises(AlreadyMember) as caught:
        ws.join_workspace(uow, ctx_of(KEEPER, f"加入 {code}", chat_id=KEEPER.user_id), c.JoinWorkspace(code))
    assert (caught.value.workspace_name, caught.value.role) == ("默认账套", R.KEEPER)
    assert uow.state() == before
    assert join(uow, code).role is R.VIEWER


def test_joining_switches_a_private_chat_bound_to_another_workspace() -> None:
    world = FakeWorld()
    first, second = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    first.seed_members(OWNER)
    second.seed_members(OWNER)
    join(first, invite(first, OWNER, R.KEEPER).invitation.code, 2001)
    assert world.chats[2001].workspace_id == 1
    assert join(second, invite(second, OWNER, R.SELLER).invitation.code, 2001) == ws.Joined(2, "二号店", R.SELLER)
    assert world.chats[2001].workspace_id == 2
    assert member_in(first, 2001).role is R.KEEPER  # type: ignore[union-attr]  # still a member there


# ---- members -----------------------------------------------------------------------------------


def set_role(uow: FakeUnitOfWork, by: Member, handle: str, role: Role) -> ws.MemberChanged:
    return ws.set_member_role(uow, ctx_of(by, f"成员 设置 {handle} {role.value}"), c.SetMemberRole(handle, role.value))


def remove(uow: FakeUnitOfWork, by: Member, handle: str) -> ws.MemberRemoved:
    return ws.remove_member(uow, ctx_of(by, f"成员 移除 {handle}"), c.RemoveMember(handle))


@pytest.mark.parametrize(
    ("by", "target", "role"),
    [
        (OWNER, KEEPER, R.BOOKKEEPER),
        (OWNER, KEEPER, R.ADMIN),  # only the owner makes admins …
        (OWNER, KEEPER, R.OWNER),  # … and owners
        (OWNER, ADMIN, R.VIEWER),  # and demotes admins
        (ADMIN, KEEPER, R.BUYER),  # an admin hands out the working roles
        (ADMIN, SELLER, R.VIEWER),
    ],
    ids=lambda x: getattr(x, "name", None) or "",
)
def test_set_member_role(uow: FakeUnitOfWork, by: Member, target: Member, role: Role) -> None:
    before = len(uow.audit.entries)
    handle = f"@{target.username}"
    result = set_role(uow, by, handle, role)
    assert result == ws.MemberChanged(replace(target, role=role), target.role)
    assert member_in(uow, target.user_id) == replace(target, role=role)
    entry = only_new_entry(uow, before)
    assert_entry(
        entry,
        Action.SET_ROLE,
        by,
        f"成员 设置 {handle} {role.value}",
        target.name,
        changes=(FieldChange("role", target.role.value, role.value),),
    )


@pytest.mark.parametrize(
    ("by", "handle", "role", "error", "fields"),
    [
        # an admin cannot promote to owner or admin
        (ADMIN, "@zhangsan", R.ADMIN, NotPermitted, {"permission": Permission.TRANSFER_OWNERSHIP}),
        (ADMIN, "@zhangsan", R.OWNER, NotPermitted, {"permission": Permission.TRANSFER_OWNERSHIP}),
        # an admin cannot touch the owner, another admin, or themselves
        (ADMIN, "@laowang", R.VIEWER, CannotManageMember, {"name": "老王", "role": R.OWNER, "last_owner": False}),
        (ADMIN, "@xiaoli", R.KEEPER, CannotManageMember, {"name": "小李", "role": R.ADMIN, "last_owner": False}),
        # the last owner cannot be demoted, not even by themselves
        (OWNER, "@laowang", R.ADMIN, CannotManageMember, {"name": "老王", "role": R.OWNER, "last_owner": True}),
        # nothing to change
        (OWNER, "@zhangsan", R.KEEPER, NothingToChange, {"code": "张三"}),
        (ADMIN, "@zhangsan", R.KEEPER, NothingToChange, {"code": "张三"}),
        # nobody by that name
        (OWNER, "@nobody", R.KEEPER, UnknownMember, {"handle": "@nobody", "candidates": []}),
        (OWNER, "@zhang", R.KEEPER, UnknownMember, {"handle": "@zhang", "candidates": ["张三"]}),
    ],
    ids=lambda x: getattr(x, "__name__", None) or (x if isinstance(x, str) else ""),
)
def test_set_member_role_refusals_change_nothing(
    uow: FakeUnitOfWork, by: Member, handle: str, role: Role, error: type, fields: dict[str, object]
) -> None:
    before = uow.state()
    with pytest.raises(error) as caught:
        set_role(uow, by, handle, role)
    assert {name: getattr(caught.value, name) for name in fields} == fields
    assert uow.state() == before


def test_with_a_second_owner_an_owner_may_step_down() -> None:
    co_owner = Member(1010, "老板娘", R.OWNER, "laobanniang", joined_at=NOW)
    uow = shop(OWNER, co_owner)
    assert set_role(uow, OWNER, "@laowang", R.ADMIN).member.role is R.ADMIN
    with pytest.raises(CannotManageMember) as caught:
        set_role(uow, co_owner, "@laobanniang", R.ADMIN)
    assert caught.value.last_owner


def test_an_ambiguous_handle_lists_the_candidates(uow: FakeUnitOfWork) -> None:
    twin = Member(1011, "张三", R.SELLER, "zhangsan2", joined_at=NOW)
    uow.seed_members(twin)
    before = uow.state()
    with pytest.raises(UnknownMember) as caught:
        set_role(uow, OWNER, "@张三", R.VIEWER)
    assert caught.value.candidates == ["张三 (@zhangsan)", "张三 (@zhangsan2)"]
    assert uow.state() == before


@pytest.mark.parametrize(("by", "target"), [(OWNER, KEEPER), (OWNER, ADMIN), (ADMIN, SELLER)], ids=["owner-keeper", "owner-admin", "admin-seller"])
def test_remove_member(uow: FakeUnitOfWork, by: Member, target: Member) -> None:
    before = len(uow.audit.entries)
    assert remove(uow, by, f"@{target.name}") == ws.MemberRemoved(target)
    assert member_in(uow, target.user_id) is None
    entry = only_new_entry(uow, before)
    assert_entry(
        entry, Action.REMOVE_MEMBER, by, f"成员 移除 @{target.name}", target.name,
        changes=(FieldChange("role", target.role.value, None),),
    )


@pytest.mark.parametrize(
    ("by", "handle", "last_owner"),
    [(ADMIN, "@laowang", False), (ADMIN, "@xiaoli", False), (OWNER, "@laowang", True)],
)
def test_remove_member_refusals_change_nothing(uow: FakeUnitOfWork, by: Member, handle: str, last_owner: bool) -> None:
    before = uow.state()
    with pytest.raises(CannotManageMember) as caught:
        remove(uow, by, handle)
    assert caught.value.last_owner is last_owner
    assert uow.state() == before


def test_an_owner_may_leave_when_another_owner_remains() -> None:
    co_owner = Member(1010, "老板娘", R.OWNER, "laobanniang", joined_at=NOW)
    uow = shop(OWNER, co_owner)
    remove(uow, co_owner, "@laowang")
    assert [m.user_id for m in uow.members.by_user.values()] == [1010]


def test_list_members_owners_first_then_by_role_and_joining_time_in_pages(uow: FakeUnitOfWork) -> None:
    extra = [Member(3000 + i, f"临时{i}", R.VIEWER, joined_at=NOW + timedelta(minutes=i)) for i in range(5)]
    uow.seed_members(*extra)
    uow.seed_warehouses("二仓")
    first = ws.list_members(uow, ctx_of(VIEWER), c.ListMembers())
    expected = [OWNER, ADMIN, KEEPER, KEEPER2, BUYER, SELLER, BOOKKEEPER, VIEWER, *extra]
    assert (first.page, first.pages) == (1, 2)
    assert first.members == expected[:10]
    assert first.warehouse_names == {1: "主仓", 2: "二仓"}
    second = ws.list_members(uow, ctx_of(VIEWER), c.ListMembers(page=5))
    assert (second.page, second.members) == (2, expected[10:])


# ---- warehouses of a member --------------------------------------------------------------------


def limit(uow: FakeUnitOfWork, by: Member, handle: str, *names: str) -> ws.MemberChanged:
    text = f"成员 仓库 {handle} " + (" ".join(names) or "全部")
    return ws.limit_member_warehouses(uow, ctx_of(by, text), c.LimitMemberWarehouses(handle, names))


def test_limit_a_member_to_some_warehouses_and_lift_it_with_all(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓", "三仓")
    before = len(uow.audit.entries)
    result = limit(uow, ADMIN, "@zhangsan", "二仓", "三仓")
    assert result == ws.MemberChanged(limited(KEEPER, 2, 3), None, ("二仓", "三仓"))
    assert member_in(uow, KEEPER.user_id) == limited(KEEPER, 2, 3)
    entry = only_new_entry(uow, before)
    assert_entry(
        entry, Action.LIMIT_WAREHOUSES, ADMIN, "成员 仓库 @zhangsan 二仓 三仓", "张三",
        changes=(FieldChange("warehouses", "全部", "二仓、三仓"),),
    )

    result = limit(uow, ADMIN, "@zhangsan")  # 全部
    assert result.member.warehouse_ids is None
    assert member_in(uow, KEEPER.user_id) == KEEPER
    entry = only_new_entry(uow, before + 1)
    assert entry.text == "成员 仓库 @zhangsan 全部"
    # The "before" names are in warehouse order (二仓 was added first), as 仓库 lists them.
    assert entry.changes == (FieldChange("warehouses", "二仓、三仓", "全部"),)


@pytest.mark.parametrize(
    ("by", "handle", "names", "error", "fields"),
    [
        (OWNER, "@zhangsan", ("二仓", "四仓"), UnknownWarehouse, {"name": "四仓", "known": ["主仓", "二仓"]}),
        (OWNER, "@zhangsan", (), NothingToChange, {"code": "张三"}),  # already everywhere
        (ADMIN, "@laowang", ("二仓",), CannotManageMember, {"name": "老王"}),
        (OWNER, "@nobody", ("二仓",), UnknownMember, {"handle": "@nobody"}),
    ],
    ids=lambda x: getattr(x, "__name__", None) or "",
)
def test_limit_refusals_change_nothing(
    uow: FakeUnitOfWork, by: Member, handle: str, names: tuple[str, ...], error: type, fields: dict[str, object]
) -> None:
    uow.seed_warehouses("二仓")
    before = uow.state()
    with pytest.raises(error) as caught:
        limit(uow, by, handle, *names)
    assert {name: getattr(caught.value, name) for name in fields} == fields
    assert uow.state() == before


def test_limiting_to_the_same_warehouses_again_is_nothing_to_change(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    limit(uow, OWNER, "@zhangsan", "二仓")
    before = uow.state()
    with pytest.raises(NothingToChange):
        limit(uow, OWNER, "@zhangsan", "二仓")
    assert uow.state() == before


# ---- chats -------------------------------------------------------------------------------------


def bind(uow: FakeUnitOfWork, by: Member | None, workspace_id: int = 1, chat_id: int = GROUP, private: bool = False) -> ws.ChatBound:
    ctx = ctx_of(by, f"绑定 {workspace_id}", chat_id=chat_id) if by else stranger_ctx(text="绑定 1", chat_id=chat_id)
    return ws.bind_chat(uow, ctx, c.BindChat(workspace_id), private)


@pytest.mark.parametrize("by", [OWNER, ADMIN], ids=lambda m: m.role.name)
def test_bind_a_group(uow: FakeUnitOfWork, by: Member) -> None:
    before = len(uow.audit.entries)
    assert bind(uow, by) == ws.ChatBound(1, "默认账套", False)
    assert uow.world.chats == {GROUP: FakeBinding(1, False, by.user_id, NOW)}
    assert_entry(only_new_entry(uow, before), Action.BIND_CHAT, by, "绑定 1", str(GROUP), chat_id=GROUP)


def test_workspaces_of_one_world_share_the_routing_table() -> None:
    world = FakeWorld()
    one, two = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    one.seed_members(OWNER)
    two.seed_members(OWNER)
    bind(one, OWNER)
    with two:
        assert two.chats.get(GROUP) is not None and two.chats.get(GROUP).workspace_id == 1  # type: ignore[union-attr]
        assert two.chats.workspace_name(1) == "一号店"


@pytest.mark.parametrize(
    ("by", "error"),
    [(KEEPER, NotPermitted), (VIEWER, NotPermitted), (None, NotAMember)],
    ids=["keeper", "viewer", "stranger"],
)
def test_bind_a_group_needs_a_member_who_manages_chats(uow: FakeUnitOfWork, by: Member | None, error: type) -> None:
    before = uow.state()
    with pytest.raises(error) as caught:
        bind(uow, by)
    if error is NotPermitted:
        assert (caught.value.permission, caught.value.roles) == (Permission.MANAGE_CHATS, [R.OWNER, R.ADMIN])
    assert uow.state() == before


def test_binding_to_a_workspace_that_does_not_exist_reveals_nothing() -> None:
    world = FakeWorld()
    FakeUnitOfWork(1, "一号店", world).seed_members(OWNER)
    ghost = FakeUnitOfWork(9, "", world)  # what a uow on an unknown id sees: no members
    with pytest.raises(NotAMember):
        bind(ghost, OWNER, workspace_id=9)


def test_binding_again_here_is_already_bound_with_the_name(uow: FakeUnitOfWork) -> None:
    bind(uow, OWNER)
    before = uow.state()
    with pytest.raises(AlreadyBound) as caught:
        bind(uow, ADMIN)
    assert caught.value.workspace_name == "默认账套"
    assert uow.state() == before


def test_a_group_bound_elsewhere_is_not_taken_over_nor_named() -> None:
    world = FakeWorld()
    one, two = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    one.seed_members(OWNER)
    two.seed_members(ADMIN)
    bind(one, OWNER)
    before = two.state()
    with pytest.raises(AlreadyBound) as caught:
        bind(two, ADMIN, workspace_id=2)
    assert caught.value.workspace_name == ""
    assert two.state() == before
    assert world.chats[GROUP].workspace_id == 1


def test_a_private_chat_switches_workspace_with_bind_and_needs_no_chat_rights() -> None:
    world = FakeWorld()
    one, two = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    one.seed_members(KEEPER)
    two.seed_members(KEEPER)
    private = KEEPER.user_id
    assert bind(one, KEEPER, 1, private, private=True) == ws.ChatBound(1, "一号店", True)
    before = len(two.audit.entries)
    assert bind(two, KEEPER, 2, private, private=True) == ws.ChatBound(2, "二号店", True)
    assert world.chats[private].workspace_id == 2
    assert_entry(only_new_entry(two, before), Action.BIND_CHAT, KEEPER, "绑定 2", str(private))


def test_unbind(uow: FakeUnitOfWork) -> None:
    bind(uow, OWNER)
    before = len(uow.audit.entries)
    assert ws.unbind_chat(uow, ctx_of(ADMIN, "解绑"), c.UnbindChat()) == ws.ChatUnbound("默认账套")
    assert uow.world.chats == {}
    assert_entry(only_new_entry(uow, before), Action.UNBIND_CHAT, ADMIN, "解绑", str(GROUP))


def test_unbind_of_a_chat_not_bound_here_is_refused_and_leaves_other_bindings() -> None:
    world = FakeWorld()
    one, two = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    one.seed_members(OWNER)
    two.seed_members(OWNER)
    with pytest.raises(ChatNotBound):
        ws.unbind_chat(one, ctx_of(OWNER, "解绑"), c.UnbindChat())
    bind(one, OWNER)
    before = two.state()
    with pytest.raises(ChatNotBound):
        ws.unbind_chat(two, ctx_of(OWNER, "解绑"), c.UnbindChat())
    assert two.state() == before
    assert world.chats[GROUP].workspace_id == 1


def test_set_chat_visibility(uow: FakeUnitOfWork) -> None:
    bind(uow, OWNER)
    before = len(uow.audit.entries)
    text = "设置 本群 可见 成本"
    assert ws.set_chat_visibility(uow, ctx_of(OWNER, text), c.SetChatVisibility(True)) == ws.ChatVisibilitySet(True)
    assert uow.world.chats[GROUP].show_sensitive is True
    assert_entry(
        only_new_entry(uow, before), Action.CHAT_VISIBILITY, OWNER, text, str(GROUP),
        changes=(FieldChange("show_sensitive", False, True),),
    )
    state = uow.state()
    with pytest.raises(NothingToChange) as caught:
        ws.set_chat_visibility(uow, ctx_of(OWNER, text), c.SetChatVisibility(True))
    assert caught.value.code == "本群"
    assert uow.state() == state
    ws.set_chat_visibility(uow, ctx_of(OWNER, "设置 本群 隐藏 成本"), c.SetChatVisibility(False))
    assert uow.world.chats[GROUP].show_sensitive is False


def test_set_chat_visibility_of_an_unbound_chat_is_refused(uow: FakeUnitOfWork) -> None:
    before = uow.state()
    with pytest.raises(ChatNotBound):
        ws.set_chat_visibility(uow, ctx_of(OWNER, "设置 本群 可见 成本"), c.SetChatVisibility(True))
    assert uow.state() == before


def test_rebinding_a_chat_hides_sensitive_figures_again() -> None:
    world = FakeWorld()
    one = FakeUnitOfWork(1, "一号店", world)
    one.seed_members(KEEPER)
    one.bind_chat(KEEPER.user_id, show_sensitive=True)
    two = FakeUnitOfWork(2, "二号店", world)
    two.seed_members(KEEPER)
    bind(two, KEEPER, 2, KEEPER.user_id, private=True)
    assert world.chats[KEEPER.user_id] == FakeBinding(2, False, KEEPER.user_id, NOW)


# ---- create_workspace --------------------------------------------------------------------------


def test_create_workspace_makes_the_sender_its_owner_and_binds_their_chat() -> None:
    directory = FakeDirectory()
    directory.add(FakeUnitOfWork(1, "默认账套", directory.world))
    ctx = stranger_ctx(2001, "新老板", "新建账套 好运便利店")
    result = ws.create_workspace(directory, ctx, c.CreateWorkspace("好运便利店"), "Asia/Shanghai")
    assert result == ws.WorkspaceCreated(2, "好运便利店")
    created = directory.uow(2)
    assert created.members.by_user == {2001: Member(2001, "新老板", R.OWNER, "stranger", None, NOW)}
    assert directory.world.chats[2001] == FakeBinding(2, False, 2001, NOW)
    (entry,) = created.audit.entries
    assert (entry.action, entry.user_id, entry.text, entry.subject, entry.id) == (
        Action.CREATE_WORKSPACE, 2001, "新建账套 好运便利店", "好运便利店", 1,
    )
    with created:
        assert created.stock.warehouses()[0].name == "主仓"
    access = directory.resolve(2001, 2001, private=True)
    assert (access.workspace_id, access.workspace_name, access.member.role, access.bound) == (2, "好运便利店", R.OWNER, True)  # type: ignore[union-attr]


def test_an_owner_of_five_workspaces_cannot_create_a_sixth() -> None:
    directory = FakeDirectory()
    for number in range(5):
        ws.create_workspace(directory, stranger_ctx(2001), c.CreateWorkspace(f"店{number}"), "Asia/Shanghai")
    assert directory.owned_count(2001) == 5
    with pytest.raises(TooManyWorkspaces) as caught:
        ws.create_workspace(directory, stranger_ctx(2001), c.CreateWorkspace("店6"), "Asia/Shanghai")
    assert caught.value.limit == 5
    assert sorted(directory.workspaces) == [1, 2, 3, 4, 5]


def test_create_workspace_takes_effect_once_per_update() -> None:
    directory = FakeDirectory()
    ctx = stranger_ctx(2001, "新老板", "新建账套 好运便利店")
    assert ws.create_workspace(directory, ctx, c.CreateWorkspace("好运便利店"), "Asia/Shanghai", update_id=55).workspace_id == 1
    assert directory.update_processed(55)
    assert not directory.update_processed(56)
    with pytest.raises(AlreadyProcessed) as caught:
        ws.create_workspace(directory, ctx, c.CreateWorkspace("好运便利店"), "Asia/Shanghai", update_id=55)
    assert caught.value.update_id == 55
    assert sorted(directory.workspaces) == [1]
    # The update is known to every workspace's books: a redelivery into it stops too.
    uow = directory.uow(1)
    uow.update_id = 55
    with uow.writing(), pytest.raises(AlreadyProcessed):
        uow.commit()


def test_directory_resolves_an_unbound_private_chat_to_the_first_membership_and_groups_to_nothing() -> None:
    directory = FakeDirectory()
    one = directory.add(FakeUnitOfWork(1, "一号店", directory.world))
    two = directory.add(FakeUnitOfWork(2, "二号店", directory.world))
    two.seed_members(KEEPER)
    one.seed_members(OWNER)
    private = directory.resolve(999, KEEPER.user_id, private=True)
    assert (private.workspace_id, private.member, private.show_sensitive, private.bound) == (2, KEEPER, True, False)
    assert directory.resolve(999, KEEPER.user_id, private=False).workspace_id is None
    assert directory.resolve(999, 4242, private=True).workspace_id is None
    one.bind_chat(GROUP)
    in_group = directory.resolve(GROUP, KEEPER.user_id, private=False)
    assert (in_group.workspace_id, in_group.member, in_group.bound) == (1, None, True)  # bound there, not a member


# ---- touch_member ------------------------------------------------------------------------------


def test_touch_member_keeps_name_and_username_current_without_an_audit_entry(uow: FakeUnitOfWork) -> None:
    before = len(uow.audit.entries)
    ws.touch_member(uow, KEEPER, "张三丰", "zhangsanfeng")
    assert member_in(uow, KEEPER.user_id) == replace(KEEPER, name="张三丰", username="zhangsanfeng")
    assert len(uow.audit.entries) == before


# ---- the audit trail of every write ------------------------------------------------------------

WRITES: list[tuple[str, Callable[[FakeUnitOfWork], object], Action, str]] = [
    ("invite", lambda u: invite(u, OWNER, R.KEEPER), Action.INVITE, "邀请 仓管"),
    ("set role", lambda u: set_role(u, OWNER, "@zhangsan", R.BUYER), Action.SET_ROLE, "成员 设置 @zhangsan 采购"),
    ("remove", lambda u: remove(u, OWNER, "@zhangsan"), Action.REMOVE_MEMBER, "成员 移除 @zhangsan"),
    ("limit", lambda u: limit(u, OWNER, "@zhangsan", "二仓"), Action.LIMIT_WAREHOUSES, "成员 仓库 @zhangsan 二仓"),
    ("bind", lambda u: bind(u, OWNER), Action.BIND_CHAT, "绑定 1"),
    ("unbind", lambda u: (u.bind_chat(GROUP), ws.unbind_chat(u, ctx_of(OWNER, "解绑"), c.UnbindChat())), Action.UNBIND_CHAT, "解绑"),
    (
        "visibility",
        lambda u: (u.bind_chat(GROUP), ws.set_chat_visibility(u, ctx_of(OWNER, "设置 本群 可见 成本"), c.SetChatVisibility(True))),
        Action.CHAT_VISIBILITY,
        "设置 本群 可见 成本",
    ),
    ("join", lambda u: join(u, next(iter(u.invitations.by_code))), Action.JOIN, "加入 <the code>"),
]


@pytest.mark.parametrize(("name", "write", "action", "text"), WRITES, ids=[w[0] for w in WRITES])
def test_every_write_leaves_exactly_one_entry_with_the_text_as_typed(
    uow: FakeUnitOfWork, name: str, write: Callable[[FakeUnitOfWork], object], action: Action, text: str
) -> None:
    uow.seed_warehouses("二仓")
    if action is Action.JOIN:
        code = invite(uow, OWNER, R.VIEWER).invitation.code
        text = f"加入 {code}"
    before, commits = len(uow.audit.entries), uow.commits
    write(uow)
    entry = only_new_entry(uow, before)
    assert (entry.action, entry.text, entry.at) == (action, text, NOW)
    assert entry.id == uow.numbers.values["id:audit_entry"]
    assert uow.commits == commits + 1 + (action in (Action.UNBIND_CHAT, Action.CHAT_VISIBILITY))  # + the seeded binding


def test_the_cast_is_what_the_tests_think_it_is() -> None:
    assert len({m.user_id for m in CAST}) == len(CAST)
    assert [m.role for m in CAST[:7]] == list(Role)
