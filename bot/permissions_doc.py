"""docs/permissions.md, written from the permission table in domain/access.py.

    python -m bot.permissions_doc > docs/permissions.md

A test compares the file with this output, so the document cannot drift from the code.
"""

from __future__ import annotations

from bot import parsing
from domain import commands as c
from domain.access import COMMAND_PERMISSION, ROLE_PERMISSIONS, Permission, Role

# How each command class is written in the chat, for the second table.
_EXAMPLES: dict[type, str] = {
    c.ShowHelp: "帮助",
    c.NotYetAvailable: "（还在建设中的命令）",
    c.CreateWorkspace: "新建账套 <名称>（私聊）",
    c.JoinWorkspace: "加入 <邀请码>（私聊）",
    c.BindChat: "绑定 <账套编号>",
    c.UnbindChat: "解绑",
    c.SetChatVisibility: "设置 本群 可见|隐藏 成本",
    c.Invite: "邀请 <角色>",
    c.ListMembers: "成员",
    c.SetMemberRole: "成员 设置 @成员 <角色>",
    c.RemoveMember: "成员 移除 @成员",
    c.LimitMemberWarehouses: "成员 仓库 @成员 <仓库…>",
    c.ShowAudit: "日志 …",
    c.Undo: "撤销 [单号]",
    c.AddProduct: "商品 新增 …",
    c.ChangeProduct: "商品 修改 …",
    c.SetProductActive: "商品 停用|启用 …",
    c.FindProducts: "商品 <编码|名称>",
    c.ReceiveStock: "入库 …",
    c.IssueStock: "出库 …",
    c.ShowStock: "库存 [编码]",
    c.ShowLedger: "流水 <编码>",
    c.ListWarehouses: "仓库",
    c.AddWarehouse: "仓库 新增 <名称>",
    c.TransferStock: "调拨 <编码> <数量> 主仓→二仓",
    c.ScrapStock: "报损 <编码> <数量> 原因 …",
    c.StartStocktake: "盘点 开始 [仓库]",
    c.CountStock: "盘点 <编码> <实盘数量>",
    c.ShowStocktake: "盘点 差异",
    c.ConfirmStocktake: "盘点 确认",
    c.CancelStocktake: "盘点 取消",
    c.SetNegativeStock: "设置 负库存 允许|禁止",
    c.SetValuationMethod: "设置 计价 先进先出|移动平均",
    c.SetStockLevels: "商品 修改 … 安全库存 … 仓库 …",
    c.AnalyseAbc: "分析 ABC [90天]",
    c.SuggestReplenishment: "补货建议 [30天]",
    c.CreatePurchaseOrder: "采购 @供应商 A001 100 单价 2.4 …",
    c.CreateSalesOrder: "销售 @客户 A001 10 单价 3.5 …",
    c.ShowOrders: "采购单 / 销售单 [单号]",
    c.ApproveOrder: "审核 PO-…",
    c.CloseOrder: "关闭 PO-… / SO-…",
    c.ReceiveOrder: "到货 PO-… [A001 100 合格 98] [运费 …]",
    c.ShipOrder: "发货 SO-… [A001 6] [快递 …]",
    c.ReturnGoods: "退货 @供应商|@客户 A001 2",
    c.RecordPayment: "收款 @客户 1000 / 付款 @供应商 500",
    c.ShowOpenItems: "应收 / 应付 [@对象]",
    c.ShowStatement: "对账单 @对象 [本月]",
    c.RecordCashEntry: "其他收入 / 费用 <金额> <说明>",
    c.SetTaxRate: "设置 税率 13% / 无",
    c.AddPartner: "供应商|客户 新增 <名称> …",
    c.ChangePartner: "供应商|客户 修改 <名称> …",
    c.FindPartners: "供应商|客户 [名称]",
    c.SendBackup: "备份（私聊）",
    # ---- faster entry ----
    c.RunBatch: "入库⏎A001 50⏎A002 30（多行批量）",
    c.ImportFile: "导入 商品|期初库存|客户|供应商（Excel/CSV 文件的说明）",
    # ---- reports ----
    c.ShowReport: "报表 [本月] [进销存|销售|客户|每日|采购]",
    c.RankSales: "排行 [销售|数量|毛利] [本月]",
    c.ShowUnsold: "滞销 [30天]",
    c.ShowTurnover: "周转 [30天]",
    c.DrawChart: "图表 销售趋势|排行|库存|账龄|<编码>",
    c.ExportReport: "导出 <报表> [本月] · 导出 模板 商品",
    c.Subscribe: "订阅 预警 库存 应付 应收 日报",
    c.ListSubscriptions: "订阅",
    c.Unsubscribe: "退订 应收",
    c.ShowAlerts: "预警",
    c.CheckAlerts: "预警 检查",
    c.SnoozeAlert: "预警 忽略 <编码> [7天]",
    c.SetAlertSettings: "设置 预警 日报 21:00 …",
}

