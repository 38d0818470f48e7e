"""Builders shared by the unit tests of access, workspaces, audit and undo (not a test module)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from domain.access import Member, Role
from domain.services import Actor, Context
from tests.factories import DEFAULT_NOW, SHANGHAI
from tests.fakes import FakeUnitOfWork

D = Decimal
NOW = DEFAULT_NOW  # 2026-03-10 09:30 Asia/Shanghai
JOINED = datetime(2026, 1, 5, 8, 0, tzinfo=SHANGHAI)
GROUP = -100123

# The cast of a small shop: user id, display name, @username, role.
OWNER = Member(1001, "老王", Role.OWNER, "laowang", joined_at=JOINED)
ADMIN = Member(1002, "小李", Role.ADMIN, "xiaoli", joined_at=JOINED + timedelta(days=1))
KEEPER = Member(1003, "张三", Role.KEEPER, "zhangsan", joined_at=JOINED + timedelta(days=2))
BUYER = Member(1004, "赵六", Role.BUYER, "zhaoliu", joined_at=JOINED + timedelta(days=3))
SELLER = Member(1005, "钱七", Role.SELLER, "qianqi", joined_at=JOINED + timedelta(days=4))
BOOKKEEPER = Member(1006, "孙八", Role.BOOKKEEPER, "sunba", joined_at=JOINED + timedelta(days=5))
VIEWER = Member(1007, "周九", Role.VIEWER, "", joined_at=JOINED + timedelta(days=6))
KEEPER2 = Member(1008, "吴十", Role.KEEPER, "wushi", joined_at=JOINED + timedelta(days=7))
CAST = (OWNER, ADMIN, KEEPER, BUYER, SELLER, BOOKKEEPER, VIEWER, KEEPER2)
BY_ROLE = {m.role: m for m in reversed(CAST)}  # the first member of each role


def ctx_of(
    member: Member,
    text: str = "",
    now: datetime = NOW,
    chat_id: int = GROUP,
    warehouse_ids: frozenset[int] | None | str = "member",
) -> Context:
    """The context of a message from ``member``, as the chat edge builds it."""
    allowed = member.warehouse_ids if warehouse_ids == "member" else warehouse_ids
    actor = Actor(member.user_id, member.name, chat_id, member.role, allowed, member.username)  # type: ignore[arg-type]
    return Context(actor, now, SHANGHAI, text)


def stranger_ctx(user_id: int = 2001, name: str = "陌生人", text: str = "", now: datetime = NOW, chat_id: int | None = None) -> Context:
    """Someone who belongs nowhere yet, writing in their private chat (chat id = user id)."""
    return Context(Actor(user_id, name, user_id if chat_id is None else chat_id, Role.VIEWER, None, "stranger"), now, SHANGHAI, text)


def shop(*members: Member) -> FakeUnitOfWork:
    """A workspace with the given members (default: the whole cast)."""
    uow = FakeUnitOfWork()
    uow.seed_members(*(members or CAST))
    return uow


def member_in(uow: FakeUnitOfWork, user_id: int) -> Member | None:
    with uow:
        return uow.members.get(user_id)


def limited(member: Member, *warehouse_ids: int) -> Member:
    return replace(member, warehouse_ids=frozenset(warehouse_ids))
