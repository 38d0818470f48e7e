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
    # ---- batches (issue 5): 批次 on both; 有效期 / 生产日期 only on 入库 ----
    batch: str | None = None
    expires_on: date | None = None
    produced_on: date | None = None


@dataclass(frozen=True, slots=True)
class ReceiveStock(StockChange):
    """入库: goods in; ``unit_price`` is the purchase cost."""


@dataclass(frozen=True, slots=True)
class IssueStock(StockChange):
    """出库: goods out at moving-average cost; ``unit_price`` is the selling price.
    ``cash`` (现款): a sale to a customer paid at once."""

    cash: bool = False


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
    batch: str | None = None  # 批次: scrap this batch (else earliest expiry first, expired included)


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


# ---- valuation ----


@dataclass(frozen=True, slots=True)
class SetStockLevels:
    """`商品 修改 A001 安全库存 20 最高库存 200 仓库 二仓`: the product's levels in one warehouse;
    ``fields`` are safety_stock / max_stock (None clears the warehouse's own level)."""

    code: str
    warehouse: str
    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class SetValuationMethod:
    """`设置 计价 先进先出|FIFO` / `设置 计价 移动平均`; ``method`` is a ValuationMethod value."""

    method: str


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


# ---- operations ----


@dataclass(frozen=True, slots=True)
class SendBackup:
    """`备份`: the bot operator gets the newest backup file in the private chat."""


@dataclass(frozen=True, slots=True)
class NotYetAvailable:
    """A verb of the command language whose family has not been built yet."""

    verb: str


