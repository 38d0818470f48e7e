"""What a user asked for, as typed values: the parser makes these, the services take them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.periods import Period


@dataclass(frozen=True, slots=True)
class ShowHelp:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class AddProduct:
    code: str
    name: str
    fields: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeProduct:
    code: str
    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class SetProductActive:
    code: str
    active: bool


@dataclass(frozen=True, slots=True)
class FindProducts:
    """`商品 A001` (a code), `商品 可乐` (a name fragment), `商品` (all, paged)."""

    query: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class StockChange:
    """The fields 入库 and 出库 share: what, how much, at what price, with whom, when."""

    code: str
    quantity: Decimal
    unit: str | None = None
    unit_price: Decimal | None = None
    counterparty: str = ""
    note: str = ""
    occurred_on: date | None = None
    warehouse: str | None = None
    confirmed: bool = False  # the issuer already answered "are you sure?" (or wrote 确认)


@dataclass(frozen=True, slots=True)
class ReceiveStock(StockChange):
    """入库: goods in; ``unit_price`` is the purchase cost."""


@dataclass(frozen=True, slots=True)
class IssueStock(StockChange):
    """出库: goods out at moving-average cost; ``unit_price`` is the selling price."""


@dataclass(frozen=True, slots=True)
class ShowStock:
    """`库存 A001` (one card) or `库存` (all products, lowest against safety stock first)."""

    code: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class ShowLedger:
    code: str
    period: Period | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class ListWarehouses:
    """`仓库`."""


@dataclass(frozen=True, slots=True)
class AddWarehouse:
    """`仓库 新增 二仓`."""

    name: str


@dataclass(frozen=True, slots=True)
class TransferStock:
    """`调拨 A001 10 主仓→二仓`: quantity and value move at cost."""

    code: str
    quantity: Decimal
    source: str
    target: str
    unit: str | None = None
    note: str = ""
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class ScrapStock:
    """`报损 A001 2 原因 破损`: out at cost, recorded as a loss with its reason."""

    code: str
    quantity: Decimal
    reason: str
    unit: str | None = None
    warehouse: str | None = None
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class StartStocktake:
    """`盘点 开始 [仓库]`."""

    warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class CountStock:
    """`盘点 A001 48`: the counted quantity, compared with the book at this moment."""

    code: str
    quantity: Decimal
    unit: str | None = None
    warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class ShowStocktake:
    """`盘点 差异` (or `盘点`): counted against book, gains and losses."""

    warehouse: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class ConfirmStocktake:
    """`盘点 确认`: book the gains and losses (asks first)."""

    warehouse: str | None = None
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class CancelStocktake:
    """`盘点 取消`: close the count without booking anything."""

    warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class SetNegativeStock:
    """`设置 负库存 允许` / `设置 负库存 禁止`."""

    allow: bool


@dataclass(frozen=True, slots=True)
class AnalyseAbc:
    """`分析 ABC [90天] [70/20]`: classes by sales value; shares None mean the defaults."""

    days: int = 90
    a_share: Decimal | None = None
    b_share: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SuggestReplenishment:
    """`补货建议 [30天]`."""

    days: int = 30


@dataclass(frozen=True, slots=True)
class AddPartner:
    """`供应商 新增 华东饮料 联系人 王经理 电话 138… 账期 30天` (kind: 供应商 or 客户)."""

    kind: str
    name: str
    fields: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class ChangePartner:
    """`客户 修改 张三超市 信用额度 30000`."""

    kind: str
    name: str
    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class FindPartners:
    """`供应商` (all, paged), `客户 张三超市` (the card), `客户 张三` (matches)."""

    kind: str
    query: str | None = None
    page: int = 1


# ---- workspaces, members, audit, undo --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateWorkspace:
    """`新建账套 好运便利店` (private chat): a new business with the sender as its owner."""

    name: str


@dataclass(frozen=True, slots=True)
class BindChat:
    """`绑定 3`: this chat now works in workspace 3 (the sender must manage chats there)."""

    workspace_id: int


@dataclass(frozen=True, slots=True)
class UnbindChat:
    """`解绑`."""


@dataclass(frozen=True, slots=True)
class SetChatVisibility:
    """`设置 本群 可见 成本` / `设置 本群 隐藏 成本`."""

    show_sensitive: bool


@dataclass(frozen=True, slots=True)
class Invite:
    """`邀请 仓管`: a one-time code for the given role (a Role value)."""

    role: str


@dataclass(frozen=True, slots=True)
class JoinWorkspace:
    """`加入 3-K7FQ9XPM`."""

    code: str


@dataclass(frozen=True, slots=True)
class ListMembers:
    """`成员`."""

    page: int = 1


@dataclass(frozen=True, slots=True)
class SetMemberRole:
    """`成员 设置 @name 财务`."""

    member: str
    role: str


@dataclass(frozen=True, slots=True)
class RemoveMember:
    """`成员 移除 @name`."""

    member: str


@dataclass(frozen=True, slots=True)
class LimitMemberWarehouses:
    """`成员 仓库 @name 二仓 三仓`; no names (`全部`) lifts the limit."""

    member: str
    warehouses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShowAudit:
    """`日志`, `日志 A001`, `日志 @name 今天`."""

    code: str | None = None
    member: str | None = None
    period: Period | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class Undo:
    """`撤销` (my last operation), `撤销 RK-2026-0003` or `撤销 #12` (an audit entry)."""

    target: str | None = None
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class NotYetAvailable:
    """A verb of the command language whose family has not been built yet."""

    verb: str


# ---- alerts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscribe:
    """`订阅 预警 库存 应付 应收 日报`: this chat receives those alert types (Topic values)."""

    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListSubscriptions:
    """`订阅`: what this chat is subscribed to."""


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """`退订 应收` (`退订 全部`: every topic)."""

    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShowAlerts:
    """`预警`: the alerts that hold right now."""


@dataclass(frozen=True, slots=True)
class CheckAlerts:
    """`预警 检查`: evaluate now and queue what is new for the subscribed chats."""


@dataclass(frozen=True, slots=True)
class SnoozeAlert:
    """`预警 忽略 A001 7天`: no stock alerts for the product for that many days."""

    code: str
    days: int = 7


@dataclass(frozen=True, slots=True)
class SetAlertSettings:
    """`设置 预警 日报 21:00` / `免打扰 22:00-08:00` / `免打扰 关闭` / `日均 7天` / `应付 3天` /
    `临期 30天`; no fields shows the settings. Values: time, (time, time) or None, int days."""

    fields: tuple[tuple[str, object], ...] = ()


Command = (
    ShowHelp
    | AddProduct
    | ChangeProduct
    | SetProductActive
    | FindProducts
    | ReceiveStock
    | IssueStock
    | ShowStock
    | ShowLedger
    | ListWarehouses
    | AddWarehouse
    | TransferStock
    | ScrapStock
    | StartStocktake
    | CountStock
    | ShowStocktake
    | ConfirmStocktake
    | CancelStocktake
    | SetNegativeStock
    | AddPartner
    | ChangePartner
    | FindPartners
    | AnalyseAbc
    | SuggestReplenishment
    | CreateWorkspace
    | BindChat
    | UnbindChat
    | SetChatVisibility
    | Invite
    | JoinWorkspace
    | ListMembers
    | SetMemberRole
    | RemoveMember
    | LimitMemberWarehouses
    | ShowAudit
    | Undo
    | NotYetAvailable
    | Subscribe
    | ListSubscriptions
    | Unsubscribe
    | ShowAlerts
    | CheckAlerts
    | SnoozeAlert
    | SetAlertSettings
)
