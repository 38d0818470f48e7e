"""The command language: text a person typed on a phone → a typed command.

One grammar for every family (see the README's command reference):

    <verb> [<sub-verb>] [<subject>...] [<qty>[<unit>]] [<key> <value>]... [@<partner>]

Text is NFKC-normalised first (full-width → half-width), Chinese punctuation is read like
ASCII, a verb may be glued to what follows (``入库A001 50``), keys may be glued to their
values (``单价2.4``). :func:`parse` returns a command from ``domain.commands`` or raises
:class:`ParseError` with a one-line Chinese reason and the correct form; it never raises
anything else. :func:`to_text` writes a command back in canonical form (``parse ∘ to_text``
is the identity, which the property tests check).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation

from domain import commands as c
from domain import periods
from domain.access import Role, invitation_workspace
from domain.alerts import MAX_SETTING_DAYS, SETTING_WORDS, Topic
from domain.money import MAX_PRICE, MAX_QUANTITY, to_money, to_quantity
from domain.periods import InvalidPeriodError, Period
from domain.products import CODE_PATTERN, EDITABLE_FIELDS, normalise_code

MAX_MESSAGE_LENGTH = 1000
MAX_NOTE_LENGTH = 200
MAX_COUNTERPARTY_LENGTH = 60
MAX_PAGE = 10_000
MAX_PERIOD_DAYS = 3660


class ParseError(Exception):
    """The text is not a command we can read. Nothing was booked.

    Attributes:
        reason: one line, Chinese, saying what is wrong.
        usage: the correct form of the command (may be empty for a non-command).
    """

    def __init__(self, reason: str, usage: str = "", *, not_a_command: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage
        self.not_a_command = not_a_command


# ---- verbs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verb:
    """A command word, its slash aliases, its usage line and its family's issue."""

    name: str
    slash: tuple[str, ...] = ()
    usage: str = ""
    summary: str = ""
    sub_verbs: tuple[str, ...] = ()
    available: bool = False
    examples: tuple[str, ...] = field(default_factory=tuple)


VERBS: tuple[Verb, ...] = (
    Verb("帮助", ("help", "start"), "帮助 [命令]", "命令说明", available=True, examples=("帮助", "帮助 入库")),
    Verb(
        "商品",
        ("product",),
        "商品 新增 <编码> <名称> [规格 …] [单位 …] [进价 …] [售价 …] [安全库存 …]",
        "新增、修改、停用、查询商品",
        sub_verbs=("新增", "添加", "新建", "修改", "改", "停用", "启用", "查询"),
        available=True,
        examples=(
            "商品 新增 A001 可口可乐 规格 330ml 单位 罐 进价 2.5 售价 3.5 安全库存 20",
            "商品 修改 A001 售价 3.8",
            "商品 停用 A001",
            "商品 A001",
            "商品 可乐",
        ),
    ),
    Verb(
        "入库",
        ("in",),
        "入库 <编码> <数量> [单价 …] [@供应商] [仓库 …] [批次 … 有效期 …|生产日期 …] [备注 …] [日期 11-20]",
        "货物进仓，库存增加",
        available=True,
        examples=(
            "入库 A001 50",
            "入库 A001 50 单价 2.4 备注 补货",
            "入库 A001 2.5kg 日期 11-20",
            "入库 A001 50 批次 L2311 有效期 2027-03-01",
        ),
    ),
    Verb(
        "出库",
        ("out",),
        "出库 <编码> <数量> [单价 …] [@客户 [现款]] [仓库 …] [批次 …] [备注 …] [日期 11-20]",
        "货物出仓，库存减少（默认不允许负库存）",
        available=True,
        examples=("出库 A001 5", "出库 A001 5 单价 3.5"),
    ),
    Verb(
        "库存",
        ("stock",),
        "库存 [编码]",
        "查看库存、成本、库存金额和安全库存状态",
        available=True,
        examples=("库存 A001", "库存"),
    ),
    Verb(
        "流水",
        ("ledger",),
        "流水 <编码> [7天|今日|本周|本月|上月|2026-11-01~2026-11-15]",
        "查看商品的出入库流水",
        available=True,
        examples=("流水 A001", "流水 A001 7天"),
    ),
    # The families below arrive with later issues; the parser already knows their verbs so
    # that groups recognise them and the reply can say honestly that they are coming.
    Verb(
        "仓库",
        usage="仓库 [新增 <名称>]",
        summary="查看或新增仓库",
        sub_verbs=("新增",),
        available=True,
        examples=("仓库", "仓库 新增 二仓"),
    ),
    Verb(
        "撤销",
        ("undo",),
        "撤销 [单号]",
        "撤销自己 10 分钟内的上一笔操作（先确认）",
        available=True,
        examples=("撤销", "撤销 RK-2026-0003"),
    ),
    Verb(
        "日志",
        usage="日志 [编码] [@成员] [今天|7天|本月]",
        summary="操作日志：谁、何时、做了什么（管理员）",
        available=True,
        examples=("日志", "日志 A001", "日志 @老李 今天"),
    ),
    Verb(
        "成员",
        usage="成员 [设置 @成员 <角色>|移除 @成员|仓库 @成员 <仓库…>]",
        summary="成员和角色",
        sub_verbs=("设置", "移除", "仓库"),
        available=True,
        examples=("成员", "成员 设置 @老李 仓管", "成员 仓库 @老李 二仓"),
    ),
    Verb(
        "邀请",
        usage="邀请 <角色>（老板 管理员 仓管 采购 销售 财务 只读）",
        summary="生成 24 小时有效的一次性邀请码",
        available=True,
        examples=("邀请 仓管",),
    ),
    Verb("加入", usage="加入 <邀请码>", summary="用邀请码加入账套（私聊）", available=True, examples=("加入 3-K7FQ9XPM",)),
    Verb(
        "新建账套",
        usage="新建账套 <名称>",
        summary="创建自己的账套（私聊）",
        available=True,
        examples=("新建账套 好运便利店",),
    ),
    Verb("绑定", usage="绑定 <账套编号>", summary="把本群绑定到账套", available=True, examples=("绑定 3",)),
    Verb("解绑", usage="解绑", summary="解除本群与账套的绑定", available=True, examples=("解绑",)),
    Verb(
        "设置",
        usage="设置 本群 可见|隐藏 成本 / 设置 负库存 允许|禁止 / 设置 计价 先进先出|移动平均",
        summary="本群能否看到成本；出库能否低于零；计价方法（首笔出入库前）；预警的日报时间、免打扰和阈值",
        sub_verbs=("本群", "负库存", "计价", "预警", "税率"),
        available=True,
        examples=("设置 本群 可见 成本", "设置 预警 日报 21:00 免打扰 22:00-08:00"),
    ),
    Verb(
        "供应商",
        usage="供应商 新增 <名称> [联系人 …] [电话 …] [账期 30天] [交期 7天]",
        summary="供应商资料：联系人、电话、账期",
        sub_verbs=("新增", "修改"),
        available=True,
        examples=("供应商 新增 华东饮料 联系人 王经理 电话 13800000000 账期 30天", "供应商", "供应商 华东饮料"),
    ),
    Verb(
        "客户",
        usage="客户 新增 <名称> [联系人 …] [电话 …] [账期 15天] [信用额度 20000]",
        summary="客户资料：账期、信用额度",
        sub_verbs=("新增", "修改"),
        available=True,
        examples=("客户 新增 张三超市 账期 15天 信用额度 20000", "客户", "客户 张三超市"),
    ),
    Verb(
        "采购单",
        usage="采购单 [单号]",
        summary="采购单列表，或一张采购单的明细和下一步",
        available=True,
        examples=("采购单", "采购单 PO-2026-0001"),
    ),
    Verb(
        "采购",
        ("po",),
        usage="采购 @供应商 <编码> <数量> [单价 …] [<编码> <数量> [单价 …]…] [交期 12-01] [仓库 …] [备注 …]",
        summary="新建采购单（草稿，审核后才能到货）",
        available=True,
        examples=("采购 @华东饮料 A001 100 单价 2.4 A002 50 单价 3 交期 12-01",),
    ),
    Verb("审核", usage="审核 <采购单号>", summary="审核采购单（管理员、老板）", available=True, examples=("审核 PO-2026-0001",)),
    Verb("关闭", usage="关闭 <采购单号|销售单号>", summary="关闭单据：不再到货或发货，释放预留库存", available=True, examples=("关闭 PO-2026-0001",)),
    Verb(
        "到货",
        usage="到货 <采购单号> [<编码> <数量> [合格 …] [批次 … 有效期 2027-03-01]…] [运费 …] [关税 …] [其他费用 …]",
        summary="采购到货验收入库：合格的入库，运费等按金额分摊进成本，记应付",
        available=True,
        examples=("到货 PO-2026-0001 A001 100 合格 98 运费 50", "到货 PO-2026-0001"),
    ),
    Verb(
        "退货",
        usage="退货 @供应商|@客户 <编码> <数量> [原单号] [备注 …]",
        summary="退给供应商（按进价，冲减应付）或客户退回（按出库成本，冲减应收）",
        available=True,
        examples=("退货 @华东饮料 A001 2", "退货 @张三超市 A001 2 CK-2026-0003"),
    ),
    Verb(
        "销售单",
        usage="销售单 [单号]",
        summary="销售单列表，或一张销售单的明细、可用库存和下一步",
        available=True,
        examples=("销售单", "销售单 SO-2026-0001"),
    ),
    Verb(
        "销售",
        ("so",),
        usage="销售 @客户 <编码> <数量> [单价 …] [<编码> <数量> [单价 …]…] [折扣 9折] [仓库 …] [备注 …]",
        summary="新建销售单，预留库存；不写单价用客户上次成交价或商品售价",
        available=True,
        examples=("销售 @张三超市 A001 10 单价 3.5 A002 5 折扣 9折",),
    ),
    Verb(
        "发货",
        usage="发货 <销售单号> [<编码> <数量>…] [快递 …]",
        summary="按销售单发货：按成本出库，记应收",
        available=True,
        examples=("发货 SO-2026-0001", "发货 SO-2026-0001 A001 6 快递 SF1234567"),
    ),
    Verb(
        "收款",
        ("receive",),
        usage="收款 @客户 <金额> [单号] [现金|银行|微信|支付宝] [备注 …]",
        summary="收客户的钱：先冲指定单据，再冲最早的应收；多收的留作预收",
        available=True,
        examples=("收款 @张三超市 1000", "收款 @张三超市 500 SO-2026-0001 微信"),
    ),
    Verb(
        "付款",
        ("pay",),
        usage="付款 @供应商 <金额> [单号] [现金|银行|微信|支付宝] [备注 …]",
        summary="付供应商的钱：先冲指定单据，再冲最早的应付",
        available=True,
        examples=("付款 @华东饮料 500", "付款 @华东饮料 2000 PO-2026-0001 银行"),
    ),
    Verb("应收", ("ar",), usage="应收 [@客户]", summary="客户欠款：到期日、逾期天数、账龄", available=True, examples=("应收", "应收 @张三超市")),
    Verb("应付", ("ap",), usage="应付 [@供应商]", summary="欠供应商的款：到期日、账龄", available=True, examples=("应付", "应付 @华东饮料")),
    Verb(
        "对账单",
        usage="对账单 @客户|@供应商 [本月|上月|2026-11-01~2026-11-15]",
        summary="期初余额、单据和收付款、期末余额",
        available=True,
        examples=("对账单 @张三超市 本月",),
    ),
    Verb("其他收入", usage="其他收入 <金额> <说明> [现金|银行|微信|支付宝]", summary="记一笔其他收入", available=True, examples=("其他收入 200 房租转租",)),
    Verb("费用", usage="费用 <金额> <说明> [现金|银行|微信|支付宝]", summary="记一笔费用", available=True, examples=("费用 300 水电",)),
    Verb(
        "调拨",
        usage="调拨 <编码> <数量> <从仓>→<到仓> [备注 …]",
        summary="仓库之间移库，按成本转移金额",
        available=True,
        examples=("调拨 A001 10 主仓→二仓", "调拨 A001 10 主仓 到 二仓"),
    ),
    Verb(
        "盘点",
        usage="盘点 开始 [仓库] · 盘点 <编码> <实盘数量> · 盘点 差异 · 盘点 确认 · 盘点 取消",
        summary="实盘数量与账面比较，确认后记盘盈盘亏",
        sub_verbs=("开始", "差异", "确认", "取消"),
        available=True,
        examples=("盘点 开始", "盘点 A001 48", "盘点 差异", "盘点 确认"),
    ),
    Verb(
        "报损",
        usage="报损 <编码> <数量> 原因 … [仓库 …] [批次 …]",
        summary="破损、过期、丢失：按成本出库并记下原因",
        available=True,
        examples=("报损 A001 2 原因 破损",),
    ),
    Verb(
        "分析",
        usage="分析 ABC [90天] [A/B 百分比，如 80/15]",
        summary="按销售额把商品分成 A、B、C 三类",
        sub_verbs=("ABC", "abc"),
        available=True,
        examples=("分析 ABC", "分析 ABC 30天 70/20"),
    ),
    Verb(
        "补货建议",
        usage="补货建议 [30天]",
        summary="按日均销量、交期和安全库存算出该补多少，按供应商分组",
        available=True,
        examples=("补货建议", "补货建议 60天"),
    ),
    Verb(
        "订阅",
        usage="订阅 预警 <库存|临期|应付|应收|日报…>",
        summary="本群（或私聊）接收预警推送；只写「订阅」查看已订阅",
        sub_verbs=("预警",),
        available=True,
        examples=("订阅 预警 库存 应付 应收 日报", "订阅"),
    ),
    Verb(
        "退订",
        usage="退订 <库存|临期|应付|应收|日报…|全部>",
        summary="停止接收某类预警",
        available=True,
        examples=("退订 应收", "退订 全部"),
    ),
    Verb(
        "预警",
        ("alerts",),
        usage="预警 [检查] · 预警 忽略 <编码> [7天]",
        summary="现在有哪些预警；检查：立即检查并推送；忽略：某商品的库存预警暂停几天",
        sub_verbs=("检查", "忽略"),
        available=True,
        examples=("预警", "预警 检查", "预警 忽略 A001 7天"),
    ),
    Verb(
        "报表",
        ("report",),
        usage="报表 [今日|本周|本月|上月|2026-11-01~2026-11-15] [进销存|销售|客户|每日|采购|资金]",
        summary="进销存、销售毛利、进货汇总、资金和经营提示",
        available=True,
        examples=("报表 本月", "报表 上月 进销存", "报表 本月 销售", "报表 本月 资金"),
    ),
    Verb(
        "排行",
        usage="排行 [销售|数量|毛利] [本月]",
        summary="销售前 10 名：按金额、数量或毛利",
        available=True,
        examples=("排行 销售 本月", "排行 毛利 上月"),
    ),
    Verb(
        "滞销",
        usage="滞销 [30天]",
        summary="有库存却多少天没卖出的商品和占用金额",
        available=True,
        examples=("滞销 30天", "滞销 90天"),
    ),
    Verb(
        "周转",
        usage="周转 [30天|本月]",
        summary="按商品和分类的库存周转天数",
        available=True,
        examples=("周转", "周转 本月"),
    ),
    Verb(
        "图表",
        ("chart",),
        usage="图表 销售趋势|排行|库存|账龄|<编码> [30天]",
        summary="销售趋势、排行、库存分类、单品库存走势图",
        available=True,
        examples=("图表 销售趋势 30天", "图表 排行", "图表 库存", "图表 A001"),
    ),
    Verb(
        "导出",
        ("export",),
        usage="导出 报表|进销存|销售|客户|每日|采购|排行|滞销|周转|流水 [编码] [本月] · 导出 应收|应付 · 导出 对账单 @客户 [本月] · 导出 模板 商品",
        summary="导出 Excel 表格",
        available=True,
        examples=("导出 进销存 本月", "导出 流水 A001 本月", "导出 应收", "导出 对账单 @张三超市 本月", "导出 模板 商品"),
    ),
    Verb(
        "备份",
        usage="备份",
        summary="把最新的数据库备份文件发给机器人管理员（私聊）",
        available=True,
        examples=("备份",),
    ),
    Verb(
        "导入",
        usage="导入 商品|期初库存|客户|供应商（发送 Excel/CSV 文件，并把这句写在文件的说明里）",
        summary="从 Excel 或 CSV 批量导入商品、期初库存、客户、供应商",
        available=True,
        examples=("导入 商品", "导入 期初库存"),
    ),
)