# ---- faster entry ----


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One line of a multi-line message.

    Attributes:
        number: the line's place among the message's non-empty lines (1-based), as the
            preview names it.
        text: the line as written (normalised); a header line (``入库``) carries only a verb.
        command: what the line asks for; None for a header or a line that was not understood.
        error / usage: why the line was not understood, and the correct form.
    """

    number: int
    text: str
    command: object | None = None
    error: str = ""
    usage: str = ""

    @property
    def header(self) -> bool:
        return self.command is None and not self.error


@dataclass(frozen=True, slots=True)
class RunBatch:
    """Several lines booked as one: all of them in one transaction, or none."""

    lines: tuple[BatchLine, ...]
    confirmed: bool = False

    @property
    def commands(self) -> list[BatchLine]:
        return [line for line in self.lines if line.command is not None]

    @property
    def errors(self) -> list[BatchLine]:
        return [line for line in self.lines if line.error]

    @property
    def kind(self) -> str:
        """商品 for a batch of new products only (a product keeper's job), else 出入库."""
        understood = [type(line.command).__name__ for line in self.lines if line.command is not None]
        return "商品" if understood and all(name == "AddProduct" for name in understood) else "出入库"


@dataclass(frozen=True, slots=True)
class ImportFile:
    """`导入 商品` (or 期初库存 / 客户 / 供应商), the caption of a spreadsheet sent to the bot.

    ``rows`` are the sheet's cells as text, the header row first (empty when the caption came
    without a file); ``valid_only`` books the valid rows of a sheet with errors (导入有效行).
    """

    kind: str
    rows: tuple[tuple[str, ...], ...] = ()
    valid_only: bool = False
# ---- reports ----

REPORT_SECTIONS = ("进销存", "销售", "客户", "每日", "采购", "资金")
RANK_METRICS = ("金额", "数量", "毛利")
CHART_SUBJECTS = ("销售趋势", "排行", "库存", "账龄")  # anything else is a product code
EXPORT_SUBJECTS = ("进销存", "销售", "客户", "每日", "采购", "排行", "滞销", "周转", "流水", "模板", "应收", "应付", "对账单")
MONEY_EXPORTS = ("应收", "应付", "对账单")  # what is owed: needs the MONEY permission


@dataclass(frozen=True, slots=True)
class ShowReport:
    """`报表 [本月] [进销存|销售|客户|每日|采购|资金]`; no section is the overview with hints."""

    period: Period
    section: str = ""
    page: int = 1


@dataclass(frozen=True, slots=True)
class RankSales:
    """`排行 [销售|数量|毛利] [本月]`: the top 10 products by sales amount, quantity or profit."""

    period: Period
    metric: str = "金额"


@dataclass(frozen=True, slots=True)
class ShowUnsold:
    """`滞销 [30天]`: products with stock and no sale in that many days."""

    days: int = 30
    page: int = 1


@dataclass(frozen=True, slots=True)
class ShowTurnover:
    """`周转 [30天]`: turnover days by product and by category over the period."""

    period: Period
    page: int = 1


@dataclass(frozen=True, slots=True)
class DrawChart:
    """`图表 销售趋势 [30天]` · `图表 排行` · `图表 库存` · `图表 账龄` · `图表 A001 [90天]`."""

    subject: str
    period: Period


@dataclass(frozen=True, slots=True)
class ExportReport:
    """`导出 进销存 [本月]` (any report, 流水 [A001], 应收, 应付, 对账单 @客户 [本月]) or
    `导出 模板 商品` → an .xlsx file."""

    subject: str
    period: Period
    code: str | None = None
    partner: str | None = None  # 对账单 @客户




# ---- documents (进 · 销 · 财) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineInput:
    """One product on an order or a delivery: `A001 100 单价 2.4`, `A001 100 合格 98`."""

    code: str
    quantity: Decimal
    unit: str | None = None
    unit_price: Decimal | None = None
    accepted: Decimal | None = None  # 到货: how many passed QC (default: all)
    batch: str | None = None  # 到货 of a batch-managed product: 批次, with 有效期 or 生产日期
    expires_on: date | None = None
    produced_on: date | None = None


@dataclass(frozen=True, slots=True)
class CreatePurchaseOrder:
    """`采购 @华东饮料 A001 100 单价 2.4 A002 50 单价 3 交期 12-01`."""

    partner: str
    lines: tuple[LineInput, ...]
    due_on: date | None = None
    warehouse: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class CreateSalesOrder:
    """`销售 @张三超市 A001 10 单价 3.5 A002 5 折扣 9折`."""

    partner: str
    lines: tuple[LineInput, ...]
    discount: Decimal | None = None
    warehouse: str | None = None
    note: str = ""
    confirmed: bool = False  # an admin confirmed going over the credit limit


@dataclass(frozen=True, slots=True)
class ShowOrders:
    """`采购单`, `销售单 SO-2026-0001`, `/PO_2026_0001` (kind: 采购单 or 销售单)."""

    kind: str
    number: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class ApproveOrder:
    """`审核 PO-2026-0001`."""

    number: str


@dataclass(frozen=True, slots=True)
class CloseOrder:
    """`关闭 PO-2026-0001` (kind follows from the number: 采购单 or 销售单)."""

    number: str
    kind: str


@dataclass(frozen=True, slots=True)
class ReceiveOrder:
    """`到货 PO-2026-0001 A001 100 合格 98 运费 50` (no lines: everything still to come)."""

    number: str
    lines: tuple[LineInput, ...] = ()
    fees: tuple[tuple[str, Decimal], ...] = ()  # (运费|关税|其他费用, amount)
    confirmed: bool = False  # more than ordered


@dataclass(frozen=True, slots=True)
class ShipOrder:
    """`发货 SO-2026-0001 A001 6 快递 SF1234567` (no lines: everything still to ship)."""

    number: str
    lines: tuple[LineInput, ...] = ()
    tracking: str = ""
    confirmed: bool = False  # more than ordered


@dataclass(frozen=True, slots=True)
class ReturnGoods:
    """`退货 @华东饮料 A001 2 [RK-2026-0003]` or `退货 @张三超市 A001 2 [CK-…]`."""

    partner: str
    code: str
    quantity: Decimal
    unit: str | None = None
    number: str | None = None  # the receipt or shipment it returns from
    kind: str | None = None  # 供应商 or 客户, when the name is both
    note: str = ""


@dataclass(frozen=True, slots=True)
class RecordPayment:
    """`收款 @张三超市 1000 [SO-2026-0001] [微信]`, `付款 @华东饮料 500` (kind: 收款 or 付款)."""

    kind: str
    partner: str
    amount: Decimal
    number: str | None = None
    account: str = "现金"
    note: str = ""


@dataclass(frozen=True, slots=True)
class ShowOpenItems:
    """`应收`, `应付`, `应收 @张三超市` (kind: 应收 or 应付)."""

    kind: str
    partner: str | None = None
    page: int = 1


@dataclass(frozen=True, slots=True)
class ShowStatement:
    """`对账单 @张三超市 本月`."""

    partner: str
    period: Period | None = None


@dataclass(frozen=True, slots=True)
class SetTaxRate:
    """`设置 税率 13%` (0.13) or `设置 税率 无` (None): new documents show the tax in their totals."""

    rate: Decimal | None


@dataclass(frozen=True, slots=True)
class RecordCashEntry:
    """`其他收入 200 房租转租`, `费用 300 水电 微信`."""

    income: bool
    amount: Decimal
    note: str
    account: str = "现金"
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
    | SetValuationMethod
    | SetStockLevels
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
    | SendBackup
    | ShowReport
    | RankSales
    | ShowUnsold
    | ShowTurnover
    | DrawChart
    | ExportReport
    | NotYetAvailable
    | RunBatch
    | ImportFile
    | CreatePurchaseOrder
    | CreateSalesOrder
    | ShowOrders
    | ApproveOrder
    | CloseOrder
    | ReceiveOrder
    | ShipOrder
    | ReturnGoods
    | RecordPayment
    | ShowOpenItems
    | ShowStatement
    | RecordCashEntry
    | SetTaxRate
    | Subscribe
    | ListSubscriptions
    | Unsubscribe
    | ShowAlerts
    | CheckAlerts
    | SnoozeAlert
    | SetAlertSettings
)

