"""The permission matrix meets issue 3, one table decides every command, and the small rules
around members and invitation codes hold."""

from __future__ import annotations

import re
import typing
from datetime import timedelta

import pytest

from domain import commands as c
from domain.access import (
    COMMAND_PERMISSION,
    OPEN_COMMANDS,
    ROLE_PERMISSIONS,
    ChatSettings,
    Invitation,
    Member,
    Permission,
    Role,
    can,
    invitation_workspace,
    may_assign,
    may_manage,
    new_invitation_code,
    required_permission,
    roles_with,
)
from tests.unit.support import NOW

P = Permission
R = Role
EVERYONE = set(Role)
BOSSES = {R.OWNER, R.ADMIN}
WORKING_ROLES = {R.KEEPER, R.BUYER, R.SELLER, R.BOOKKEEPER, R.VIEWER}


# ---- the matrix --------------------------------------------------------------------------------

# Who holds each permission, as the issue words it (exact sets: nobody else has it).
EXPECTED_HOLDERS: dict[Permission, set[Role]] = {
    P.VIEW_STOCK: EVERYONE,
    # cost prices, margins and supplier prices are hidden from 销售 and 只读
    P.VIEW_COST: EVERYONE - {R.SELLER, R.VIEWER},
    P.VIEW_CONTACTS: {R.OWNER, R.ADMIN, R.BUYER, R.SELLER, R.BOOKKEEPER},
    P.EDIT_PRODUCTS: {R.OWNER, R.ADMIN, R.KEEPER, R.BUYER},
    # stock movements are 仓管's
    P.MOVE_STOCK: {R.OWNER, R.ADMIN, R.KEEPER},
    # documents need 采购/销售
    P.PURCHASE: {R.OWNER, R.ADMIN, R.BUYER},
    P.SELL: {R.OWNER, R.ADMIN, R.SELLER},
    # money needs 财务
    P.MONEY: {R.OWNER, R.ADMIN, R.BOOKKEEPER},
    # approvals need 管理员/老板
    P.APPROVE: BOSSES,
    P.REPORTS: {R.OWNER, R.ADMIN, R.BUYER, R.BOOKKEEPER, R.VIEWER},
    P.UNDO_ANY: BOSSES,
    # the audit log: admins only
    P.VIEW_AUDIT: BOSSES,
    P.MANAGE_MEMBERS: BOSSES,
    P.MANAGE_CHATS: BOSSES,
    P.MANAGE_WAREHOUSES: BOSSES,
    P.WORKSPACE_SETTINGS: BOSSES,
    P.TRANSFER_OWNERSHIP: {R.OWNER},
    # alerts: the roles whose work the alerts are about (stock, purchasing, money)
    P.ALERTS: {R.OWNER, R.ADMIN, R.KEEPER, R.BUYER, R.BOOKKEEPER},
}


def test_every_permission_has_an_expectation() -> None:
    assert set(EXPECTED_HOLDERS) == set(Permission)
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("permission", list(Permission), ids=lambda p: p.name)
def test_the_matrix_gives_each_permission_to_exactly_the_expected_roles(permission: Permission) -> None:
    assert {role for role in Role if can(role, permission)} == EXPECTED_HOLDERS[permission]
    assert roles_with(permission) == [role for role in Role if role in EXPECTED_HOLDERS[permission]]


def test_roles_with_lists_roles_in_the_order_of_the_role_enum() -> None:
    assert roles_with(P.MOVE_STOCK) == [R.OWNER, R.ADMIN, R.KEEPER]
    assert roles_with(P.VIEW_COST) == [R.OWNER, R.ADMIN, R.KEEPER, R.BUYER, R.BOOKKEEPER]


def test_the_owner_holds_everything_and_the_admin_all_but_ownership() -> None:
    assert ROLE_PERMISSIONS[R.OWNER] == frozenset(Permission)
    assert ROLE_PERMISSIONS[R.ADMIN] == frozenset(Permission) - {P.TRANSFER_OWNERSHIP}


def test_role_values_are_the_chinese_names_users_type() -> None:
    assert [role.value for role in Role] == ["老板", "管理员", "仓管", "采购", "销售", "财务", "只读"]
    assert Role("仓管") is R.KEEPER


# ---- one table for every command ---------------------------------------------------------------

COMMAND_TYPES = set(typing.get_args(c.Command))


def test_every_command_of_the_language_has_an_entry_and_nothing_else_does() -> None:
    assert set(COMMAND_PERMISSION) == COMMAND_TYPES


