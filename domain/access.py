"""Who may do what: roles, permissions and the one table that joins them.

Every permission check in the code base reads :data:`ROLE_PERMISSIONS` (what a role may do) and
:data:`COMMAND_PERMISSION` (what a command needs); docs/permissions.md is generated from the
same tables and a test keeps the two in step.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain import commands as c


class Role(StrEnum):
    OWNER = "老板"
    ADMIN = "管理员"
    KEEPER = "仓管"
    BUYER = "采购"
    SELLER = "销售"
    BOOKKEEPER = "财务"
    VIEWER = "只读"


class Permission(StrEnum):
    VIEW_STOCK = "查看商品、库存和流水"
    VIEW_COST = "查看成本、进价、库存金额和毛利"
    VIEW_CONTACTS = "查看电话等个人信息"
    EDIT_PRODUCTS = "维护商品资料"
    MOVE_STOCK = "入库、出库、调拨、盘点、报损"
    PURCHASE = "采购单据"
    SELL = "销售单据"
    MONEY = "收款、付款、费用"
    APPROVE = "审核单据"
    REPORTS = "报表、图表、导出"
    UNDO_ANY = "撤销他人的操作"
    VIEW_AUDIT = "查看操作日志"
    MANAGE_MEMBERS = "邀请成员、设置角色"
    MANAGE_CHATS = "绑定群、设置群的可见范围"
    MANAGE_WAREHOUSES = "新增仓库"
    WORKSPACE_SETTINGS = "账套设置（负库存等）"
    TRANSFER_OWNERSHIP = "任命老板和管理员"
    ALERTS = "订阅、检查和忽略预警"


P = Permission
_EVERYTHING = frozenset(Permission)

# The permission matrix. Change it here and nowhere else (docs/permissions.md follows by test).
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: _EVERYTHING,
    Role.ADMIN: _EVERYTHING - {P.TRANSFER_OWNERSHIP},
    Role.KEEPER: frozenset({P.VIEW_STOCK, P.VIEW_COST, P.EDIT_PRODUCTS, P.MOVE_STOCK, P.ALERTS}),
    Role.BUYER: frozenset({P.VIEW_STOCK, P.VIEW_COST, P.VIEW_CONTACTS, P.EDIT_PRODUCTS, P.PURCHASE, P.REPORTS, P.ALERTS}),
    Role.SELLER: frozenset({P.VIEW_STOCK, P.VIEW_CONTACTS, P.SELL}),
    Role.BOOKKEEPER: frozenset({P.VIEW_STOCK, P.VIEW_COST, P.VIEW_CONTACTS, P.MONEY, P.REPORTS, P.ALERTS}),
    Role.VIEWER: frozenset({P.VIEW_STOCK, P.REPORTS}),
}

# What each command needs. None: anyone may send it, member or not (help, creating a
# workspace, joining with a code); workspace-free commands check their own rules.
COMMAND_PERMISSION: dict[type, Permission | dict[str, Permission] | None] = {
    c.ShowHelp: None,
    c.NotYetAvailable: None,
    c.CreateWorkspace: None,
    c.JoinWorkspace: None,
    c.BindChat: None,  # checked against the target workspace: P.MANAGE_CHATS there
    c.UnbindChat: P.MANAGE_CHATS,
    c.SetChatVisibility: P.MANAGE_CHATS,
    c.Invite: P.MANAGE_MEMBERS,
    c.ListMembers: P.VIEW_STOCK,
    c.SetMemberRole: P.MANAGE_MEMBERS,
    c.RemoveMember: P.MANAGE_MEMBERS,
    c.LimitMemberWarehouses: P.MANAGE_MEMBERS,
    c.ShowAudit: P.VIEW_AUDIT,
    c.Undo: None,  # needs the permission of the operation it reverses (see undo_permission)
    c.AddProduct: P.EDIT_PRODUCTS,
    c.ChangeProduct: P.EDIT_PRODUCTS,
    c.SetProductActive: P.EDIT_PRODUCTS,
    c.FindProducts: P.VIEW_STOCK,
    c.ReceiveStock: P.MOVE_STOCK,
    c.IssueStock: P.MOVE_STOCK,
    c.ShowStock: P.VIEW_STOCK,
    c.ShowLedger: P.VIEW_STOCK,
    c.ListWarehouses: P.VIEW_STOCK,
    c.AddWarehouse: P.MANAGE_WAREHOUSES,
    c.TransferStock: P.MOVE_STOCK,
    c.ScrapStock: P.MOVE_STOCK,
    c.StartStocktake: P.MOVE_STOCK,
    c.CountStock: P.MOVE_STOCK,
    c.ShowStocktake: P.MOVE_STOCK,
    c.ConfirmStocktake: P.MOVE_STOCK,
    c.CancelStocktake: P.MOVE_STOCK,
    c.SetNegativeStock: P.WORKSPACE_SETTINGS,
    c.SetValuationMethod: P.WORKSPACE_SETTINGS,
    c.SetStockLevels: P.EDIT_PRODUCTS,
    # Suppliers are the buyer's, customers the seller's (by the command's kind).
    c.AddPartner: {"供应商": P.PURCHASE, "客户": P.SELL},
    c.ChangePartner: {"供应商": P.PURCHASE, "客户": P.SELL},
    c.FindPartners: P.VIEW_STOCK,
    c.AnalyseAbc: P.REPORTS,
    c.SuggestReplenishment: P.VIEW_STOCK,
    # Documents: the buyer orders, the seller sells, the keeper receives and ships (goods move),
    # the bookkeeper handles money; 审核 is an admin's.
    c.CreatePurchaseOrder: P.PURCHASE,
    c.CreateSalesOrder: P.SELL,
    c.ShowOrders: P.VIEW_STOCK,
    c.ApproveOrder: P.APPROVE,
    c.CloseOrder: {"采购单": P.PURCHASE, "销售单": P.SELL},
    c.ReceiveOrder: P.MOVE_STOCK,
    c.ShipOrder: P.MOVE_STOCK,
    c.ReturnGoods: P.MOVE_STOCK,
    c.RecordPayment: P.MONEY,
    c.ShowOpenItems: P.MONEY,
    c.ShowStatement: P.MONEY,
    c.RecordCashEntry: P.MONEY,
    c.SetTaxRate: P.WORKSPACE_SETTINGS,
    # A backup holds every workspace: only the bot's operators (JXC_OWNER_IDS), privately;
    # the dispatcher checks that, not a workspace role.
    c.SendBackup: None,
    # ---- faster entry ----
    c.RunBatch: {"出入库": P.MOVE_STOCK, "商品": P.EDIT_PRODUCTS},  # and every line its own
    c.ImportFile: {"商品": P.EDIT_PRODUCTS, "期初库存": P.MOVE_STOCK, "客户": P.SELL, "供应商": P.PURCHASE},
    # ---- reports ---- (cost, margin and supplier-price figures in them also need VIEW_COST)
    c.ShowReport: P.REPORTS,
    c.RankSales: P.REPORTS,
    c.ShowUnsold: P.REPORTS,
    c.ShowTurnover: P.REPORTS,
    c.DrawChart: P.REPORTS,
    c.ExportReport: P.REPORTS,
    # ---- alerts ----
    c.Subscribe: P.ALERTS,  # 应付/应收 also need P.MONEY (see domain/alert_services.py)
    c.ListSubscriptions: P.VIEW_STOCK,
    c.Unsubscribe: P.ALERTS,
    c.ShowAlerts: P.VIEW_STOCK,
    c.CheckAlerts: P.ALERTS,
    c.SnoozeAlert: P.ALERTS,
    c.SetAlertSettings: P.WORKSPACE_SETTINGS,
}

# Commands a non-member may send: they reveal nothing about any workspace.
OPEN_COMMANDS = frozenset(kind for kind, permission in COMMAND_PERMISSION.items() if permission is None) - {c.Undo}


def can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def required_permission(command: object) -> Permission | None:
    """The permission a command needs; a command missing from the table is a programming error.
    A per-kind entry (partners) is looked up by the command's ``kind``."""
    needed = COMMAND_PERMISSION[type(command)]
    if isinstance(needed, dict):
        return needed[command.kind]  # type: ignore[attr-defined]
    return needed