VERBS_BY_NAME: dict[str, Verb] = {verb.name: verb for verb in VERBS}
_SLASH: dict[str, Verb] = {alias: verb for verb in VERBS for alias in verb.slash}
# Longest first, so that 采购单 wins over 采购 and 其他收入 is not read as something shorter.
_VERB_NAMES = sorted(VERBS_BY_NAME, key=len, reverse=True)


def find_verb(word: str) -> Verb | None:
    """A verb by its Chinese name or slash alias (with or without the slash)."""
    word = unicodedata.normalize("NFKC", word).strip()
    if word.startswith("/"):
        word = word[1:].split("@", 1)[0].lower()
        return _SLASH.get(word)
    return VERBS_BY_NAME.get(word) or _SLASH.get(word.lower())


# ---- normalisation -----------------------------------------------------------------------

# Zero-width characters phones and IMEs slip into text: dropped silently.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_PUNCTUATION = str.maketrans({"。": ".", "、": ",", "【": " ", "】": " ", "「": " ", "」": " ", "《": " ", "》": " ", "～": "~", "〜": "~"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, Chinese punctuation read as ASCII, whitespace collapsed.

    Raises:
        ParseError: the text is too long or carries control characters.
    """
    text = text.translate(_INVISIBLE)
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ParseError(f"消息太长（{len(text)} 字），一条命令最多 {MAX_MESSAGE_LENGTH} 字")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text):
        raise ParseError("消息里有控制字符，请重新输入")
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    return _SPACES.sub(" ", text).strip()


# ---- recognising a command ---------------------------------------------------------------

_GLUE_OK = re.compile(r"[A-Za-z0-9@/#]")


def split_verb(text: str) -> tuple[Verb, str] | None:
    """Find the verb at the start of normalised text and return it with the rest.

    A Chinese verb counts only when what follows it cannot be ordinary chatter: nothing,
    a space, an ASCII code or digit, ``@``, or one of the verb's own sub-verbs. So
    ``入库A001 50`` is a command and ``库存不多了吧`` is not.
    """
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        verb = find_verb(head)
        return (verb, rest.strip()) if verb else None
    for name in _VERB_NAMES:
        if not text.startswith(name):
            continue
        verb = VERBS_BY_NAME[name]
        rest = text[len(name) :]
        if not rest or rest[0] == " " or _GLUE_OK.match(rest[0]):
            return verb, rest.strip()
        if any(rest.startswith(sub) for sub in verb.sub_verbs):
            return verb, rest.strip()
        if verb.name == "帮助" and any(rest.startswith(other) for other in _VERB_NAMES):
            return verb, rest.strip()
        return None
    return None


def looks_like_command(text: str) -> bool:
    """True when a group message is addressed to us as a command (a verb or a slash)."""
    try:
        normal = normalise(text)
    except ParseError:
        return False
    if normal.startswith("/"):
        return True
    return split_verb(normal) is not None


# ---- tokens ------------------------------------------------------------------------------

# Keys of the key–value tail, across all families; each verb accepts a subset.
KEYS = (
    "单价",
    "备注",
    "日期",
    "仓库",
    "批次",
    "有效期",
    "生产日期",
    "原因",
    "交期",
    "快递",
    "折扣",
    "运费",
    "账期",
    "信用额度",
    "联系人",
    "电话",
    "合格",
    *EDITABLE_FIELDS,
)
_KEYS_LONGEST_FIRST = sorted(set(KEYS), key=len, reverse=True)
_REST_OF_LINE = re.compile(r"(?:^|(?<=[\s,;:]))(备注|原因)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))", re.ASCII)
_PAGE = re.compile(r"第(\d{1,5})页", re.ASCII)


@dataclass
class Tokens:
    """The words after the verb, with the key–value tail and @partner taken out."""

    words: list[str]
    values: dict[str, str]
    partner: str | None
    page: int | None


def tokenise(rest: str, usage: str) -> Tokens:
    """Split the text after the verb into positional words, key–values and a partner."""
    words: list[str] = []
    values: dict[str, str] = {}
    # 备注/原因 take the rest of the line verbatim, so cut them off before punctuation is read.
    tail = _REST_OF_LINE.search(rest)
    if tail is not None:
        text = rest[tail.end() :].lstrip(" :")
        if not text.strip():
            raise ParseError(f"「{tail.group(1)}」后面缺少内容", usage)
        values[tail.group(1)] = text.strip()
        rest = rest[: tail.start()]
    rest = _THOUSANDS.sub("", rest)
    rest = re.sub(r"[,;:]", " ", rest).strip()
    partner: str | None = None
    page: int | None = None
    pending_key: str | None = None
    for match in re.finditer(r"\S+", rest):
        word = match.group()
        if pending_key is not None:
            values[pending_key] = word
            pending_key = None
            continue
        key = next((k for k in _KEYS_LONGEST_FIRST if word.startswith(k)), None)
        if key is not None:
            if key in values:
                raise ParseError(f"「{key}」写了两次", usage)
            glued = word[len(key) :]
            if glued:
                values[key] = glued
            else:
                pending_key = key
            continue
        if word.startswith("@"):
            if partner is not None:
                raise ParseError("只能写一个 @对象", usage)
            partner = word[1:]
            if not partner:
                raise ParseError("@ 后面缺少名称", usage)
            if len(partner) > MAX_COUNTERPARTY_LENGTH:
                raise ParseError(f"@对象名称太长（最多 {MAX_COUNTERPARTY_LENGTH} 字）", usage)
            continue
        page_match = _PAGE.fullmatch(word)
        if page_match:
            page = int(page_match.group(1))
            if not 1 <= page <= MAX_PAGE:
                raise ParseError("页码超出范围", usage)
            continue
        words.append(word)
    if pending_key is not None:
        raise ParseError(f"「{pending_key}」后面缺少内容", usage)
    return Tokens(words, values, partner, page)


# ---- values ------------------------------------------------------------------------------

_QUANTITY = re.compile(r"(?P<number>[+-]?[0-9]+(?:\.[0-9]+)?)(?P<unit>[^\W\d_]{1,4})?")
_MONEY = re.compile(r"[¥$]?(?P<number>[+-]?[0-9]+(?:\.[0-9]+)?)(?:元|块)?")


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regexes admit only decimals
        raise ParseError(f"「{number}」不是数字") from exc


def parse_quantity(word: str, usage: str, what: str = "数量", *, allow_zero: bool = False) -> tuple[Decimal, str | None]:
    """``50``, ``50罐``, ``2.5kg`` → (quantity, unit or None). Positive, ≤ 3 decimals, bounded."""
    match = _QUANTITY.fullmatch(word)
    if match is None:
        raise ParseError(f"{what}「{word}」看不懂，应是数字，如 50 或 50罐", usage)
    number = match.group("number")
    integer_digits = len(number.lstrip("+-").split(".")[0].lstrip("0"))
    if integer_digits > len(str(int(MAX_QUANTITY))):
        raise ParseError(f"{what}太大（最多 {int(MAX_QUANTITY):,}）", usage)
    value = _decimal(number)
    if value < 0 or (value == 0 and not allow_zero):
        raise ParseError(f"{what}必须大于 0" if not allow_zero else f"{what}不能是负数", usage)
    if value > MAX_QUANTITY:
        raise ParseError(f"{what}太大（最多 {int(MAX_QUANTITY):,}）", usage)
    try:
        quantity = to_quantity(value)
    except ValueError:
        raise ParseError(f"{what}最多三位小数", usage) from None
    unit = match.group("unit")
    return quantity, unit.lower() if unit and unit.isascii() else unit


def parse_money(word: str, usage: str, what: str = "金额") -> Decimal:
    """``2.4``, ``2.40``, ``1000元``, ``¥3`` → yuan. ≥ 0, ≤ 2 decimals, bounded."""
    match = _MONEY.fullmatch(word)
    if match is None:
        raise ParseError(f"{what}「{word}」看不懂，应是数字，如 2.5", usage)
    number = match.group("number")
    if len(number.lstrip("+-").split(".")[0].lstrip("0")) > len(str(int(MAX_PRICE))):
        raise ParseError(f"{what}太大（最多 {int(MAX_PRICE):,} 元）", usage)
    value = _decimal(number)
    if value < 0:
        raise ParseError(f"{what}不能是负数", usage)
    if value > MAX_PRICE:
        raise ParseError(f"{what}太大（最多 {int(MAX_PRICE):,} 元）", usage)
    if value != value.quantize(Decimal("0.01")):
        raise ParseError(f"{what}最多两位小数（分）", usage)
    return to_money(value)


def parse_subject(word: str, usage: str) -> str:
    """A product as a booking names it: its code, or (faster entry) a Chinese name fragment;
    pinyin and barcode digits already have a code's shape. The services resolve it."""
    if any(ord(ch) > 0x2E80 for ch in word) and len(word) <= 32 and all(ch.isalnum() for ch in word):
        return word
    return parse_code(word, usage)


def parse_code(word: str, usage: str) -> str:
    code = normalise_code(word)
    if CODE_PATTERN.fullmatch(code) is None:
        raise ParseError(f"商品编码「{word[:40]}」不对：只能用字母、数字和 . _ -，最多 32 位", usage)
    return code


_FULL_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", re.ASCII)
_SHORT_DATE = re.compile(r"(\d{1,2})[-/.月](\d{1,2})日?", re.ASCII)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}


def parse_date(word: str, today: date, usage: str) -> date:
    """``2026-11-20``, ``11-20``, ``11月20日``, ``昨天``. A month-day later than today means last year."""
    if word in _RELATIVE_DAYS:
        return today - timedelta(days=_RELATIVE_DAYS[word])
    full = _FULL_DATE.fullmatch(word)
    short = _SHORT_DATE.fullmatch(word)
    try:
        if full:
            return date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        if short:
            day = date(today.year, int(short.group(1)), int(short.group(2)))
            return day if day <= today else day.replace(year=today.year - 1)
    except ValueError:
        raise ParseError(f"日期「{word}」不存在", usage) from None
    raise ParseError(f"日期「{word}」看不懂，应写成 11-20 或 2026-11-20", usage)