@pytest.mark.parametrize(
    ("command", "permission"),
    [
        (c.ReceiveStock, P.MOVE_STOCK),
        (c.IssueStock, P.MOVE_STOCK),
        (c.AddProduct, P.EDIT_PRODUCTS),
        (c.ChangeProduct, P.EDIT_PRODUCTS),
        (c.SetProductActive, P.EDIT_PRODUCTS),
        (c.FindProducts, P.VIEW_STOCK),
        (c.ShowStock, P.VIEW_STOCK),
        (c.ShowLedger, P.VIEW_STOCK),
        (c.ListWarehouses, P.VIEW_STOCK),
        (c.ListMembers, P.VIEW_STOCK),
        (c.AddWarehouse, P.MANAGE_WAREHOUSES),
        (c.SetNegativeStock, P.WORKSPACE_SETTINGS),
        (c.SetValuationMethod, P.WORKSPACE_SETTINGS),
        (c.SetStockLevels, P.EDIT_PRODUCTS),
        (c.Subscribe, P.ALERTS),
        (c.Unsubscribe, P.ALERTS),
        (c.ListSubscriptions, P.VIEW_STOCK),
        (c.ShowAlerts, P.VIEW_STOCK),
        (c.CheckAlerts, P.ALERTS),
        (c.SnoozeAlert, P.ALERTS),
        (c.SetAlertSettings, P.WORKSPACE_SETTINGS),
        (c.ShowAudit, P.VIEW_AUDIT),
        (c.Invite, P.MANAGE_MEMBERS),
        (c.SetMemberRole, P.MANAGE_MEMBERS),
        (c.RemoveMember, P.MANAGE_MEMBERS),
        (c.LimitMemberWarehouses, P.MANAGE_MEMBERS),
        (c.UnbindChat, P.MANAGE_CHATS),
        (c.SetChatVisibility, P.MANAGE_CHATS),
        # documents: the buyer orders, the seller sells, the keeper moves the goods, the bookkeeper the money
        (c.CreatePurchaseOrder, P.PURCHASE),
        (c.CreateSalesOrder, P.SELL),
        (c.ShowOrders, P.VIEW_STOCK),
        (c.ApproveOrder, P.APPROVE),
        (c.ReceiveOrder, P.MOVE_STOCK),
        (c.ShipOrder, P.MOVE_STOCK),
        (c.ReturnGoods, P.MOVE_STOCK),
        (c.RecordPayment, P.MONEY),
        (c.ShowOpenItems, P.MONEY),
        (c.ShowStatement, P.MONEY),
        (c.RecordCashEntry, P.MONEY),
        (c.SetTaxRate, P.WORKSPACE_SETTINGS),
        # checked by the service against what it touches
        (c.BindChat, None),
        (c.Undo, None),
        (c.ShowHelp, None),
        (c.NotYetAvailable, None),
        (c.CreateWorkspace, None),
        (c.JoinWorkspace, None),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_each_command_needs_the_permission_the_issue_gives_it(command: type, permission: Permission | None) -> None:
    assert COMMAND_PERMISSION[command] == permission


def test_open_commands_reveal_nothing_and_undo_is_not_open() -> None:
    # 备份 is open to no workspace role: the dispatcher lets only the bot's operators have it.
    assert OPEN_COMMANDS == {c.ShowHelp, c.NotYetAvailable, c.CreateWorkspace, c.JoinWorkspace, c.BindChat, c.SendBackup}
    assert c.Undo not in OPEN_COMMANDS


def test_partner_commands_need_the_permission_of_their_kind() -> None:
    # Suppliers are the buyer's business, customers the seller's; anyone may look them up.
    assert required_permission(c.AddPartner("供应商", "华东饮料")) is P.PURCHASE
    assert required_permission(c.AddPartner("客户", "张三超市")) is P.SELL
    assert required_permission(c.ChangePartner("客户", "张三超市", (("terms_days", 5),))) is P.SELL
    assert required_permission(c.FindPartners("供应商")) is P.VIEW_STOCK


def test_closing_an_order_needs_the_permission_of_its_kind() -> None:
    # 关闭 PO-… is the buyer's, 关闭 SO-… the seller's; only admins 审核.
    assert required_permission(c.CloseOrder("PO-2026-0001", "采购单")) is P.PURCHASE
    assert required_permission(c.CloseOrder("SO-2026-0001", "销售单")) is P.SELL
    assert roles_with(P.APPROVE) == [R.OWNER, R.ADMIN]


def test_required_permission_reads_the_table_and_an_unknown_command_is_a_programming_error() -> None:
    assert required_permission(c.Invite("仓管")) is P.MANAGE_MEMBERS
    assert required_permission(c.ShowHelp()) is None
    with pytest.raises(KeyError):
        required_permission(object())


def test_a_seller_and_a_viewer_can_send_no_command_that_needs_cost() -> None:
    # Nothing in the table needs VIEW_COST directly: cost is cut out of replies instead.
    assert P.VIEW_COST not in COMMAND_PERMISSION.values()
    for role in (R.SELLER, R.VIEWER):
        assert not Member(1, "x", role).can(P.VIEW_COST)


# ---- who may hand out and take away roles ------------------------------------------------------

ASSIGNABLE_BY: dict[Role, set[Role]] = {
    R.OWNER: EVERYONE,  # only the owner makes owners and admins
    R.ADMIN: WORKING_ROLES,  # admins hand out the working roles
    **{role: set() for role in WORKING_ROLES},
}


@pytest.mark.parametrize("assigner", list(Role), ids=lambda r: r.name)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
def test_may_assign(assigner: Role, role: Role) -> None:
    assert may_assign(assigner, role) is (role in ASSIGNABLE_BY[assigner])


@pytest.mark.parametrize("manager", list(Role), ids=lambda r: r.name)
@pytest.mark.parametrize("member", list(Role), ids=lambda r: r.name)
def test_may_manage(manager: Role, member: Role) -> None:
    # An admin cannot demote or remove the owner or another admin; working roles manage nobody.
    assert may_manage(manager, member) is (member in ASSIGNABLE_BY[manager])


# ---- members -----------------------------------------------------------------------------------

LISI = Member(7, "李四", R.KEEPER, "LiSi_88")


@pytest.mark.parametrize(
    ("handle", "matches"),
    [
        ("@LiSi_88", True),
        ("@lisi_88", True),  # the Telegram username in any case
        ("LISI_88", True),  # the @ is optional
        ("@李四", True),  # the display name
        ("李四", True),
        ("@ 李四 ", True),  # spaces around the handle are ignored
        ("@李", False),  # the display name must be exact
        ("@lisi", False),
        ("", False),  # empty never matches
        ("@", False),
        ("   ", False),
    ],
)
def test_member_matches_username_in_any_case_and_display_name_exactly(handle: str, matches: bool) -> None:
    assert LISI.matches(handle) is matches


def test_display_name_comparison_is_exact_including_case() -> None:
    tom = Member(8, "Tom", R.VIEWER)
    assert tom.matches("@Tom")
    assert not tom.matches("@tom")


def test_a_member_without_username_is_not_matched_by_an_empty_handle() -> None:
    nameless = Member(9, "王五", R.VIEWER, "")
    assert not nameless.matches("@")
    assert not nameless.matches("")


def test_member_can_follows_its_role() -> None:
    assert Member(1, "x", R.KEEPER).can(P.MOVE_STOCK)
    assert not Member(1, "x", R.SELLER).can(P.MOVE_STOCK)


@pytest.mark.parametrize(
    ("warehouse_ids", "warehouse_id", "allowed"),
    [(None, 1, True), (None, 99, True), (frozenset({2}), 2, True), (frozenset({2}), 1, False), (frozenset({1, 3}), 3, True)],
)
def test_may_use_warehouse(warehouse_ids: frozenset[int] | None, warehouse_id: int, allowed: bool) -> None:
    assert Member(1, "x", R.KEEPER, warehouse_ids=warehouse_ids).may_use_warehouse(warehouse_id) is allowed


# ---- invitation codes --------------------------------------------------------------------------

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def test_invitation_code_is_the_workspace_id_and_eight_unambiguous_characters() -> None:
    codes = [new_invitation_code(3) for _ in range(300)]
    for code in codes:
        assert re.fullmatch(rf"3-[{ALPHABET}]{{8}}", code), code
        assert invitation_workspace(code) == 3
    used = set("".join(code[2:] for code in codes))
    assert not used & set("01OIL")
    assert len(used) > 25  # the whole alphabet is drawn from, not a few letters
    assert len(set(codes)) == len(codes)


def test_the_alphabet_leaves_out_exactly_the_look_alikes() -> None:
    import string

    assert set(ALPHABET) == set(string.digits + string.ascii_uppercase) - set("01OIL")


@pytest.mark.parametrize("workspace_id", [1, 42, 123456789012])
def test_invitation_code_routes_to_its_workspace(workspace_id: int) -> None:
    assert invitation_workspace(new_invitation_code(workspace_id)) == workspace_id


@pytest.mark.parametrize(
    "code",
    [
        "",
        "3",
        "3-",
        "-K7FQ9XPM",
        "3K7FQ9XPM",
        "3-K7FQ9XP",  # 7 characters
        "3-K7FQ9XPMM",  # 9 characters
        "x-K7FQ9XPM",
        "-3-K7FQ9XP",
        "3.5-K7FQ9XPM",
        "1234567890123-K7FQ9XPM",  # more than 12 digits
    ],
)
def test_malformed_invitation_codes_route_nowhere(code: str) -> None:
    assert invitation_workspace(code) is None


def test_a_superscript_digit_is_a_malformed_code_not_a_crash() -> None:
    assert invitation_workspace("²-K7FQ9XPM") is None


def test_invitation_is_usable_once_and_until_just_before_it_expires() -> None:
    invitation = Invitation("3-K7FQ9XPM", R.KEEPER, 1001, NOW + timedelta(hours=24))
    assert invitation.usable(NOW)
    assert invitation.usable(NOW + timedelta(hours=24) - timedelta(microseconds=1))
    assert not invitation.usable(NOW + timedelta(hours=24))
    used = Invitation("3-K7FQ9XPM", R.KEEPER, 1001, NOW + timedelta(hours=24), used_by=2001)
    assert not used.usable(NOW)


def test_chat_settings_hide_sensitive_figures_unless_told() -> None:
    assert ChatSettings(3).show_sensitive is False