_NOTES = {
    c.CreateSalesOrder: "超出客户信用额度：有「审核单据」权限的可确认下单，其他人被拒绝",
    c.BindChat: "在群里：需要目标账套的「绑定群」权限；在私聊：切换到自己加入的账套",
    c.Undo: "需要原操作的权限；他人的操作或 10 分钟以前的操作需要「撤销他人的操作」",
    c.CreateWorkspace: "任何人；每人最多 5 个账套",
    c.JoinWorkspace: "持有效邀请码的人",
    c.SendBackup: "只限机器人管理员（JXC_OWNER_IDS）在私聊中：备份含所有账套的数据",
    c.RunBatch: "只有 商品 新增 的批量算「商品」；每一行还要它自己的权限",
    # ---- reports ----
    c.ShowReport: "成本、毛利、采购金额另需「查看成本」",
    c.RankSales: "毛利另需「查看成本」",
    c.ShowUnsold: "占用金额另需「查看成本」",
    c.DrawChart: "毛利线、库存金额另需「查看成本」",
    c.ExportReport: "成本、金额列另需「查看成本」",
    c.Subscribe: "应付、应收还需「收款、付款、费用」权限，且只在私聊或「设置 本群 可见 成本」的群",
}


def render() -> str:
    roles = list(Role)
    lines = [
        "# 权限表 · Permission matrix",
        "",
        "Generated from `domain/access.py` (`ROLE_PERMISSIONS`, `COMMAND_PERMISSION`) by",
        "`python -m bot.permissions_doc > docs/permissions.md`; `tests/test_docs.py` fails when",
        "this file and the code differ. The dispatcher checks every command against these tables",
        "and nowhere else.",
        "",
        "## 角色能做什么",
        "",
        "| 权限 | " + " | ".join(role.value for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = ["✅" if permission in ROLE_PERMISSIONS[role] else "—" for role in roles]
        lines.append(f"| {permission.value} | " + " | ".join(marks) + " |")
    lines += [
        "",
        "Cost figures (成本、进价、库存金额、毛利) need 「查看成本…」. In a group they appear only",
        "after `设置 本群 可见 成本`; otherwise the group gets the reply without them and a member",
        "who may see them receives the full reply in a private chat. A member can be limited to",
        "some warehouses (`成员 仓库 @成员 二仓`): reads and writes outside them are refused.",
        "Someone who is not a member gets a refusal that names nothing of the workspace.",
        "",
        "## 命令需要的权限",
        "",
        "| 命令 | 需要的权限 | 说明 |",
        "|---|---|---|",
    ]
    for command, permission in COMMAND_PERMISSION.items():
        if isinstance(permission, dict):
            needed = "；".join(f"{kind}：{p.value}" for kind, p in permission.items())
        else:
            needed = permission.value if permission is not None else "—"
        lines.append(f"| `{_EXAMPLES[command]}` | {needed} | {_NOTES.get(command, '')} |")
    later = [verb.name for verb in parsing.VERBS if not verb.available]
    lines += [
        "",
        "Commands of later issues (" + "、".join(later) + ") are recognised and answered",
        "「还在建设中」 until their family lands; each joins the table above when it does.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