_DAYS = re.compile(r"(?:近|最近)?(\d{1,4})天", re.ASCII)
_RANGE = re.compile(r"(.+?)(?:~|至|到)(.+)")
_NAMED_PERIODS = {
    "今日": periods.today_period,
    "今天": periods.today_period,
    "本周": periods.this_week,
    "本月": periods.this_month,
    "上月": periods.last_month,
}


def parse_period(word: str, today: date, usage: str) -> Period:
    """``7天``, ``今日``, ``本周``, ``本月``, ``上月``, ``2026-11-01~2026-11-15``."""
    if word in _NAMED_PERIODS:
        return _NAMED_PERIODS[word](today)
    days = _DAYS.fullmatch(word)
    if days:
        count = int(days.group(1))
        if not 1 <= count <= MAX_PERIOD_DAYS:
            raise ParseError(f"天数应在 1 到 {MAX_PERIOD_DAYS} 之间", usage)
        return periods.last_days(today, count)
    span = _RANGE.fullmatch(word)
    if span:
        begin = parse_date(span.group(1), today, usage)
        end = parse_date(span.group(2), today, usage)
        if (end - begin).days + 1 > MAX_PERIOD_DAYS or end >= date.max:
            raise ParseError(f"时间段最长 {MAX_PERIOD_DAYS} 天", usage)
        try:
            period = periods.between(begin, end)
        except InvalidPeriodError:
            raise ParseError("时间段的开始应早于结束", usage) from None
        return period
    raise ParseError(f"时间「{word}」看不懂，可写 7天、本月、上月 或 2026-11-01~2026-11-15", usage)


def _is_period(word: str) -> bool:
    return word in _NAMED_PERIODS or bool(_DAYS.fullmatch(word)) or bool(_RANGE.fullmatch(word))


# ---- per-verb grammars -------------------------------------------------------------------


def _refuse_extras(tokens: Tokens, usage: str, *, keys: tuple[str, ...] = (), partner: bool = False, page: bool = False) -> None:
    extra_keys = [k for k in tokens.values if k not in keys]
    if extra_keys:
        raise ParseError(f"这个命令不用「{extra_keys[0]}」", usage)
    if tokens.partner is not None and not partner:
        raise ParseError(f"这个命令不用 @{tokens.partner}", usage)
    if tokens.page is not None and not page:
        raise ParseError("这个命令没有分页", usage)


def _parse_help(rest: str, today: date, verb: Verb) -> c.Command:
    topic = rest.strip() or None
    if topic is None:
        return c.ShowHelp()
    found = find_verb(topic) or (split_verb(topic) or (None, ""))[0]
    if found is None:
        raise ParseError(f"没有「{topic[:20]}」这个命令，发送「帮助」查看全部命令", verb.usage)
    return c.ShowHelp(found.name)


_PRODUCT_USAGES = {
    "新增": "商品 新增 <编码> <名称> [规格 …] [单位 …] [进价 …] [售价 …] [安全库存 …]",
    "修改": "商品 修改 <编码> <字段> <值>…（字段：名称 规格 单位 分类 条码 进价 售价 安全库存 最高库存；包装 箱=24罐；批次管理 是 保质期 180天）",
    "停用": "商品 停用 <编码>",
    "启用": "商品 启用 <编码>",
    "查询": "商品 <编码或名称>",
}
_SUB_VERB_CANON = {"新增": "新增", "添加": "新增", "新建": "新增", "修改": "修改", "改": "修改", "停用": "停用", "启用": "启用", "查询": "查询"}
_PRICE_FIELDS = {"purchase_price", "sale_price"}
_LEVEL_FIELDS = {"safety_stock", "max_stock"}


_PACK = re.compile(r"([^\W\d_]{1,8})=([0-9]+(?:\.[0-9]+)?)([^\W\d_]{1,8})?")


def _take_packs(tokens: Tokens, usage: str) -> tuple[tuple[str, Decimal], ...] | None:
    """``箱=24罐`` words (and ``包装 箱=24``, ``包装 无``): the product's packing units."""
    texts = [word for word in tokens.words[1:] if "=" in word]
    for word in texts:
        tokens.words.remove(word)
    if "包装" in tokens.values:
        given = tokens.values.pop("包装")
        if given in ("无", "没有", "-"):
            if texts:
                raise ParseError("包装写了「无」又写了包装单位", usage)
            return ()
        texts.append(given)
    if not texts:
        return None
    packs = []
    for text in texts:
        match = _PACK.fullmatch(text)
        if match is None:
            raise ParseError(f"包装「{text[:20]}」看不懂，应写成 箱=24罐", usage)
        factor = Decimal(match.group(2))
        if not Decimal(1) < factor <= Decimal(100_000) or factor != factor.quantize(Decimal("0.001")):
            raise ParseError(f"1 {match.group(1)} 应是大于 1 的数量（最多三位小数）", usage)
        packs.append((match.group(1).lower() if match.group(1).isascii() else match.group(1), to_quantity(factor)))
    return tuple(packs)


_YES_NO = {"是": True, "否": False, "开": True, "关": False}


def _shelf_life(raw: str, usage: str) -> int | None:
    """``180天``, ``6个月`` (30 days each), ``2年`` (365 days each), ``无`` → days."""
    if raw in ("无", "没有", "-"):
        return None
    match = re.fullmatch(r"(\d{1,4})(天|日|个月|月|年)?", raw)
    if match is None:
        raise ParseError(f"保质期「{raw[:20]}」看不懂，应写成 180天、6个月 或 2年", usage)
    number, unit = int(match.group(1)), match.group(2) or "天"
    days = number * (365 if unit == "年" else 30 if unit in ("个月", "月") else 1)
    if not 1 <= days <= 3650:
        raise ParseError("保质期应在 1 到 3650 天之间", usage)
    return days


def _product_fields(values: dict[str, str], usage: str) -> tuple[tuple[str, object], ...]:
    result: list[tuple[str, object]] = []
    for key, raw in values.items():
        name = EDITABLE_FIELDS[key]
        if name in _PRICE_FIELDS:
            result.append((name, parse_money(raw, usage, key)))
        elif name in _LEVEL_FIELDS:
            result.append((name, parse_quantity(raw, usage, key, allow_zero=True)[0]))
        elif name == "batch_managed":
            if raw not in _YES_NO:
                raise ParseError("批次管理只能写 是 或 否", usage)
            result.append((name, _YES_NO[raw]))
        elif name == "shelf_life_days":
            result.append((name, _shelf_life(raw, usage)))
        else:
            limit = 8 if name == "unit" else 60
            if len(raw) > limit:
                raise ParseError(f"{key}太长（最多 {limit} 字）", usage)
            result.append((name, raw.lower() if name == "unit" and raw.isascii() else raw))
    return tuple(result)


# ---- per-warehouse stock levels (valuation area) ----
_LEVELS_USAGE = "商品 修改 <编码> 安全库存 … [最高库存 …] 仓库 <仓库名>"


def _stock_levels(code: str, tokens: Tokens, pack_field: tuple[tuple[str, object], ...], usage: str) -> c.Command:
    """``商品 修改 A001 安全库存 20 最高库存 200 仓库 二仓``: the levels in one warehouse (``无`` clears)."""
    warehouse = _warehouse_name(tokens.values.pop("仓库"), _LEVELS_USAGE)
    other = [key for key in tokens.values if key not in ("安全库存", "最高库存")]
    if other or pack_field:
        raise ParseError(f"按仓库只能设置安全库存和最高库存，不能设置「{other[0] if other else '包装'}」", _LEVELS_USAGE)
    if not tokens.values:
        raise ParseError("要写安全库存或最高库存", _LEVELS_USAGE)
    fields: list[tuple[str, object]] = []
    for key, raw in tokens.values.items():
        value = None if raw in ("无", "-") else parse_quantity(raw, _LEVELS_USAGE, key, allow_zero=True)[0]
        fields.append((EDITABLE_FIELDS[key], value))
    return c.SetStockLevels(code, warehouse, tuple(fields))


def _parse_product(rest: str, today: date, verb: Verb) -> c.Command:
    sub = next((s for s in sorted(_SUB_VERB_CANON, key=len, reverse=True) if rest.startswith(s)), None)
    if sub is None or (len(rest) > len(sub) and not (rest[len(sub)] == " " or _GLUE_OK.match(rest[len(sub)]))):
        tokens = tokenise(rest, _PRODUCT_USAGES["查询"])
        _refuse_extras(tokens, _PRODUCT_USAGES["查询"], page=True)
        query = " ".join(tokens.words) or None
        if query is not None and len(query) > 32:
            raise ParseError("查询内容太长（最多 32 字）", _PRODUCT_USAGES["查询"])
        return c.FindProducts(query, tokens.page or 1)
    canon = _SUB_VERB_CANON[sub]
    usage = _PRODUCT_USAGES[canon]
    tokens = tokenise(rest[len(sub) :], usage)
    if canon == "查询":
        _refuse_extras(tokens, usage, page=True)
        query = " ".join(tokens.words) or None
        if query is not None and len(query) > 32:
            raise ParseError("查询内容太长（最多 32 字）", usage)
        return c.FindProducts(query, tokens.page or 1)
    field_keys = tuple(EDITABLE_FIELDS)
    if not tokens.words:
        raise ParseError("缺少商品编码", usage)
    code = parse_code(tokens.words[0], usage)
    packs = _take_packs(tokens, usage) if canon in ("新增", "修改") else None
    pack_field = (("packs", packs),) if packs is not None else ()
    if canon == "新增":
        _refuse_extras(tokens, usage, keys=field_keys)
        name_words = tokens.words[1:]
        if "名称" in tokens.values:
            if name_words:
                raise ParseError(f"名称写了两次：「{' '.join(name_words)}」和「{tokens.values['名称']}」", usage)
            name_words = [tokens.values["名称"]]
        name = " ".join(name_words)
        if not name:
            raise ParseError("缺少商品名称", usage)
        if len(name) > 60:
            raise ParseError("商品名称太长（最多 60 字）", usage)
        values = {k: v for k, v in tokens.values.items() if k != "名称"}
        return c.AddProduct(code, name, _product_fields(values, usage) + pack_field)
    if len(tokens.words) > 1:
        raise ParseError(f"多余的内容「{' '.join(tokens.words[1:])[:30]}」", usage)
    if canon == "修改":
        _refuse_extras(tokens, usage, keys=(*field_keys, "仓库"))
        if "仓库" in tokens.values:
            return _stock_levels(code, tokens, pack_field, usage)
        if not tokens.values and not pack_field:
            raise ParseError("没有要修改的字段", usage)
        return c.ChangeProduct(code, _product_fields(tokens.values, usage) + pack_field)
    _refuse_extras(tokens, usage)
    return c.SetProductActive(code, canon == "启用")


def _parse_movement(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    tokens = tokenise(rest, usage)
    batch_keys = ("批次", "有效期", "生产日期") if verb.name == "入库" else ("批次",)
    _refuse_extras(tokens, usage, keys=("单价", "备注", "日期", "仓库", *batch_keys), partner=True)
    confirmed = _take_confirm(tokens)
    cash = verb.name == "出库" and CASH_WORD in tokens.words
    if cash:
        tokens.words.remove(CASH_WORD)
        if tokens.partner is None or "单价" not in tokens.values:
            raise ParseError("「现款」要和 @客户 和 单价 一起写", usage)
        confirmed = confirmed or _take_confirm(tokens)
    if not tokens.words:
        raise ParseError("缺少商品编码和数量", usage)
    code = parse_subject(tokens.words[0], usage)
    if len(tokens.words) < 2:
        raise ParseError("缺少数量", usage)
    if len(tokens.words) > 2:
        raise ParseError(f"多余的内容「{' '.join(tokens.words[2:])[:30]}」", usage)
    quantity, unit = parse_quantity(tokens.words[1], usage)
    unit_price = parse_money(tokens.values["单价"], usage, "单价") if "单价" in tokens.values else None
    note = tokens.values.get("备注", "")
    if len(note) > MAX_NOTE_LENGTH:
        raise ParseError(f"备注太长（最多 {MAX_NOTE_LENGTH} 字）", usage)
    occurred_on = parse_date(tokens.values["日期"], today, usage) if "日期" in tokens.values else None
    warehouse = _warehouse_name(tokens.values["仓库"], usage) if "仓库" in tokens.values else None
    batch = _batch_code(tokens.values["批次"], usage) if "批次" in tokens.values else None
    expires_on = _batch_date(tokens.values, "有效期", usage)
    produced_on = _batch_date(tokens.values, "生产日期", usage)
    if expires_on is not None and produced_on is not None:
        raise ParseError("有效期和生产日期只写一个（生产日期按保质期推算有效期）", usage)
    fields = (code, quantity, unit, unit_price, tokens.partner or "", note, occurred_on, warehouse, confirmed, batch, expires_on, produced_on)
    if verb.name == "入库":
        return c.ReceiveStock(*fields)
    return c.IssueStock(*fields, cash=cash)


# ---- batches ----
_BATCH_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,29}")
_ISO_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", re.ASCII)