def roles_with(permission: Permission) -> list[Role]:
    """The roles that hold a permission, for "需要 仓管 或 老板" in a refusal."""
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]


def may_assign(assigner: Role, role: Role) -> bool:
    """Only the owner makes owners and admins; admins hand out the working roles."""
    if role in (Role.OWNER, Role.ADMIN):
        return can(assigner, P.TRANSFER_OWNERSHIP)
    return can(assigner, P.MANAGE_MEMBERS)


def may_manage(manager: Role, member: Role) -> bool:
    """An admin cannot demote or remove the owner or another admin."""
    if member in (Role.OWNER, Role.ADMIN):
        return can(manager, P.TRANSFER_OWNERSHIP)
    return can(manager, P.MANAGE_MEMBERS)


# ---- members and invitations ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """A person in a workspace. ``warehouse_ids`` None means every warehouse."""

    user_id: int
    name: str
    role: Role
    username: str = ""
    warehouse_ids: frozenset[int] | None = None
    joined_at: datetime | None = None

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)

    def may_use_warehouse(self, warehouse_id: int) -> bool:
        return self.warehouse_ids is None or warehouse_id in self.warehouse_ids

    def matches(self, handle: str) -> bool:
        """``@lisi`` or ``@李四``: the Telegram username (any case) or the display name."""
        handle = handle.removeprefix("@").strip()
        return bool(handle) and (handle.casefold() == self.username.casefold() or handle == self.name)


INVITATION_LIFETIME = timedelta(hours=24)
# No 0/O/1/I/L: codes are read off one phone and typed into another.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_invitation_code(workspace_id: int) -> str:
    """``3-K7FQ9XPM``: the workspace id routes the code, 8 random characters (~40 bits) guard it."""
    return f"{workspace_id}-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def invitation_workspace(code: str) -> int | None:
    head, _, tail = code.partition("-")
    if not (head.isascii() and head.isdigit()) or len(tail) != 8 or len(head) > 12:
        return None
    return int(head)


@dataclass(frozen=True, slots=True)
class Invitation:
    code: str
    role: Role
    created_by: int
    expires_at: datetime
    used_by: int | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_by is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """What a bound chat allows: whether cost and other sensitive figures may be shown there."""

    workspace_id: int
    show_sensitive: bool = False
