"""The audit log: who changed what, where, when, with the text as typed. Appended, never edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.access import Permission
from domain.products import FieldChange


class Action(StrEnum):
    """What an entry records; the value is the label a reply shows."""

    ADD_PRODUCT = "商品新增"
    CHANGE_PRODUCT = "商品修改"
    DEACTIVATE_PRODUCT = "商品停用"
    ACTIVATE_PRODUCT = "商品启用"
    RECEIVE = "入库"
    ISSUE = "出库"
    TRANSFER = "调拨"
    SCRAP = "报损"
    STOCKTAKE_START = "盘点开始"
    STOCKTAKE_COUNT = "盘点录入"
    STOCKTAKE_CONFIRM = "盘点确认"
    STOCKTAKE_MATCHED = "盘点确认（无差异）"
    STOCKTAKE_CANCEL = "盘点取消"
    SETTINGS = "账套设置"
    ADD_PARTNER = "新增往来单位"
    CHANGE_PARTNER = "修改往来单位"
    UNDO = "撤销"
    ADD_WAREHOUSE = "仓库新增"
    CREATE_WORKSPACE = "新建账套"
    BIND_CHAT = "绑定"
    UNBIND_CHAT = "解绑"
    CHAT_VISIBILITY = "群可见范围"
    INVITE = "邀请"
    JOIN = "加入"
    SET_ROLE = "设置角色"
    REMOVE_MEMBER = "移除成员"
    LIMIT_WAREHOUSES = "限定仓库"
    CREATE_ORDER = "新建单据"
    APPROVE_ORDER = "审核单据"
    CLOSE_ORDER = "关闭单据"
    RECEIVE_ORDER = "到货"
    SHIP_ORDER = "发货"
    RETURN_GOODS = "退货"
    PAYMENT = "收付款"
    CASH_ENTRY = "其他收支"
    IMPORT_OPENING = "导入期初库存"  # faster entry: one entry per imported sheet
    SET_STOCK_LEVELS = "仓库库存上下限"  # valuation area (issue 5): not undoable, set it again


# Operations 撤销 can reverse, and the permission the reversal needs (the original's own).
UNDOABLE: dict[Action, Permission] = {
    Action.RECEIVE: Permission.MOVE_STOCK,
    Action.ISSUE: Permission.MOVE_STOCK,
    Action.TRANSFER: Permission.MOVE_STOCK,
    Action.SCRAP: Permission.MOVE_STOCK,
    Action.STOCKTAKE_CONFIRM: Permission.MOVE_STOCK,
    Action.ADD_PRODUCT: Permission.EDIT_PRODUCTS,
    Action.CHANGE_PRODUCT: Permission.EDIT_PRODUCTS,
    Action.DEACTIVATE_PRODUCT: Permission.EDIT_PRODUCTS,
    Action.ACTIVATE_PRODUCT: Permission.EDIT_PRODUCTS,
}

# 撤销 without a number reaches back this far, and only to the issuer's own operations.
UNDO_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change. ``subject`` is what it was about (a product code, a member, a chat);
    ``numbers`` the documents or movements it created; ``changes`` before/after values."""

    action: Action
    user_id: int
    user_name: str
    chat_id: int
    text: str
    at: datetime
    subject: str = ""
    numbers: tuple[str, ...] = ()
    changes: tuple[FieldChange, ...] = ()
    undoes: int | None = None
    id: int = 0
    undone_by: int | None = field(default=None, compare=False)

    @property
    def undoable(self) -> bool:
        return self.action in UNDOABLE and self.undone_by is None
