"""Workspaces (账套), the chats bound to them, members and invitations.

Access itself (may this member run this command?) is decided at the chat edge from the one
table in :mod:`domain.access`; these services add the rules that depend on the target:
an admin cannot touch the owner, the last owner cannot leave, a code is used once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain import commands as c
from domain.access import (
    INVITATION_LIFETIME,
    Invitation,
    Member,
    Permission,
    Role,
    may_assign,
    may_manage,
    new_invitation_code,
    roles_with,
)
from domain.audit import Action, AuditEntry
from domain.errors import (
    AlreadyBound,
    AlreadyProcessed,
    AlreadyMember,
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
from domain.ports import Directory, UnitOfWork
from domain.products import FieldChange
from domain.services import PAGE_SIZE, Context, _clamp_page, _pages, audit

MAX_OWNED_WORKSPACES = 5


@dataclass(frozen=True, slots=True)
class WorkspaceCreated:
    workspace_id: int
    name: str


@dataclass(frozen=True, slots=True)
class ChatBound:
    workspace_id: int
    name: str
    private: bool


@dataclass(frozen=True, slots=True)
class ChatUnbound:
    name: str


@dataclass(frozen=True, slots=True)
class ChatVisibilitySet:
    show_sensitive: bool


@dataclass(frozen=True, slots=True)
class Invited:
    invitation: Invitation
    workspace_name: str


@dataclass(frozen=True, slots=True)
class Joined:
    workspace_id: int
    workspace_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class MemberList:
    members: list[Member]
    warehouse_names: dict[int, str]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class MemberChanged:
    member: Member
    before: Role | None = None
    warehouse_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberRemoved:
    member: Member


def create_workspace(
    directory: Directory, ctx: Context, cmd: c.CreateWorkspace, timezone: str, update_id: int | None = None
) -> WorkspaceCreated:
    """A new business with the sender as its owner; their private chat now works in it."""
    if update_id is not None and directory.update_processed(update_id):
        raise AlreadyProcessed(update_id)
    if directory.owned_count(ctx.actor.user_id) >= MAX_OWNED_WORKSPACES:
        raise TooManyWorkspaces(MAX_OWNED_WORKSPACES)
    actor = ctx.actor
    owner = Member(actor.user_id, actor.name, Role.OWNER, actor.username, joined_at=ctx.now)
    entry = AuditEntry(Action.CREATE_WORKSPACE, actor.user_id, actor.name, actor.chat_id, ctx.text, ctx.now, cmd.name)
    workspace_id = directory.create_workspace(cmd.name, timezone, owner, actor.chat_id, entry, update_id)
    return WorkspaceCreated(workspace_id, cmd.name)


def bind_chat(uow: UnitOfWork, ctx: Context, cmd: c.BindChat, private: bool) -> ChatBound:
    """Make this chat work in the workspace (``uow`` is on that workspace). A group needs
    someone who manages chats there; a private chat is the sender switching workspaces."""
    with uow.writing():
        member = uow.members.get(ctx.actor.user_id)
        if member is None:
            # Also the answer for a workspace that does not exist: there is nothing to probe.
            raise NotAMember()
        name = uow.chats.workspace_name(cmd.workspace_id)
        if not private and not member.can(Permission.MANAGE_CHATS):
            raise NotPermitted(member.role, Permission.MANAGE_CHATS, roles_with(Permission.MANAGE_CHATS))
        current = uow.chats.get(ctx.actor.chat_id)
        if current is not None and current.workspace_id == cmd.workspace_id:
            raise AlreadyBound(name)
        if current is not None and not private:
            raise AlreadyBound("")  # bound elsewhere: not named, the sender may not belong there
        uow.chats.bind(ctx.actor.chat_id, ctx.actor.user_id, ctx.now)
        audit(uow, ctx, Action.BIND_CHAT, str(ctx.actor.chat_id))
        uow.commit()
    return ChatBound(cmd.workspace_id, name, private)


def unbind_chat(uow: UnitOfWork, ctx: Context, cmd: c.UnbindChat) -> ChatUnbound:
    with uow.writing():
        current = uow.chats.get(ctx.actor.chat_id)
        if current is None or current.workspace_id != uow.workspace_id:
            raise ChatNotBound()
        uow.chats.unbind(ctx.actor.chat_id)
        audit(uow, ctx, Action.UNBIND_CHAT, str(ctx.actor.chat_id))
        name = uow.chats.workspace_name(uow.workspace_id)
        uow.commit()
    return ChatUnbound(name)


def set_chat_visibility(uow: UnitOfWork, ctx: Context, cmd: c.SetChatVisibility) -> ChatVisibilitySet:
    with uow.writing():
        current = uow.chats.get(ctx.actor.chat_id)
        if current is None or current.workspace_id != uow.workspace_id:
            raise ChatNotBound()
        if current.show_sensitive == cmd.show_sensitive:
            raise NothingToChange("本群")
        uow.chats.set_show_sensitive(ctx.actor.chat_id, cmd.show_sensitive)
        change = FieldChange("show_sensitive", current.show_sensitive, cmd.show_sensitive)
        audit(uow, ctx, Action.CHAT_VISIBILITY, str(ctx.actor.chat_id), changes=(change,))
        uow.commit()
    return ChatVisibilitySet(cmd.show_sensitive)


def invite(uow: UnitOfWork, ctx: Context, cmd: c.Invite) -> Invited:
    role = Role(cmd.role)
    if not may_assign(ctx.actor.role, role):
        raise NotPermitted(ctx.actor.role, Permission.TRANSFER_OWNERSHIP, roles_with(Permission.TRANSFER_OWNERSHIP))
    invitation = Invitation(
        new_invitation_code(uow.workspace_id), role, ctx.actor.user_id, ctx.now + INVITATION_LIFETIME
    )
    with uow.writing():
        uow.invitations.add(invitation)
        audit(uow, ctx, Action.INVITE, role.value, numbers=(invitation.code,))
        name = uow.chats.workspace_name(uow.workspace_id)
        uow.commit()
    return Invited(invitation, name)


def join_workspace(uow: UnitOfWork, ctx: Context, cmd: c.JoinWorkspace) -> Joined:
    """Use a one-time code: the sender becomes a member with its role, and their private
    chat now works in that workspace."""
    with uow.writing():
        invitation = uow.invitations.get(cmd.code)
        if invitation is None or not invitation.usable(ctx.now):
            raise InvalidInvitation()
        name = uow.chats.workspace_name(uow.workspace_id)
        existing = uow.members.get(ctx.actor.user_id)
        if existing is not None:
            raise AlreadyMember(name, existing.role)
        if not uow.invitations.use(cmd.code, ctx.actor.user_id, ctx.now):
            raise InvalidInvitation()
        actor = ctx.actor
        uow.members.add(Member(actor.user_id, actor.name, invitation.role, actor.username, joined_at=ctx.now))
        uow.chats.bind(actor.chat_id, actor.user_id, ctx.now)
        audit(uow, ctx, Action.JOIN, invitation.role.value, numbers=(cmd.code,))
        uow.commit()
    return Joined(uow.workspace_id, name, invitation.role)


def list_members(uow: UnitOfWork, ctx: Context, cmd: c.ListMembers) -> MemberList:
    with uow:
        members = uow.members.all()
        names = {w.id: w.name for w in uow.stock.warehouses()}
    pages = _pages(len(members))
    page = _clamp_page(cmd.page, pages)
    return MemberList(members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], names, page, pages)


def find_member(uow: UnitOfWork, handle: str) -> Member:
    members = uow.members.all()
    found = [m for m in members if m.matches(handle)]
    if len(found) == 1:
        return found[0]
    if not found:
        fragment = handle.removeprefix("@").casefold()
        close = [m.name for m in members if fragment and (fragment in m.name.casefold() or fragment in m.username.casefold())]
        raise UnknownMember(handle, close[:5])
    raise UnknownMember(handle, [m.name + (f" (@{m.username})" if m.username else "") for m in found])


def _check_manageable(ctx: Context, uow: UnitOfWork, member: Member) -> None:
    if not may_manage(ctx.actor.role, member.role):
        raise CannotManageMember(member.name, member.role)


def _owners(uow: UnitOfWork) -> int:
    return sum(1 for m in uow.members.all() if m.role is Role.OWNER)


def set_member_role(uow: UnitOfWork, ctx: Context, cmd: c.SetMemberRole) -> MemberChanged:
    role = Role(cmd.role)
    with uow.writing():
        member = find_member(uow, cmd.member)
        _check_manageable(ctx, uow, member)
        if not may_assign(ctx.actor.role, role):
            raise NotPermitted(ctx.actor.role, Permission.TRANSFER_OWNERSHIP, roles_with(Permission.TRANSFER_OWNERSHIP))
        if member.role == role:
            raise NothingToChange(member.name)
        if member.role is Role.OWNER and _owners(uow) == 1:
            raise CannotManageMember(member.name, member.role, last_owner=True)
        updated = replace(member, role=role)
        uow.members.update(updated)
        change = FieldChange("role", member.role.value, role.value)
        audit(uow, ctx, Action.SET_ROLE, member.name, changes=(change,))
        uow.commit()
    return MemberChanged(updated, member.role)


def remove_member(uow: UnitOfWork, ctx: Context, cmd: c.RemoveMember) -> MemberRemoved:
    with uow.writing():
        member = find_member(uow, cmd.member)
        _check_manageable(ctx, uow, member)
        if member.role is Role.OWNER and _owners(uow) == 1:
            raise CannotManageMember(member.name, member.role, last_owner=True)
        uow.members.remove(member.user_id)
        audit(uow, ctx, Action.REMOVE_MEMBER, member.name, changes=(FieldChange("role", member.role.value, None),))
        uow.commit()
    return MemberRemoved(member)


def limit_member_warehouses(uow: UnitOfWork, ctx: Context, cmd: c.LimitMemberWarehouses) -> MemberChanged:
    with uow.writing():
        member = find_member(uow, cmd.member)
        _check_manageable(ctx, uow, member)
        warehouses = {w.name: w for w in uow.stock.warehouses()}
        unknown = [name for name in cmd.warehouses if name not in warehouses]
        if unknown:
            raise UnknownWarehouse(unknown[0], list(warehouses))
        ids = frozenset(warehouses[name].id for name in cmd.warehouses) if cmd.warehouses else None
        if ids == member.warehouse_ids:
            raise NothingToChange(member.name)
        updated = replace(member, warehouse_ids=ids)
        uow.members.update(updated)
        names = {w.id: n for n, w in warehouses.items()}
        before = "、".join(names[i] for i in sorted(member.warehouse_ids)) if member.warehouse_ids else "全部"
        after = "、".join(cmd.warehouses) if cmd.warehouses else "全部"
        audit(uow, ctx, Action.LIMIT_WAREHOUSES, member.name, changes=(FieldChange("warehouses", before, after),))
        uow.commit()
    return MemberChanged(updated, None, tuple(cmd.warehouses))


def touch_member(uow: UnitOfWork, member: Member, name: str, username: str) -> None:
    """Keep a member's display name and @username current (people rename themselves)."""
    with uow.writing():
        uow.members.update(replace(member, name=name, username=username))
        uow.commit()