def _batch_code(word: str, usage: str) -> str:
    if _BATCH_CODE.fullmatch(word) is None:
        raise ParseError(f"批次号「{word[:30]}」不对：字母、数字和 . _ / -，最多 30 位", usage)
    return word.upper()


def _batch_date(values: dict[str, str], key: str, usage: str) -> date | None:
    """有效期 / 生产日期 as a full date (2027-03-01): a month-day alone would be ambiguous."""
    if key not in values:
        return None
    match = _ISO_DATE.fullmatch(values[key])
    if match is None:
        raise ParseError(f"{key}「{values[key][:20]}」要写完整日期，如 2027-03-01", usage)
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ParseError(f"{key}「{values[key]}」不存在", usage) from None


def _parse_stock(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, page=True)
    if len(tokens.words) > 1:
        raise ParseError(f"多余的内容「{' '.join(tokens.words[1:])[:30]}」", verb.usage)
    query = tokens.words[0] if tokens.words else None
    if query is not None and len(query) > 32:
        raise ParseError("查询内容太长（最多 32 字）", verb.usage)
    return c.ShowStock(query, tokens.page or 1)


def _parse_ledger(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, page=True)
    if not tokens.words:
        raise ParseError("缺少商品编码", verb.usage)
    query = tokens.words[0]
    if len(query) > 32:
        raise ParseError("查询内容太长（最多 32 字）", verb.usage)
    period = None
    for word in tokens.words[1:]:
        if period is not None or not _is_period(word):
            if period is None and word[0].isdigit():
                period = parse_period(word, today, verb.usage)  # raises the precise reason
                continue
            raise ParseError(f"多余的内容「{word[:30]}」", verb.usage)
        period = parse_period(word, today, verb.usage)
    return c.ShowLedger(query, period, tokens.page or 1)


_ARROW = re.compile(r"\s*(?:→|->|=>|＞|>|到|至)\s*")


def _parse_transfer(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    note_at = _REST_OF_LINE.search(rest)
    head, tail = (rest[: note_at.start()], rest[note_at.start() :]) if note_at else (rest, "")
    # Only the route is rewritten: 备注 送到门店 keeps its 到.
    tokens = tokenise(_ARROW.sub(" → ", head) + " " + tail, usage)
    _refuse_extras(tokens, usage, keys=("备注",))
    confirmed = _take_confirm(tokens)
    words = tokens.words
    if not words:
        raise ParseError("缺少商品编码、数量和仓库", usage)
    code = parse_subject(words[0], usage)
    if len(words) < 2:
        raise ParseError("缺少数量", usage)
    quantity, unit = parse_quantity(words[1], usage)
    route = words[2:]
    if len(route) != 3 or route[1] != "→":
        raise ParseError("要写明从哪个仓库到哪个仓库，如 主仓→二仓", usage)
    source, target = _warehouse_name(route[0], usage), _warehouse_name(route[2], usage)
    note = tokens.values.get("备注", "")
    if len(note) > MAX_NOTE_LENGTH:
        raise ParseError(f"备注太长（最多 {MAX_NOTE_LENGTH} 字）", usage)
    return c.TransferStock(code, quantity, source, target, unit, note, confirmed)


_REASON_TAIL = re.compile(r"(?P<reason>.*?)(?:\s+仓库\s*(?P<warehouse>\S+))?(?:\s+批次\s*(?P<batch>\S+))?(?:\s+(?P<confirm>确认))?")


def _parse_scrap(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    tokens = tokenise(rest, usage)
    _refuse_extras(tokens, usage, keys=("原因", "仓库", "批次"))
    confirmed = _take_confirm(tokens)
    if not tokens.words:
        raise ParseError("缺少商品编码和数量", usage)
    code = parse_subject(tokens.words[0], usage)
    if len(tokens.words) < 2:
        raise ParseError("缺少数量", usage)
    _no_more(tokens.words[2:], usage)
    quantity, unit = parse_quantity(tokens.words[1], usage)
    reason = tokens.values.get("原因", "")
    # 原因 takes the rest of the line; a 仓库 … or 确认 written after it still count as such.
    trailing = _REASON_TAIL.fullmatch(reason)
    if trailing is not None:
        reason = trailing.group("reason")
        if trailing.group("warehouse"):
            if "仓库" in tokens.values:
                raise ParseError("「仓库」写了两次", usage)
            tokens.values["仓库"] = trailing.group("warehouse")
        if trailing.group("batch"):
            if "批次" in tokens.values:
                raise ParseError("「批次」写了两次", usage)
            tokens.values["批次"] = trailing.group("batch")
        confirmed = confirmed or bool(trailing.group("confirm"))
    if not reason:
        raise ParseError("请写报损原因，如 原因 破损", usage)
    if len(reason) > MAX_NOTE_LENGTH:
        raise ParseError(f"原因太长（最多 {MAX_NOTE_LENGTH} 字）", usage)
    warehouse = _warehouse_name(tokens.values["仓库"], usage) if "仓库" in tokens.values else None
    batch = _batch_code(tokens.values["批次"], usage) if "批次" in tokens.values else None
    return c.ScrapStock(code, quantity, reason, unit, warehouse, confirmed, batch)


_STOCKTAKE_USAGES = {
    "开始": "盘点 开始 [仓库名]",
    "差异": "盘点 差异 [仓库 …]",
    "确认": "盘点 确认 [仓库 …]",
    "取消": "盘点 取消 [仓库 …]",
    "录入": "盘点 <编码> <实盘数量> [仓库 …]",
}


def _parse_stocktake(rest: str, today: date, verb: Verb) -> c.Command:
    sub = next((s for s in ("开始", "差异", "确认", "取消") if rest.startswith(s)), None)
    usage = _STOCKTAKE_USAGES[sub or "录入"]
    tokens = tokenise(rest[len(sub) :] if sub else rest, usage)
    _refuse_extras(tokens, usage, keys=("仓库",), page=sub in (None, "差异"))
    warehouse = _warehouse_name(tokens.values["仓库"], usage) if "仓库" in tokens.values else None
    if sub == "开始":
        # 盘点 开始 二仓 and 盘点 开始 仓库 二仓 both name the warehouse.
        if tokens.words:
            if warehouse is not None or len(tokens.words) > 1:
                raise ParseError(f"多余的内容「{' '.join(tokens.words)[:30]}」", usage)
            warehouse = _warehouse_name(tokens.words[0], usage)
        return c.StartStocktake(warehouse)
    if sub == "确认":
        confirmed = _take_confirm(tokens)
        _no_more(tokens.words, usage)
        return c.ConfirmStocktake(warehouse, confirmed)
    if sub in ("差异", "取消"):
        _no_more(tokens.words, usage)
        return c.ShowStocktake(warehouse, tokens.page or 1) if sub == "差异" else c.CancelStocktake(warehouse)
    if not tokens.words:
        return c.ShowStocktake(warehouse, tokens.page or 1)
    if tokens.page is not None:
        raise ParseError("这个命令没有分页", usage)
    code = parse_subject(tokens.words[0], usage)
    if len(tokens.words) < 2:
        raise ParseError("缺少实盘数量", usage)
    _no_more(tokens.words[2:], usage)
    quantity, unit = parse_quantity(tokens.words[1], usage, "实盘数量", allow_zero=True)
    return c.CountStock(code, quantity, unit, warehouse)


_SHARES = re.compile(r"(\d{1,2})/(\d{1,2})", re.ASCII)
MAX_ANALYSIS_DAYS = 730


def _days(word: str, usage: str, example: int) -> int:
    match = _DAYS.fullmatch(word)
    if match is None:
        raise ParseError(f"「{word[:20]}」看不懂，天数写成 {example}天", usage)
    days = int(match.group(1))
    if not 1 <= days <= MAX_ANALYSIS_DAYS:
        raise ParseError(f"天数应在 1 到 {MAX_ANALYSIS_DAYS} 之间", usage)
    return days


def _parse_analysis(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    tokens = tokenise(rest, usage)
    _refuse_extras(tokens, usage)
    words = tokens.words
    if not words or words[0].upper() != "ABC":
        raise ParseError("现在能做的分析是 ABC", usage)
    days, days_given, a_share, b_share = 90, False, None, None
    for word in words[1:]:
        shares = _SHARES.fullmatch(word)
        if shares and a_share is None:
            a, b = int(shares.group(1)), int(shares.group(2))
            if not (0 < a and 0 < b and a + b < 100):
                raise ParseError("A、B 的百分比都要大于 0，合计小于 100，如 80/15", usage)
            a_share, b_share = Decimal(a) / 100, Decimal(b) / 100
        elif _DAYS.fullmatch(word) and not days_given:
            days, days_given = _days(word, usage, 90), True
        else:
            raise ParseError(f"多余的内容「{word[:30]}」", usage)
    return c.AnalyseAbc(days, a_share, b_share)


def _parse_replenishment(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    if not tokens.words:
        return c.SuggestReplenishment()
    _no_more(tokens.words[1:], verb.usage)
    return c.SuggestReplenishment(_days(tokens.words[0], verb.usage, 30))


_PARTNER_KEYS = ("联系人", "电话", "账期", "信用额度")
_TERMS = re.compile(r"([0-9]{1,3})天?", re.ASCII)


def _partner_fields(values: dict[str, str], usage: str) -> tuple[tuple[str, object], ...]:
    fields: list[tuple[str, object]] = []
    for key, raw in values.items():
        if key == "账期":
            match = _TERMS.fullmatch(raw)
            if match is None or int(match.group(1)) > 365:
                raise ParseError(f"账期「{raw[:20]}」看不懂，写成 30天（0–365）", usage)
            fields.append(("terms_days", int(match.group(1))))
        elif key == "信用额度":
            fields.append(("credit_limit", parse_money(raw, usage, "信用额度")))
        elif key == "交期":  # a supplier's lead time, for 补货建议
            match = _TERMS.fullmatch(raw)
            if match is None or int(match.group(1)) > 365:
                raise ParseError(f"交期「{raw[:20]}」看不懂，写成 7天（0–365）", usage)
            fields.append(("lead_days", int(match.group(1))))
        elif key == "电话":
            if not re.fullmatch(r"\+?[0-9][0-9-]{4,19}", raw):
                raise ParseError(f"电话「{raw[:20]}」不对：只能是数字（可带 + 和 -），5–20 位", usage)
            fields.append(("phone", raw))
        else:
            if len(raw) > 30:
                raise ParseError("联系人太长（最多 30 字）", usage)
            fields.append(("contact", raw))
    return tuple(fields)


def _parse_partner(rest: str, today: date, verb: Verb) -> c.Command:
    kind = verb.name
    sub = next((s for s in ("新增", "修改") if rest.startswith(s)), None)
    if sub is None:
        usage = f"{kind} [名称]"
        tokens = tokenise(rest, usage)
        _refuse_extras(tokens, usage, page=True)
        query = " ".join(tokens.words) or None
        if query is not None and len(query) > 30:
            raise ParseError("名称太长（最多 30 字）", usage)
        return c.FindPartners(kind, query, tokens.page or 1)
    usage = verb.usage if sub == "新增" else f"{kind} 修改 <名称> <字段> <值>…（字段：{' '.join(_PARTNER_KEYS)}）"
    tokens = tokenise(rest[len(sub) :], usage)
    keys = _PARTNER_KEYS if kind == "客户" else (*_PARTNER_KEYS[:3], "交期")
    _refuse_extras(tokens, usage, keys=keys)
    if not tokens.words:
        raise ParseError(f"缺少{kind}名称", usage)
    name = " ".join(tokens.words)
    if len(name) > 30:
        raise ParseError("名称太长（最多 30 字）", usage)
    fields = _partner_fields(tokens.values, usage)
    if sub == "新增":
        return c.AddPartner(kind, name, fields)
    if not fields:
        raise ParseError("没有要修改的字段", usage)
    return c.ChangePartner(kind, name, fields)


CONFIRM_WORD = "确认"
CASH_WORD = "现款"  # 出库 … 现款: the customer paid at once
MAX_NAME_LENGTH = 30


def _take_confirm(tokens: Tokens) -> bool:
    """A trailing 确认 answers "are you sure?" in advance (what a confirm button sends)."""
    if tokens.words and tokens.words[-1] == CONFIRM_WORD:
        tokens.words.pop()
        return True
    return False


def _warehouse_name(word: str, usage: str) -> str:
    if len(word) > MAX_NAME_LENGTH:
        raise ParseError(f"仓库名称太长（最多 {MAX_NAME_LENGTH} 字）", usage)
    return word


def _no_more(words: list[str], usage: str) -> None:
    if words:
        raise ParseError(f"多余的内容「{' '.join(words)[:30]}」", usage)


def _parse_warehouse(rest: str, today: date, verb: Verb) -> c.Command:
    if rest.startswith("新增"):
        usage = "仓库 新增 <名称>"
        tokens = tokenise(rest[2:], usage)
        _refuse_extras(tokens, usage)
        if not tokens.words:
            raise ParseError("缺少仓库名称", usage)
        _no_more(tokens.words[1:], usage)
        return c.AddWarehouse(_warehouse_name(tokens.words[0], usage))
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    _no_more(tokens.words, verb.usage)
    return c.ListWarehouses()


def _parse_create_workspace(rest: str, today: date, verb: Verb) -> c.Command:
    name = rest.strip()
    if not name:
        raise ParseError("缺少账套名称", verb.usage)
    if len(name) > MAX_NAME_LENGTH:
        raise ParseError(f"账套名称太长（最多 {MAX_NAME_LENGTH} 字）", verb.usage)
    if "@" in name or "<" in name or ">" in name:
        raise ParseError("账套名称不能包含 @ < >", verb.usage)
    return c.CreateWorkspace(name)


def _parse_bind(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    if not tokens.words:
        raise ParseError("缺少账套编号（老板在私聊发送「成员」可看到）", verb.usage)
    _no_more(tokens.words[1:], verb.usage)
    word = tokens.words[0].removeprefix("#")
    if not word.isdigit() or not word.isascii() or len(word) > 12 or int(word) == 0:
        raise ParseError(f"账套编号「{word[:20]}」不对，应是数字", verb.usage)
    return c.BindChat(int(word))


def _parse_no_arguments(command: type) -> object:
    def grammar(rest: str, today: date, verb: Verb) -> c.Command:
        tokens = tokenise(rest, verb.usage)
        _refuse_extras(tokens, verb.usage)
        _no_more(tokens.words, verb.usage)
        return command()

    return grammar


_ROLE_NAMES = {role.value: role for role in Role}


def _role(word: str, usage: str) -> str:
    if word not in _ROLE_NAMES:
        raise ParseError(f"没有「{word[:10]}」这个角色，可选：{' '.join(_ROLE_NAMES)}", usage)
    return word


def _parse_invite(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    if not tokens.words:
        raise ParseError("缺少角色", verb.usage)
    _no_more(tokens.words[1:], verb.usage)
    return c.Invite(_role(tokens.words[0], verb.usage))


_INVITATION_CODE = re.compile(r"[0-9]{1,12}-[0-9A-Z]{8}", re.ASCII)


def _parse_join(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    if not tokens.words:
        raise ParseError("缺少邀请码", verb.usage)
    _no_more(tokens.words[1:], verb.usage)
    code = tokens.words[0].upper()
    if _INVITATION_CODE.fullmatch(code) is None or invitation_workspace(code) is None:
        raise ParseError(f"邀请码「{tokens.words[0][:24]}」格式不对，应像 3-K7FQ9XPM", verb.usage)
    return c.JoinWorkspace(code)


_MEMBER_USAGES = {
    "设置": "成员 设置 @成员 <角色>",
    "移除": "成员 移除 @成员",
    "仓库": "成员 仓库 @成员 <仓库…|全部>",
}


def _parse_members(rest: str, today: date, verb: Verb) -> c.Command:
    sub = next((s for s in _MEMBER_USAGES if rest.startswith(s)), None)
    if sub is None:
        tokens = tokenise(rest, verb.usage)
        _refuse_extras(tokens, verb.usage, page=True)
        _no_more(tokens.words, verb.usage)
        return c.ListMembers(tokens.page or 1)
    usage = _MEMBER_USAGES[sub]
    tokens = tokenise(rest[len(sub) :], usage)
    _refuse_extras(tokens, usage, partner=True)
    if tokens.partner is None:
        raise ParseError("缺少 @成员（写用户名或名字）", usage)
    if sub == "设置":
        if not tokens.words:
            raise ParseError("缺少角色", usage)
        _no_more(tokens.words[1:], usage)
        return c.SetMemberRole(tokens.partner, _role(tokens.words[0], usage))
    if sub == "移除":
        _no_more(tokens.words, usage)
        return c.RemoveMember(tokens.partner)
    if not tokens.words:
        raise ParseError("缺少仓库名称（或写「全部」）", usage)
    if tokens.words == ["全部"]:
        return c.LimitMemberWarehouses(tokens.partner, ())
    names = tuple(dict.fromkeys(_warehouse_name(word, usage) for word in tokens.words))
    if len(names) > 20:
        raise ParseError("仓库太多（最多 20 个）", usage)
    return c.LimitMemberWarehouses(tokens.partner, names)


def _day_or_period(word: str, today: date, usage: str) -> Period:
    """``今天``/``昨天`` as one day, else a period (``7天``, ``本月`` …)."""
    if word in _RELATIVE_DAYS:
        day = parse_date(word, today, usage)
        return replace(periods.between(day, day), label=word)
    return parse_period(word, today, usage)


def _parse_audit(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, partner=True, page=True)
    code = period = None
    for word in tokens.words:
        if _is_period(word) or word in _RELATIVE_DAYS:
            if period is not None:
                raise ParseError(f"多余的内容「{word[:30]}」", verb.usage)
            period = _day_or_period(word, today, verb.usage)
        elif code is None:
            code = parse_code(word, verb.usage)
        else:
            raise ParseError(f"多余的内容「{word[:30]}」", verb.usage)
    return c.ShowAudit(code, tokens.partner, period, tokens.page or 1)


_DOCUMENT_NUMBER = re.compile(r"([A-Z]{2,3})-?(\d{4})-?(\d{4,8})", re.ASCII)


def parse_document_number(word: str, usage: str) -> str:
    """``RK-2026-0003``, ``rk20260003`` or ``/RK_2026_0003`` → ``RK-2026-0003``."""
    text = word.removeprefix("/").replace("_", "-").upper()
    match = _DOCUMENT_NUMBER.fullmatch(text)
    if match is None:
        raise ParseError(f"单号「{word[:30]}」看不懂，应像 RK-2026-0003", usage)
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"


def _parse_undo(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    confirmed = _take_confirm(tokens)
    if not tokens.words:
        return c.Undo(None, confirmed)
    _no_more(tokens.words[1:], verb.usage)
    word = tokens.words[0]
    if word.startswith("#"):
        if not word[1:].isdigit() or not word[1:].isascii() or len(word) > 13:
            raise ParseError(f"操作编号「{word[:20]}」不对，应像 #12", verb.usage)
        return c.Undo(f"#{int(word[1:])}", confirmed)
    return c.Undo(parse_document_number(word, verb.usage), confirmed)


_VALUATION_WORDS = {
    "FIFO": "fifo",
    "先进先出": "fifo",
    "移动平均": "moving_average",
    "移动加权平均": "moving_average",
}


def _parse_settings(rest: str, today: date, verb: Verb) -> c.Command:
    if rest.startswith("预警"):
        return _parse_alert_settings(rest[len("预警") :])
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    words = tokens.words
    if words[:1] == ["负库存"]:
        if len(words) == 2 and words[1] in ("允许", "禁止", "不允许"):
            return c.SetNegativeStock(words[1] == "允许")
        raise ParseError("负库存的设置只有：允许 / 禁止", "设置 负库存 允许|禁止")
    if words[:1] == ["税率"]:
        return c.SetTaxRate(_tax_rate(words[1:], verb.usage))
    # ---- valuation ----
    if words[:1] == ["计价"]:
        method = _VALUATION_WORDS.get(words[1].upper()) if len(words) == 2 else None
        if method is None:
            raise ParseError("计价方法只有：先进先出（FIFO）/ 移动平均", "设置 计价 先进先出|移动平均")
        return c.SetValuationMethod(method)
    if words[:1] != ["本群"]:
        return c.NotYetAvailable(verb.name)
    if len(words) == 3 and words[1] in ("可见", "隐藏") and words[2] in ("成本", "敏感信息"):
        return c.SetChatVisibility(words[1] == "可见")
    raise ParseError("本群的设置只有：可见 成本 / 隐藏 成本", verb.usage)


# ---- documents (进 · 销 · 财) -------------------------------------------------------------

TAX_USAGE = "设置 税率 13%（或 设置 税率 无）"
_PERCENT = re.compile(r"([0-9]{1,2}(?:\.[0-9]{1,2})?)%", re.ASCII)


def _tax_rate(words: list[str], usage: str) -> Decimal | None:
    """``13%`` → 0.13; ``无``/``0`` → None (no tax shown)."""
    if len(words) != 1:
        raise ParseError("税率写一个百分数，如 13%", TAX_USAGE)
    if words[0] in ("无", "不含", "0", "0%"):
        return None
    match = _PERCENT.fullmatch(words[0])
    if match is None:
        raise ParseError(f"税率「{words[0][:20]}」看不懂，应写成 13%、9% 或 无", TAX_USAGE)
    rate = Decimal(match.group(1)) / 100
    if rate <= 0:
        return None
    return rate.normalize()

_LINE_KEYS = ("单价", "合格")
_LINE_BATCH_FIELDS = {"批次": "batch", "有效期": "expires_on", "生产日期": "produced_on"}
_FEE_KEYS = ("运费", "关税", "其他费用")
_ACCOUNTS = ("现金", "银行", "微信", "支付宝")
_DISCOUNT = re.compile(r"(?:(\d{1,2})(?:\.(\d))?折|(0?\.\d{1,3})|(\d{1,2})%)", re.ASCII)
_DOCUMENT_WORD = re.compile(r"/?[A-Za-z]{2,3}[-_]?\d{4}[-_]?\d{4,8}", re.ASCII)
MAX_ORDER_LINES = 50


@dataclass
class DocumentWords:
    """A document command read left to right: lines (code, quantity, their 单价/合格) and the
    header (@partner, numbers, keys such as 交期, 运费, 快递), so every 单价 stays with its line."""

    partner: str | None = None
    numbers: list[str] = field(default_factory=list)
    lines: list[c.LineInput] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)  # what is neither a line nor a key
    note: str = ""
    confirmed: bool = False
    page: int | None = None


def _document_words(rest: str, usage: str, header_keys: tuple[str, ...], *, lines: bool = True, line_keys: tuple[str, ...] = ("单价",)) -> DocumentWords:
    found = DocumentWords()
    tail = re.search(r"(?:^|(?<=\s))备注", rest)
    if tail is not None:
        found.note = rest[tail.end() :].strip(" :")
        if not found.note:
            raise ParseError("「备注」后面缺少内容", usage)
        if len(found.note) > MAX_NOTE_LENGTH:
            raise ParseError(f"备注太长（最多 {MAX_NOTE_LENGTH} 字）", usage)
        rest = rest[: tail.start()]
    rest = _THOUSANDS.sub("", rest)
    rest = re.sub(r"[,;:]", " ", rest)
    keys = sorted(header_keys + line_keys, key=len, reverse=True)
    words = rest.split()
    pending_code: str | None = None
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        key = next((k for k in keys if word.startswith(k)), None)
        if key is not None:
            value = word[len(key) :]
            if not value:
                if index >= len(words):
                    raise ParseError(f"「{key}」后面缺少内容", usage)
                value = words[index]
                index += 1
            if key in line_keys:
                if not found.lines or pending_code is not None:
                    raise ParseError(f"「{key}」要写在商品编码和数量后面", usage)
                line = found.lines[-1]
                if key == "单价":
                    if line.unit_price is not None:
                        raise ParseError(f"{line.code} 的单价写了两次", usage)
                    found.lines[-1] = replace(line, unit_price=parse_money(value, usage, "单价"))
                elif key == "合格":
                    if line.accepted is not None:
                        raise ParseError(f"{line.code} 的合格数量写了两次", usage)
                    accepted, _ = parse_quantity(value, usage, "合格数量", allow_zero=True)
                    found.lines[-1] = replace(line, accepted=accepted)
                else:
                    field_name = _LINE_BATCH_FIELDS[key]
                    if getattr(line, field_name) is not None:
                        raise ParseError(f"{line.code} 的{key}写了两次", usage)
                    parsed = _batch_code(value, usage) if key == "批次" else _batch_date({key: value}, key, usage)
                    found.lines[-1] = replace(line, **{field_name: parsed})
                continue
            if key in found.header:
                raise ParseError(f"「{key}」写了两次", usage)
            found.header[key] = value
            continue
        if word == CONFIRM_WORD:
            found.confirmed = True
            continue
        if word.startswith("@"):
            if found.partner is not None:
                raise ParseError("只能写一个 @对象", usage)
            found.partner = word[1:]
            if not found.partner:
                raise ParseError("@ 后面缺少名称", usage)
            if len(found.partner) > MAX_COUNTERPARTY_LENGTH:
                raise ParseError(f"@对象名称太长（最多 {MAX_COUNTERPARTY_LENGTH} 字）", usage)
            continue
        page_match = _PAGE.fullmatch(word)
        if page_match:
            found.page = int(page_match.group(1))
            if not 1 <= found.page <= MAX_PAGE:
                raise ParseError("页码超出范围", usage)
            continue
        if _DOCUMENT_WORD.fullmatch(word) and pending_code is None:
            found.numbers.append(parse_document_number(word, usage))
            continue
        if lines and pending_code is not None:
            quantity, unit = parse_quantity(word, usage)
            found.lines.append(c.LineInput(pending_code, quantity, unit))
            if len(found.lines) > MAX_ORDER_LINES:
                raise ParseError(f"一张单据最多 {MAX_ORDER_LINES} 行", usage)
            pending_code = None
            continue
        # A code may start with a digit (6901…) when a quantity follows it; a lone number is no code.
        digit_code = index < len(words) and _QUANTITY.fullmatch(words[index]) is not None
        if lines and CODE_PATTERN.fullmatch(normalise_code(word)) and (not word[0].isdigit() or digit_code) and word not in _ACCOUNTS:
            pending_code = parse_code(word, usage)
            continue
        found.words.append(word)
    if pending_code is not None:
        raise ParseError(f"{pending_code} 缺少数量", usage)
    return found


def _one_number(found: DocumentWords, usage: str, prefixes: tuple[str, ...], what: str) -> str:
    if not found.numbers:
        raise ParseError(f"缺少{what}单号", usage)
    if len(found.numbers) > 1:
        raise ParseError("只能写一个单号", usage)
    number = found.numbers[0]
    if number.split("-")[0] not in prefixes:
        raise ParseError(f"{number} 不是{what}单号（应以 {' 或 '.join(prefixes)} 开头）", usage)
    return number


def _no_words(found: DocumentWords, usage: str) -> None:
    if found.words:
        raise ParseError(f"看不懂「{' '.join(found.words)[:30]}」", usage)


def _parse_discount(word: str, usage: str) -> Decimal:
    """``9折`` → 0.9, ``8.5折`` → 0.85, ``0.9`` → 0.9, ``90%`` → 0.9."""
    match = _DISCOUNT.fullmatch(word)
    if match is None:
        raise ParseError(f"折扣「{word[:20]}」看不懂，应写成 9折、8.5折 或 0.9", usage)
    whole, tenth, fraction, percent = match.groups()
    if whole is not None:
        # 9折 = 0.9, 95折 = 0.95; but 10折 is the full price (1.0, refused below), not 0.10
        value = Decimal(whole) / (10 if len(whole) == 1 or whole == "10" else 100) + (Decimal(tenth) / 100 if tenth else 0)
    elif fraction is not None:
        value = Decimal(fraction)
    else:
        value = Decimal(percent) / 100
    if not Decimal("0.01") <= value < 1:
        raise ParseError("折扣应在 0.01 到 0.99 之间（如 9折）", usage)
    return value.normalize()


def _parse_order(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    purchase = verb.name == "采购"
    found = _document_words(rest, usage, ("交期", "仓库") if purchase else ("折扣", "仓库"))
    _no_words(found, usage)
    if found.numbers:
        raise ParseError(f"新建{'采购' if purchase else '销售'}单不用写单号「{found.numbers[0]}」", usage)
    if found.partner is None:
        raise ParseError(f"缺少 @{'供应商' if purchase else '客户'}", usage)
    if not found.lines:
        raise ParseError("缺少商品编码和数量", usage)
    warehouse = _warehouse_name(found.header["仓库"], usage) if "仓库" in found.header else None
    if purchase:
        if found.confirmed:
            raise ParseError("采购单不用「确认」", usage)
        due = parse_future_date(found.header["交期"], today, usage) if "交期" in found.header else None
        return c.CreatePurchaseOrder(found.partner, tuple(found.lines), due, warehouse, found.note)
    discount = _parse_discount(found.header["折扣"], usage) if "折扣" in found.header else None
    return c.CreateSalesOrder(found.partner, tuple(found.lines), discount, warehouse, found.note, found.confirmed)


def parse_future_date(word: str, today: date, usage: str) -> date:
    """A delivery date (交期): ``12-01`` means the next 12-01 from today, not the last one."""
    short = _SHORT_DATE.fullmatch(word)
    if short and not _FULL_DATE.fullmatch(word):
        try:
            day = date(today.year, int(short.group(1)), int(short.group(2)))
        except ValueError:
            raise ParseError(f"日期「{word}」不存在", usage) from None
        return day if day >= today else day.replace(year=today.year + 1)
    return parse_date(word, today, usage)


def _parse_order_list(rest: str, today: date, verb: Verb) -> c.Command:
    found = _document_words(rest, verb.usage, (), lines=False)
    _no_words(found, verb.usage)
    if found.partner is not None or found.confirmed or found.note:
        raise ParseError("这个命令只需要单号", verb.usage)
    prefix = "PO" if verb.name == "采购单" else "SO"
    number = _one_number(found, verb.usage, (prefix,), verb.name[:2]) if found.numbers else None
    return c.ShowOrders(verb.name, number, found.page or 1)


def _parse_order_action(rest: str, today: date, verb: Verb) -> c.Command:
    found = _document_words(rest, verb.usage, (), lines=False)
    _no_words(found, verb.usage)
    if found.partner is not None or found.page is not None or found.note or found.confirmed:
        raise ParseError("这个命令只需要单号", verb.usage)
    if verb.name == "审核":
        return c.ApproveOrder(_one_number(found, verb.usage, ("PO",), "采购"))
    number = _one_number(found, verb.usage, ("PO", "SO"), "采购或销售")
    return c.CloseOrder(number, "采购单" if number.startswith("PO") else "销售单")


def _parse_delivery(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    receiving = verb.name == "到货"
    found = _document_words(
        rest, usage, _FEE_KEYS if receiving else ("快递",),
        line_keys=("合格", *_LINE_BATCH_FIELDS) if receiving else (),
    )
    _no_words(found, usage)
    if found.partner is not None or found.page is not None or found.note:
        raise ParseError(f"{verb.name} 只写单号、商品数量{'、合格数量和费用' if receiving else '和快递单号'}", usage)
    if receiving:
        number = _one_number(found, usage, ("PO",), "采购")
        fees = tuple((key, parse_money(found.header[key], usage, key)) for key in _FEE_KEYS if key in found.header)
        if any(amount < 0 for _, amount in fees):
            raise ParseError("费用不能是负数", usage)
        if any(line.expires_on is not None and line.produced_on is not None for line in found.lines):
            raise ParseError("有效期和生产日期只写一个（生产日期按保质期推算有效期）", usage)
        return c.ReceiveOrder(number, tuple(found.lines), fees, found.confirmed)
    number = _one_number(found, usage, ("SO",), "销售")
    tracking = found.header.get("快递", "")
    if len(tracking) > 40:
        raise ParseError("快递单号太长（最多 40 位）", usage)
    return c.ShipOrder(number, tuple(found.lines), tracking, found.confirmed)


def _parse_return(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    found = _document_words(rest, usage, ())
    kind = None
    if found.words and found.words[0] in ("供应商", "客户"):
        kind = found.words.pop(0)
    _no_words(found, usage)
    if found.partner is None:
        raise ParseError("缺少 @供应商 或 @客户", usage)
    if len(found.lines) != 1:
        raise ParseError("退货一次写一个商品和数量" if found.lines else "缺少商品编码和数量", usage)
    if found.confirmed or found.page is not None:
        raise ParseError("多余的内容", usage)
    if len(found.numbers) > 1:
        raise ParseError("只能写一个单号", usage)
    line = found.lines[0]
    if line.unit_price is not None:
        raise ParseError("退货不用写单价：按原单价退", usage)
    number = found.numbers[0] if found.numbers else None
    return c.ReturnGoods(found.partner, line.code, line.quantity, line.unit, number, kind, found.note)


def _parse_payment(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    found = _document_words(rest, usage, (), lines=False)
    if found.partner is None:
        raise ParseError(f"缺少 @{'客户' if verb.name == '收款' else '供应商'}", usage)
    accounts = [w for w in found.words if w in _ACCOUNTS]
    amounts = [w for w in found.words if w not in _ACCOUNTS]
    if len(accounts) > 1:
        raise ParseError("只能写一个账户（现金、银行、微信、支付宝）", usage)
    if not amounts:
        raise ParseError("缺少金额", usage)
    if len(amounts) > 1:
        raise ParseError(f"看不懂「{' '.join(amounts[1:])[:30]}」", usage)
    amount = parse_money(amounts[0], usage)
    if amount <= 0:
        raise ParseError("金额要大于 0", usage)
    if len(found.numbers) > 1:
        raise ParseError("只能写一个单号", usage)
    if found.confirmed or found.page is not None:
        raise ParseError("多余的内容", usage)
    number = found.numbers[0] if found.numbers else None
    return c.RecordPayment(verb.name, found.partner, amount, number, accounts[0] if accounts else "现金", found.note)


def _parse_open_items(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, partner=True, page=True)
    _no_more(tokens.words, verb.usage)
    return c.ShowOpenItems(verb.name, tokens.partner, tokens.page or 1)


def _parse_statement(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, partner=True)
    if tokens.partner is None:
        raise ParseError("缺少 @客户 或 @供应商", verb.usage)
    if len(tokens.words) > 1:
        raise ParseError(f"多余的内容「{' '.join(tokens.words[1:])[:30]}」", verb.usage)
    period = parse_period(tokens.words[0], today, verb.usage) if tokens.words else None
    return c.ShowStatement(tokens.partner, period)


def _parse_cash(rest: str, today: date, verb: Verb) -> c.Command:
    usage = verb.usage
    words = rest.split()
    account = "现金"
    if words and words[-1] in _ACCOUNTS:
        account = words.pop()
    if not words:
        raise ParseError("缺少金额和说明", usage)
    amount = parse_money(_THOUSANDS.sub("", words[0]), usage)
    if amount <= 0:
        raise ParseError("金额要大于 0", usage)
    note = " ".join(words[1:]).removeprefix("备注").strip()
    if not note:
        raise ParseError("缺少说明（如 水电、房租转租）", usage)
    if len(note) > MAX_NOTE_LENGTH:
        raise ParseError(f"说明太长（最多 {MAX_NOTE_LENGTH} 字）", usage)
    return c.RecordCashEntry(verb.name == "其他收入", amount, note, account)


_SLASH_DOCUMENT = re.compile(r"/(PO|SO)_(\d{4})_(\d{4,8})(?:@\w+)?", re.ASCII | re.IGNORECASE)


def parse_document_link(text: str) -> c.Command | None:
    """``/PO_2026_0001`` (a document number tapped in a reply) → show that order."""
    match = _SLASH_DOCUMENT.fullmatch(text.strip())
    if match is None:
        return None
    prefix = match.group(1).upper()
    return c.ShowOrders("采购单" if prefix == "PO" else "销售单", f"{prefix}-{match.group(2)}-{match.group(3)}")
# ---- reports ----

_RANK_WORDS = {"销售": "金额", "金额": "金额", "数量": "数量", "销量": "数量", "毛利": "毛利"}
_EXPORT_SUBJECTS = c.EXPORT_SUBJECTS + ("报表",)


def _period_word(word: str, today: date, usage: str) -> Period | None:
    """A period, or None when the word is not one (a word that starts with a digit is)."""
    if _is_period(word) or word[0].isdigit():
        return parse_period(word, today, usage)
    return None


def _report_words(words: list[str], today: date, usage: str, choices: tuple[str, ...]) -> tuple[Period | None, str | None]:
    """At most one period and one of ``choices``, in any order; anything else is refused."""
    period = choice = None
    for word in words:
        if choice is None and word in choices:
            choice = word
            continue
        found = _period_word(word, today, usage) if period is None else None
        if found is None:
            raise ParseError(f"多余的内容「{word[:30]}」", usage)
        period = found
    return period, choice


def _parse_report(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, page=True)
    period, section = _report_words(tokens.words, today, verb.usage, c.REPORT_SECTIONS)
    if tokens.page is not None and section is None:
        raise ParseError("分页要指定部分，如 报表 本月 进销存 第2页", verb.usage)
    return c.ShowReport(period or periods.this_month(today), section or "", tokens.page or 1)


def _parse_rank(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    period, metric = _report_words(tokens.words, today, verb.usage, tuple(_RANK_WORDS))
    return c.RankSales(period or periods.this_month(today), _RANK_WORDS[metric] if metric else "金额")


def _parse_unsold(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, page=True)
    if not tokens.words:
        return c.ShowUnsold(30, tokens.page or 1)
    _no_more(tokens.words[1:], verb.usage)
    return c.ShowUnsold(_days(tokens.words[0], verb.usage, 30), tokens.page or 1)


def _parse_turnover(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage, page=True)
    period, _ = _report_words(tokens.words, today, verb.usage, ())
    return c.ShowTurnover(period or periods.last_days(today, 30), tokens.page or 1)


def _parse_chart(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    if not tokens.words:
        raise ParseError("缺少图表类型：销售趋势、排行、库存、账龄或商品编码", verb.usage)
    first, more = tokens.words[0], tokens.words[1:]
    subject = first if first in c.CHART_SUBJECTS else parse_code(first, verb.usage)
    period, _ = _report_words(more, today, verb.usage, ())
    default = periods.this_month(today) if subject == "排行" else periods.last_days(today, 30)
    return c.DrawChart(subject, period or default)


def _parse_export(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    statement = bool(tokens.words) and tokens.words[0] == "对账单"
    _refuse_extras(tokens, verb.usage, partner=statement)
    if statement:
        if tokens.partner is None:
            raise ParseError("缺少 @客户 或 @供应商", "导出 对账单 @张三超市 [本月]")
        period, _ = _report_words(tokens.words[1:], today, verb.usage, ())
        return c.ExportReport("对账单", period or periods.this_month(today), partner=tokens.partner)
    if not tokens.words:
        raise ParseError("缺少要导出的内容，如 进销存、销售、流水 或 模板 商品", verb.usage)
    subject, more = tokens.words[0], tokens.words[1:]
    if subject not in _EXPORT_SUBJECTS:
        raise ParseError(f"不能导出「{subject[:20]}」，可导出：{'、'.join(_EXPORT_SUBJECTS)}", verb.usage)
    code = None
    if subject == "模板":
        if more[:1] != ["商品"]:
            raise ParseError("现在有的模板是 商品", "导出 模板 商品")
        more = more[1:]
    elif subject == "流水" and more and not _is_period(more[0]):  # a code may be all digits
        code, more = parse_code(more[0], verb.usage), more[1:]
    elif subject in ("应收", "应付") and more:  # open items are as of today: no period
        raise ParseError(f"多余的内容「{more[0][:30]}」（应收、应付按今天导出）", verb.usage)
    period, _ = _report_words(more, today, verb.usage, ())
    return c.ExportReport(subject, period or periods.this_month(today), code)
# ---- alerts ----------------------------------------------------------------------------------

_TOPICS = [topic.value for topic in Topic]
ALL_WORD = "全部"
ALERT_SETTINGS_USAGE = "设置 预警 [日报 21:00] [免打扰 22:00-08:00|关闭] [日均 7天] [应付 3天] [临期 30天]"
SNOOZE_USAGE = "预警 忽略 <编码> [7天]"
MAX_SNOOZE_DAYS = 90
_CLOCK = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?点?", re.ASCII)
_CLOCK_RANGE = re.compile(r"(.+?)(?:-|~|至|到)(.+)")
_DAY_COUNT = re.compile(r"([0-9]{1,4})天?", re.ASCII)


def _alert_topics(words: list[str], usage: str) -> tuple[str, ...]:
    """Topic words in the canonical order, each once; ``、`` and commas separate them too."""
    found = set()
    for word in words:
        if word not in _TOPICS:
            raise ParseError(f"没有「{word[:10]}」这种预警，可选：{' '.join(_TOPICS)}", usage)
        found.add(word)
    return tuple(topic for topic in _TOPICS if topic in found)


def _parse_subscribe(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    words = tokens.words
    if not words:
        return c.ListSubscriptions()
    if words[0] == "预警":
        words = words[1:]
    if not words:
        raise ParseError(f"缺少预警类型，可选：{' '.join(_TOPICS)}", verb.usage)
    return c.Subscribe(_alert_topics(words, verb.usage))


def _parse_unsubscribe(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    words = tokens.words[1:] if tokens.words[:1] == ["预警"] else tokens.words
    if not words:
        raise ParseError(f"缺少要退订的类型，可选：{' '.join(_TOPICS)} 或 {ALL_WORD}", verb.usage)
    if words == [ALL_WORD]:
        return c.Unsubscribe(())
    return c.Unsubscribe(_alert_topics(words, verb.usage))


def _parse_alerts(rest: str, today: date, verb: Verb) -> c.Command:
    tokens = tokenise(rest, verb.usage)
    _refuse_extras(tokens, verb.usage)
    words = tokens.words
    if not words:
        return c.ShowAlerts()
    if words[0] == "检查":
        _no_more(words[1:], verb.usage)
        return c.CheckAlerts()
    if words[0] != "忽略":
        raise ParseError(f"「{words[0][:20]}」看不懂，可写：预警 / 预警 检查 / 预警 忽略 A001 7天", verb.usage)
    if len(words) < 2:
        raise ParseError("缺少商品编码", SNOOZE_USAGE)
    code = parse_code(words[1], SNOOZE_USAGE)
    if len(words) == 2:
        return c.SnoozeAlert(code)
    _no_more(words[3:], SNOOZE_USAGE)
    days = _DAY_COUNT.fullmatch(words[2])
    if days is None or not 1 <= int(days.group(1)) <= MAX_SNOOZE_DAYS:
        raise ParseError(f"忽略的天数写成 1 到 {MAX_SNOOZE_DAYS} 之间，如 7天", SNOOZE_USAGE)
    return c.SnoozeAlert(code, int(days.group(1)))


def _clock_time(word: str) -> time:
    match = _CLOCK.fullmatch(word)
    if match is None or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
        raise ParseError(f"时间「{word[:20]}」看不懂，写成 21:00", ALERT_SETTINGS_USAGE)
    return time(int(match.group(1)), int(match.group(2) or 0))


def _parse_alert_settings(text: str) -> c.Command:
    """``设置 预警 日报 21:00 免打扰 22:00-08:00 日均 7天``; read before tokenising, whose
    punctuation rules would split 21:00."""
    words = text.replace(",", " ").replace(";", " ").split()
    fields: list[tuple[str, object]] = []
    index = 0
    while index < len(words):
        word = words[index]
        key = next((k for k in SETTING_WORDS if word.startswith(k)), None)
        if key is None:
            raise ParseError(f"「{word[:20]}」不是预警设置，可设：{' '.join(SETTING_WORDS)}", ALERT_SETTINGS_USAGE)
        value = word[len(key) :]
        index += 1
        if not value:
            if index >= len(words):
                raise ParseError(f"「{key}」后面缺少内容", ALERT_SETTINGS_USAGE)
            value, index = words[index], index + 1
        name = SETTING_WORDS[key]
        if any(existing == name for existing, _ in fields):
            raise ParseError(f"「{key}」写了两次", ALERT_SETTINGS_USAGE)
        if name == "digest_at":
            fields.append((name, _clock_time(value)))
        elif name == "quiet":
            if value in ("关闭", "无", "取消"):
                fields.append((name, None))
                continue
            span = _CLOCK_RANGE.fullmatch(value)
            if span is None:
                raise ParseError(f"免打扰写成 22:00-08:00（或 关闭），不是「{value[:20]}」", ALERT_SETTINGS_USAGE)
            start, end = _clock_time(span.group(1)), _clock_time(span.group(2))
            if start == end:
                raise ParseError("免打扰的开始和结束不能相同", ALERT_SETTINGS_USAGE)
            fields.append((name, (start, end)))
        else:
            days = _DAY_COUNT.fullmatch(value)
            if days is None or not 1 <= int(days.group(1)) <= MAX_SETTING_DAYS:
                raise ParseError(f"「{key}」的天数写成 1 到 {MAX_SETTING_DAYS} 之间，如 7天", ALERT_SETTINGS_USAGE)
            fields.append((name, int(days.group(1))))
    return c.SetAlertSettings(tuple(fields))


def _alert_settings_text(fields: tuple[tuple[str, object], ...]) -> str:
    words = {name: word for word, name in SETTING_WORDS.items()}
    parts = ["设置 预警"]
    for name, value in fields:
        if name == "digest_at":
            parts.append(f"{words[name]} {value:%H:%M}")  # type: ignore[str-format]
        elif name == "quiet":
            parts.append(f"{words[name]} " + ("关闭" if value is None else f"{value[0]:%H:%M}-{value[1]:%H:%M}"))  # type: ignore[index]
        else:
            parts.append(f"{words[name]} {value}天")
    return " ".join(parts)


_GRAMMARS = {
    "采购": _parse_order,
    "销售": _parse_order,
    "采购单": _parse_order_list,
    "销售单": _parse_order_list,
    "审核": _parse_order_action,
    "关闭": _parse_order_action,
    "到货": _parse_delivery,
    "发货": _parse_delivery,
    "退货": _parse_return,
    "收款": _parse_payment,
    "付款": _parse_payment,
    "应收": _parse_open_items,
    "应付": _parse_open_items,
    "对账单": _parse_statement,
    "其他收入": _parse_cash,
    "费用": _parse_cash,
    "仓库": _parse_warehouse,
    "调拨": _parse_transfer,
    "报损": _parse_scrap,
    "盘点": _parse_stocktake,
    "分析": _parse_analysis,
    "供应商": _parse_partner,
    "客户": _parse_partner,
    "补货建议": _parse_replenishment,
    "新建账套": _parse_create_workspace,
    "绑定": _parse_bind,
    "解绑": _parse_no_arguments(c.UnbindChat),
    "邀请": _parse_invite,
    "加入": _parse_join,
    "成员": _parse_members,
    "日志": _parse_audit,
    "撤销": _parse_undo,
    "设置": _parse_settings,
    "帮助": _parse_help,
    "商品": _parse_product,
    "入库": _parse_movement,
    "出库": _parse_movement,
    "库存": _parse_stock,
    "流水": _parse_ledger,
    "备份": _parse_no_arguments(c.SendBackup),
    # ---- reports ----
    "报表": _parse_report,
    "排行": _parse_rank,
    "滞销": _parse_unsold,
    "周转": _parse_turnover,
    "图表": _parse_chart,
    "导出": _parse_export,
    # ---- alerts ----
    "订阅": _parse_subscribe,
    "退订": _parse_unsubscribe,
    "预警": _parse_alerts,
}


def parse(text: str, today: date) -> c.Command:
    """Read one command.

    Args:
        text: what the user typed.
        today: the workspace's current date, for relative dates and periods.

    Returns:
        A command dataclass from ``domain.commands``.

    Raises:
        ParseError: with a one-line reason and the correct form.
    """
    normal = normalise(text)
    if not normal:
        raise ParseError("消息是空的", "帮助")
    link = parse_document_link(normal)
    if link is not None:
        return link
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        return parse_batch(lines, today)
    found = split_verb(normal)
    if found is None:
        if normal.startswith("/"):
            raise ParseError(f"没有 {normal.split(' ', 1)[0][:30]} 这个命令，发送「帮助」查看全部命令")
        raise ParseError("这不是一条命令，发送「帮助」查看可用命令", not_a_command=True)
    verb, rest = found
    grammar = _GRAMMARS.get(verb.name)
    if grammar is None:
        return c.NotYetAvailable(verb.name)
    return grammar(rest, today, verb)


# ---- faster entry: import ----------------------------------------------------------------

IMPORT_KINDS = ("商品", "期初库存", "客户", "供应商")


def _parse_import(rest: str, today: date, verb: Verb) -> c.Command:
    kind = rest.strip()
    if kind not in IMPORT_KINDS:
        raise ParseError(f"要写导入什么：{'、'.join(IMPORT_KINDS)}" if not kind else f"不能导入「{kind[:20]}」", verb.usage)
    return c.ImportFile(kind)


_GRAMMARS["导入"] = _parse_import


# ---- faster entry: multi-line batches ----------------------------------------------------

BATCH_USAGE = "入库\nA001 50\nA002 30 单价 3.1（或每行一条完整命令）"
MAX_BATCH_LINES = 50
# Verbs a batch may carry, and the header lines that give the lines below them a verb.
_BATCH_TYPES = (c.ReceiveStock, c.IssueStock, c.CountStock, c.TransferStock, c.ScrapStock, c.AddProduct)
_BATCH_HEADERS = ("入库", "出库", "盘点", "调拨", "报损", "商品 新增")


def _batch_header(normal: str) -> str | None:
    """``入库`` (or ``/in``, ``商品 新增``) alone on a line: the verb for the lines below it."""
    found = split_verb(normal)
    if found is None:
        return None
    verb, rest = found
    header = f"{verb.name} {rest}".strip() if verb.name == "商品" else (verb.name if not rest else None)
    return header if header in _BATCH_HEADERS else None


def parse_batch(lines: list[str], today: date) -> c.RunBatch:
    """Read a message of several lines as one batch.

    A line alone with a verb (``入库``) gives that verb to the lines below it, until the next
    such line; a line that starts with a verb is a whole command. A last line ``确认`` marks
    the batch confirmed (what the confirmation button runs). Lines that cannot be read are
    kept with their reason, so the preview can say which line to fix.

    Raises:
        ParseError: too many lines.
    """
    normal = [normalise(line) for line in lines]
    confirmed = normal[-1] == CONFIRM_WORD
    if confirmed:
        normal = normal[:-1]
    if len(normal) > MAX_BATCH_LINES:
        raise ParseError(f"一次最多 {MAX_BATCH_LINES} 行（这条有 {len(normal)} 行），请分几次发送", BATCH_USAGE)
    header: str | None = None
    out: list[c.BatchLine] = []
    for number, line in enumerate(normal, 1):
        found_header = _batch_header(line)
        if found_header is not None:
            header = found_header
            out.append(c.BatchLine(number, line))
            continue
        full = line if split_verb(line) is not None else (f"{header} {line}" if header else None)
        if full is None:
            out.append(c.BatchLine(number, line, error="没有命令词：在第一行写「入库」等，或每行写完整命令", usage=BATCH_USAGE))
            continue
        try:
            command = parse(full, today)
        except ParseError as error:
            out.append(c.BatchLine(number, line, error=error.reason, usage=error.usage))
            continue
        if not isinstance(command, _BATCH_TYPES):
            reason = "批量只能写 入库、出库、盘点数量、调拨、报损、商品 新增"
            out.append(c.BatchLine(number, line, error=reason, usage=BATCH_USAGE))
            continue
        out.append(c.BatchLine(number, line, command))
    if not any(line.command is not None or line.error for line in out):
        raise ParseError("只有命令词，没有要登记的行", BATCH_USAGE)
    return c.RunBatch(tuple(out), confirmed)


# ---- writing commands back ---------------------------------------------------------------


def _number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _period_text(period: Period) -> str:
    return f"{period.begin:%Y-%m-%d}~{period.end_inclusive:%Y-%m-%d}"


def to_text(command: c.Command) -> str:
    """Write a command in the canonical form :func:`parse` reads back to the same command."""
    page = lambda p: f" 第{p}页" if p != 1 else ""  # noqa: E731
    match command:
        case c.ShowHelp(topic=topic):
            return f"帮助 {topic}" if topic else "帮助"
        case c.FindProducts(query=query, page=p):
            return (f"商品 查询 {query}" if query else "商品") + page(p)
        case c.AddProduct(code=code, name=name, fields=fields):
            return f"商品 新增 {code} {name}" + _fields_text(fields)
        case c.ChangeProduct(code=code, fields=fields):
            return f"商品 修改 {code}" + _fields_text(fields)
        case c.SetProductActive(code=code, active=active):
            return f"商品 {'启用' if active else '停用'} {code}"
        case c.ReceiveStock() | c.IssueStock():
            verb = "入库" if isinstance(command, c.ReceiveStock) else "出库"
            text = f"{verb} {command.code} {_number(command.quantity)}{command.unit or ''}"
            if command.unit_price is not None:
                text += f" 单价 {_number(command.unit_price)}"
            if command.counterparty:
                text += f" @{command.counterparty}"
            if command.occurred_on is not None:
                text += f" 日期 {command.occurred_on:%Y-%m-%d}"
            if command.warehouse is not None:
                text += f" 仓库 {command.warehouse}"
            if command.batch is not None:
                text += f" 批次 {command.batch}"
            if command.expires_on is not None:
                text += f" 有效期 {command.expires_on:%Y-%m-%d}"
            if command.produced_on is not None:
                text += f" 生产日期 {command.produced_on:%Y-%m-%d}"
            if isinstance(command, c.IssueStock) and command.cash:
                text += f" {CASH_WORD}"
            if command.confirmed:
                text += f" {CONFIRM_WORD}"
            if command.note:
                text += f" 备注 {command.note}"
            return text
        case c.TransferStock():
            text = f"调拨 {command.code} {_number(command.quantity)}{command.unit or ''} {command.source}→{command.target}"
            if command.confirmed:
                text += f" {CONFIRM_WORD}"
            return text + (f" 备注 {command.note}" if command.note else "")
        case c.ScrapStock():
            text = f"报损 {command.code} {_number(command.quantity)}{command.unit or ''}"
            if command.warehouse is not None:
                text += f" 仓库 {command.warehouse}"
            if command.batch is not None:
                text += f" 批次 {command.batch}"
            if command.confirmed:
                text += f" {CONFIRM_WORD}"
            return text + f" 原因 {command.reason}"
        case c.StartStocktake(warehouse=warehouse):
            return "盘点 开始" + (f" 仓库 {warehouse}" if warehouse else "")
        case c.CountStock():
            text = f"盘点 {command.code} {_number(command.quantity)}{command.unit or ''}"
            return text + (f" 仓库 {command.warehouse}" if command.warehouse else "")
        case c.ShowStocktake(warehouse=warehouse, page=p):
            return "盘点 差异" + (f" 仓库 {warehouse}" if warehouse else "") + page(p)
        case c.ConfirmStocktake(warehouse=warehouse, confirmed=confirmed):
            return "盘点 确认" + (f" 仓库 {warehouse}" if warehouse else "") + (f" {CONFIRM_WORD}" if confirmed else "")
        case c.CancelStocktake(warehouse=warehouse):
            return "盘点 取消" + (f" 仓库 {warehouse}" if warehouse else "")
        case c.AddPartner() | c.ChangePartner():
            sub = "新增" if isinstance(command, c.AddPartner) else "修改"
            return f"{command.kind} {sub} {command.name}" + _partner_fields_text(command.fields)
        case c.FindPartners(kind=kind, query=query, page=p):
            return kind + (f" {query}" if query else "") + page(p)
        case c.SetNegativeStock(allow=allow):
            return f"设置 负库存 {'允许' if allow else '禁止'}"
        case c.SetStockLevels(code=code, warehouse=warehouse, fields=fields):
            levels = "".join(
                f" {'安全库存' if name == 'safety_stock' else '最高库存'} {_number(value) if isinstance(value, Decimal) else '无'}"
                for name, value in fields
            )
            return f"商品 修改 {code}{levels} 仓库 {warehouse}"
        case c.SetValuationMethod(method=method):
            return f"设置 计价 {'先进先出' if method == 'fifo' else '移动平均'}"
        case c.AnalyseAbc(days=days, a_share=a_share, b_share=b_share):
            text = f"分析 ABC {days}天"
            if a_share is not None and b_share is not None:
                text += f" {int(a_share * 100)}/{int(b_share * 100)}"
            return text
        case c.SuggestReplenishment(days=days):
            return f"补货建议 {days}天"
        case c.ListWarehouses():
            return "仓库"
        case c.AddWarehouse(name=name):
            return f"仓库 新增 {name}"
        case c.CreateWorkspace(name=name):
            return f"新建账套 {name}"
        case c.BindChat(workspace_id=workspace_id):
            return f"绑定 {workspace_id}"
        case c.UnbindChat():
            return "解绑"
        case c.SetChatVisibility(show_sensitive=show):
            return f"设置 本群 {'可见' if show else '隐藏'} 成本"
        case c.Invite(role=role):
            return f"邀请 {role}"
        case c.JoinWorkspace(code=code):
            return f"加入 {code}"
        case c.ListMembers(page=p):
            return "成员" + page(p)
        case c.SetMemberRole(member=member, role=role):
            return f"成员 设置 @{member} {role}"
        case c.RemoveMember(member=member):
            return f"成员 移除 @{member}"
        case c.LimitMemberWarehouses(member=member, warehouses=names):
            return f"成员 仓库 @{member} " + (" ".join(names) if names else "全部")
        case c.ShowAudit(code=code, member=member, period=period, page=p):
            parts = ["日志"]
            if code:
                parts.append(code)
            if member:
                parts.append(f"@{member}")
            if period:
                parts.append(_period_text(period))
            return " ".join(parts) + page(p)
        case c.Undo(target=target, confirmed=confirmed):
            return "撤销" + (f" {target}" if target else "") + (f" {CONFIRM_WORD}" if confirmed else "")
        case c.ShowStock(code=code, page=p):
            return ("库存" + (f" {code}" if code else "")) + page(p)
        case c.ShowLedger(code=code, period=period, page=p):
            return f"流水 {code}" + (f" {_period_text(period)}" if period else "") + page(p)
        case c.SendBackup():
            return "备份"
        case c.ShowReport(period=period, section=section, page=p):
            return f"报表 {_period_text(period)}" + (f" {section}" if section else "") + page(p)
        case c.RankSales(period=period, metric=metric):
            return f"排行 {metric} {_period_text(period)}"
        case c.ShowUnsold(days=days, page=p):
            return f"滞销 {days}天" + page(p)
        case c.ShowTurnover(period=period, page=p):
            return f"周转 {_period_text(period)}" + page(p)
        case c.DrawChart(subject=subject, period=period):
            return f"图表 {subject} {_period_text(period)}"
        case c.ExportReport(subject=subject, period=period, code=code, partner=partner):
            if subject in ("应收", "应付"):
                return f"导出 {subject}"
            middle = " 商品" if subject == "模板" else (f" {code}" if code else (f" @{partner}" if partner else ""))
            return f"导出 {subject}{middle} {_period_text(period)}"
        case c.NotYetAvailable(verb=verb):
            return verb
        case c.CreatePurchaseOrder() | c.CreateSalesOrder():
            purchase = isinstance(command, c.CreatePurchaseOrder)
            text = f"{'采购' if purchase else '销售'} @{command.partner}" + _lines_text(command.lines)
            if purchase and command.due_on is not None:
                text += f" 交期 {command.due_on:%Y-%m-%d}"
            if not purchase and command.discount is not None:
                text += f" 折扣 {_number(command.discount)}"
            if command.warehouse is not None:
                text += f" 仓库 {command.warehouse}"
            if not purchase and command.confirmed:
                text += f" {CONFIRM_WORD}"
            return text + (f" 备注 {command.note}" if command.note else "")
        case c.ShowOrders(kind=kind, number=number, page=p):
            return kind + (f" {number}" if number else "") + page(p)
        case c.ApproveOrder(number=number):
            return f"审核 {number}"
        case c.CloseOrder(number=number):
            return f"关闭 {number}"
        case c.ReceiveOrder():
            text = f"到货 {command.number}" + _lines_text(command.lines)
            text += "".join(f" {key} {_number(amount)}" for key, amount in command.fees)
            return text + (f" {CONFIRM_WORD}" if command.confirmed else "")
        case c.ShipOrder():
            text = f"发货 {command.number}" + _lines_text(command.lines)
            text += f" 快递 {command.tracking}" if command.tracking else ""
            return text + (f" {CONFIRM_WORD}" if command.confirmed else "")
        case c.ReturnGoods():
            text = "退货" + (f" {command.kind}" if command.kind else "") + f" @{command.partner}"
            text += f" {command.code} {_number(command.quantity)}{command.unit or ''}"
            text += f" {command.number}" if command.number else ""
            return text + (f" 备注 {command.note}" if command.note else "")
        case c.RecordPayment():
            text = f"{command.kind} @{command.partner} {_number(command.amount)}"
            text += f" {command.number}" if command.number else ""
            text += f" {command.account}"
            return text + (f" 备注 {command.note}" if command.note else "")
        case c.ShowOpenItems(kind=kind, partner=partner, page=p):
            return kind + (f" @{partner}" if partner else "") + page(p)
        case c.ShowStatement(partner=partner, period=period):
            return f"对账单 @{partner}" + (f" {_period_text(period)}" if period else "")
        case c.SetTaxRate(rate=rate):
            return "设置 税率 " + (f"{_number(rate * 100)}%" if rate is not None else "无")
        case c.RecordCashEntry(income=income, amount=amount, note=note, account=account):
            return f"{'其他收入' if income else '费用'} {_number(amount)} {note} {account}"
        case c.ImportFile(kind=kind):
            return f"导入 {kind}"
        case c.RunBatch(lines=lines, confirmed=confirmed):
            return "\n".join(line.text for line in lines) + (f"\n{CONFIRM_WORD}" if confirmed else "")
        # ---- alerts ----
        case c.Subscribe(topics=topics):
            return "订阅 预警 " + " ".join(topics)
        case c.ListSubscriptions():
            return "订阅"
        case c.Unsubscribe(topics=topics):
            return "退订 " + (" ".join(topics) if topics else ALL_WORD)
        case c.ShowAlerts():
            return "预警"
        case c.CheckAlerts():
            return "预警 检查"
        case c.SnoozeAlert(code=code, days=days):
            return f"预警 忽略 {code} {days}天"
        case c.SetAlertSettings(fields=fields):
            return _alert_settings_text(fields)
    raise TypeError(f"cannot write {command!r}")


def _lines_text(lines: tuple[c.LineInput, ...]) -> str:
    parts = []
    for line in lines:
        part = f" {line.code} {_number(line.quantity)}{line.unit or ''}"
        if line.unit_price is not None:
            part += f" 单价 {_number(line.unit_price)}"
        if line.accepted is not None:
            part += f" 合格 {_number(line.accepted)}"
        if line.batch is not None:
            part += f" 批次 {line.batch}"
        if line.expires_on is not None:
            part += f" 有效期 {line.expires_on:%Y-%m-%d}"
        if line.produced_on is not None:
            part += f" 生产日期 {line.produced_on:%Y-%m-%d}"
        parts.append(part)
    return "".join(parts)


def _partner_fields_text(fields: tuple[tuple[str, object], ...]) -> str:
    labels = {"contact": "联系人", "phone": "电话", "terms_days": "账期", "credit_limit": "信用额度", "lead_days": "交期"}
    parts = []
    for name, value in fields:
        shown = f"{value}天" if name in ("terms_days", "lead_days") else _number(value) if isinstance(value, Decimal) else str(value)
        parts.append(f" {labels[name]} {shown}")
    return "".join(parts)


def _fields_text(fields: tuple[tuple[str, object], ...]) -> str:
    labels = {name: label for label, name in EDITABLE_FIELDS.items()}
    parts = []
    for name, value in fields:
        if name == "packs":
            packs = value if isinstance(value, tuple) else ()
            parts.append(" " + " ".join(f"{unit}={_number(factor)}" for unit, factor in packs) if packs else " 包装 无")
            continue
        if isinstance(value, bool):
            shown = "是" if value else "否"
        elif name == "shelf_life_days":
            shown = f"{value}天" if value is not None else "无"
        else:
            shown = _number(value) if isinstance(value, Decimal) else str(value)
        parts.append(f" {labels[name]} {shown}")
    return "".join(parts)
