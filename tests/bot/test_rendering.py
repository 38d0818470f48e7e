"""Reply templates: number filters, every template with realistic values, escaping, Telegram HTML."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot import errors as bot_errors
from bot.dispatcher import KIND_LABELS
from bot.parsing import VERBS, VERBS_BY_NAME
from bot.rendering import MAX_REPLY_LENGTH, Renderer, field_value, money, qty, signed_qty, to_plain, unit_cost
from domain import analysis as an
from domain import commands as c
from domain import errors as e
from domain import history as h
from domain import partner_services as ps
from domain import services as s
from domain import stocktake as stk
from domain import thresholds as thr
from domain import workspaces as w
from domain.access import Invitation, Member, Permission, Role
from domain.audit import Action, AuditEntry
from domain.batches import Batch, BatchTake
from domain.guards import Risk, RiskKind
from domain.partners import Partner, PartnerKind
from domain.periods import Period
from domain.ports import StockLine, StockTotals, Stocktake, StocktakeLine, Warehouse
from domain.products import FieldChange, PackQuantity, Product, StockLevels, StockStatus
from domain.stock import Movement, MovementKind, StockBalance
from domain.valuation import ValuationMethod

D = Decimal
TZ = ZoneInfo("Asia/Shanghai")
HOSTILE = "<可乐&>"  # a product name a user may really type
ESCAPED = "&lt;可乐&amp;&gt;"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(TZ)


# ---- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1234.5"), "1,234.50"),
        (D("1234.50"), "1,234.50"),
        (D("0"), "0.00"),
        (D("0.00"), "0.00"),
        (D("2.4"), "2.40"),
        (D("-12.5"), "-12.50"),
        (D("10000000"), "10,000,000.00"),
        (D("1234567.89"), "1,234,567.89"),
        (None, "—"),
    ],
)
def test_money_shows_two_decimals_with_thousands_separators(value: Decimal | None, expected: str) -> None:
    assert money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("48.000"), "48"),
        (D("48"), "48"),
        (D("2.500"), "2.5"),
        (D("2.5"), "2.5"),
        (D("0.001"), "0.001"),
        (D("12000"), "12,000"),
        (D("12000.000"), "12,000"),
        (D("1234.567"), "1,234.567"),
        (D("-5"), "-5"),
        (D("-2.250"), "-2.25"),
        (D("0"), "0"),
        (D("0.000"), "0"),
        (None, "—"),
    ],
)
def test_qty_drops_trailing_zeros_and_groups_thousands(value: Decimal | None, expected: str) -> None:
    assert qty(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(D("1E+2"), "100"), (D("1.2E+4"), "12,000"), (D("5E+1"), "50")])
def test_qty_never_writes_scientific_notation(value: Decimal, expected: str) -> None:
    # Decimal("1.2E+4") == Decimal("12000"); a quantity arriving in exponent form (e.g. after
    # Decimal.normalize()) must still read like a number to a shopkeeper.
    assert qty(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("2.4397"), "2.4397"),
        (D("2.4390"), "2.439"),
        (D("2.4"), "2.40"),
        (D("2.4000"), "2.40"),
        (D("2.43"), "2.43"),
        (D("1234.5"), "1,234.50"),
        (D("1234.5678"), "1,234.5678"),
        (None, "—"),
    ],
)
def test_unit_cost_shows_fen_or_up_to_four_places(value: Decimal | None, expected: str) -> None:
    assert unit_cost(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("5"), "+5"), (D("2.500"), "+2.5"), (D("-5"), "-5"), (D("-1234.5"), "-1,234.5"), (D("0"), "0")],
)
def test_signed_qty_marks_receipts_with_a_plus(value: Decimal, expected: str) -> None:
    assert signed_qty(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "（空）"), ("", "（空）"), ("330ml", "330ml"), (D("3.80"), "3.80"), (D("20"), "20"), (D("2.4397"), "2.4397")],
)
def test_field_value_shows_before_and_after_values(value: object, expected: str) -> None:
    assert field_value(value) == expected


def test_to_plain_strips_tags_and_unescapes_entities() -> None:
    assert to_plain("✅ <b>A001</b> &lt;可乐&amp;&gt; <code>入库 A001 5</code>") == "✅ A001 <可乐&> 入库 A001 5"


def test_renderer_shows_local_dates_and_times() -> None:
    renderer = Renderer(TZ)
    moment = datetime(2026, 11, 21, 16, 30, tzinfo=timezone.utc)  # 00:30 on the 22nd in Shanghai
    assert renderer.local_time(moment) == "11-22 00:30"
    assert renderer.local_date(moment) == "2026-11-22"
    assert renderer.local_date(date(2026, 11, 20)) == "2026-11-20"


# ---- sample values -------------------------------------------------------------------------

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def product(**changes: object) -> Product:
    values: dict[str, object] = dict(
        code="A001",
        name=HOSTILE,
        unit="罐",
        spec="330ml",
        category="饮料",
        barcode="6901234567890",
        purchase_price=D("2.50"),
        sale_price=D("3.50"),
        safety_stock=D("20"),
        max_stock=D("2000"),
        id=1,
    )
    values.update(changes)
    return Product(**values)  # type: ignore[arg-type]


def movement(**changes: object) -> Movement:
    values: dict[str, object] = dict(
        kind=MovementKind.RECEIPT,
        product_id=1,
        warehouse_id=1,
        quantity=D("1200"),
        value=D("2928.00"),
        balance_quantity=D("1234"),
        balance_value=D("3010.59"),
        occurred_at=NOW,
        recorded_at=NOW,
        actor_id=1001,
        actor_name="老王",
        chat_id=5,
        unit_price=D("2.44"),
        counterparty="华东<饮料>&",
        note="周五<到货>&补",
        number="RK-2026-0007",
    )
    values.update(changes)
    return Movement(**values)  # type: ignore[arg-type]


BALANCE = StockBalance(D("1234"), D("3010.59"))  # unit cost 2.4397
ISSUE = movement(
    kind=MovementKind.ISSUE,
    quantity=D("-12"),
    value=D("-29.28"),
    balance_quantity=D("1222"),
    balance_value=D("2981.31"),
    unit_price=D("3.50"),
    counterparty="张三<超市>",
    number="CK-2026-0003",
)
LEDGER_ROWS = [
    movement(number=f"RK-2026-{n:04d}", quantity=D(n), value=D("2.44") * n, balance_quantity=D(1000 + n)) for n in range(1, 9)
] + [
    ISSUE,
    movement(kind=MovementKind.OPENING, number="QC-2026-0001", counterparty="", note="", occurred_at=datetime(2026, 11, 1, 1, 0, tzinfo=timezone.utc)),
]
PRODUCTS = [product(code=f"A{n:03d}", name=f"{HOSTILE}{n}", active=n % 3 != 0) for n in range(1, 11)]


@dataclass
class Sample:
    """A rendering of one template: its context and what the reply must show."""

    context: dict[str, object]
    shows: list[str] = field(default_factory=list)
    hides: list[str] = field(default_factory=list)


PRODUCT_USAGE = "商品 新增 &lt;编码&gt;"

# Every template under bot/templates/ → its samples. A new template without an entry here fails
# test_every_template_has_a_rendering_sample.
SAMPLES: dict[str, dict[str, Sample]] = {
    "_macros.html": {"macros only": Sample({})},
    "errors/concurrent_change.html": {"retry": Sample({"error": e.ConcurrentChange()}, ["未记账", "再发送"])},
    "errors/fractional_quantity.html": {
        "fraction": Sample({"error": e.FractionalQuantity("A001", HOSTILE, "罐", D("2.500"))}, ["A001", ESCAPED, "罐", "2.5"])
    },
    "errors/future_date.html": {"tomorrow": Sample({"error": e.FutureDate(date(2026, 11, 23))}, ["2026-11-23", "日期 11-20"])},
    "errors/generic.html": {
        "message": Sample({"error": e.DomainError("规则 <拒绝> & 未记账")}, ["规则 &lt;拒绝&gt; &amp; 未记账"])
    },
    "errors/insufficient_stock.html": {
        "short": Sample(
            {"error": e.InsufficientStock("A001", HOSTILE, "罐", D("12000"), D("2.500"))},
            ["A001", ESCAPED, "12,000", "2.5", "罐", "未记账"],
        )
    },
    "errors/internal.html": {"always": Sample({}, ["没有执行"])},
    "errors/button_expired.html": {"always": Sample({}, ["按钮已过期", "重新发送"])},
    "errors/invalid_product.html": {
        "empty name": Sample({"error": e.InvalidProduct("名称", "不能为空")}, ["名称不能为空", "用法", PRODUCT_USAGE])
    },
    "errors/not_a_command.html": {"chatter": Sample({}, ["帮助", "入库 A001 50"])},
    "errors/not_a_member.html": {
        # Reveals nothing: no workspace, no user id, only how to join or start one's own.
        "stranger": Sample({}, ["🔒", "邀请 &lt;角色&gt;", "加入 &lt;邀请码&gt;", "新建账套 &lt;名称&gt;"], ["默认账套", "编号"])
    },
    "errors/not_yet_available.html": {
        "purchasing": Sample({"verb": VERBS_BY_NAME["采购"]}, ["采购", "采购 @供应商 &lt;编码&gt; &lt;数量&gt;", "帮助"]),
        "no usage": Sample({"verb": replace(VERBS_BY_NAME["备份"], usage="")}, ["备份"], ["上线后的写法"]),
    },
    "errors/nothing_to_change.html": {"same": Sample({"error": e.NothingToChange("A001")}, ["A001", "没有变化"])},
    "errors/parse_error.html": {
        "with usage": Sample(
            {"reason": "数量「<5>」看不懂", "usage": VERBS_BY_NAME["入库"].usage},
            ["❌", "数量「&lt;5&gt;」看不懂", "用法", "入库 &lt;编码&gt; &lt;数量&gt;"],
        ),
        "without usage": Sample({"reason": "没有 /foo 这个命令", "usage": ""}, ["❌", "/foo"], ["用法"]),
    },
    "errors/product_exists.html": {
        "taken": Sample({"error": e.ProductAlreadyExists("A001", HOSTILE)}, ["A001", ESCAPED, "商品 修改 A001"])
    },
    "errors/product_inactive.html": {
        "stopped": Sample({"error": e.ProductInactive("A001", HOSTILE)}, ["A001", ESCAPED, "商品 启用 A001"])
    },
    "errors/unit_mismatch.html": {
        "kg for cans": Sample({"error": e.UnitMismatch("A001", HOSTILE, "罐", "kg<")}, ["A001", ESCAPED, "罐", "kg&lt;"])
    },
    "errors/unknown_product.html": {
        "with suggestions": Sample(
            {"error": e.UnknownProduct("A00l<", [e.ProductHint("A001", HOSTILE), e.ProductHint("A011", "雪碧")])},
            ["A00l&lt;", "A001", ESCAPED, "A011", "雪碧"],
        ),
        "no suggestions": Sample({"error": e.UnknownProduct("Z999")}, ["Z999", "商品 新增"], ["是否要找"]),
    },
    "help/details/help.html": {"static": Sample({}, ["帮助 入库"])},
    "help/details/in.html": {"static": Sample({}, ["50罐", "2.5kg", "日期 11-20"])},
    "help/details/ledger.html": {"static": Sample({}, ["7天", "2026-11-01~2026-11-15"])},
    "help/details/out.html": {"static": Sample({}, ["单价 …", "@客户"])},
    "help/details/product.html": {"static": Sample({}, ["商品 新增 A001", "商品 停用 A001"])},
    "help/details/stock.html": {"static": Sample({}, ["库存 A001", "缺货"])},
    "help/index.html": {
        "available verbs": Sample(
            {"verbs": [verb for verb in VERBS if verb.available]},
            [f"<b>{verb.name}</b>" for verb in VERBS if verb.available] + ["/in", "帮助 入库"],
            [],
        )
    },
    "help/topic.html": {
        f"{verb.name}": Sample(
            {"verb": verb},
            [verb.name, "用法"] + (["🚧"] if not verb.available else []),
        )
        for verb in VERBS
    },
    "product/_card.html": {"full": Sample({"product": product()}, ["A001", ESCAPED, "330ml", "饮料", "2.50", "3.50", "20", "2,000"])},
    "product/active.html": {
        "stopped": Sample({"result": s.ProductActiveSet(product(active=False))}, ["已停用", "A001", ESCAPED, "商品 启用 A001"]),
        "started": Sample({"result": s.ProductActiveSet(product())}, ["已启用", "A001", ESCAPED]),
    },
    "product/added.html": {
        "full": Sample({"result": s.ProductAdded(product())}, ["已新增", "A001", ESCAPED, "罐", "2.50", "3.50", "入库 A001"]),
        "bare": Sample(
            {"result": s.ProductAdded(product(spec="", category="", barcode="", purchase_price=None, sale_price=None, safety_stock=None, max_stock=None))},
            ["A001", "—"],
            ["最高库存"],
        ),
    },
    "product/card.html": {
        "in stock": Sample(
            {"result": s.ProductCard(product(), BALANCE, StockStatus.OK)}, ["A001", ESCAPED, "1,234", "3,010.59", "正常"]
        ),
        "inactive, empty": Sample(
            {"result": s.ProductCard(product(active=False), StockBalance(), StockStatus.OUT)}, ["已停用", "缺货"], ["金额"]
        ),
    },
    "product/changed.html": {
        "three fields": Sample(
            {
                "result": s.ProductChanged(
                    product(),
                    [
                        FieldChange("sale_price", D("3.50"), D("3.80")),
                        FieldChange("name", "可乐", HOSTILE),
                        FieldChange("spec", "", "330ml"),
                        FieldChange("safety_stock", None, D("24")),
                    ],
                )
            },
            ["已修改", "售价", "3.50 → 3.80", f"可乐 → {ESCAPED}", "（空） → 330ml", "安全库存", "24"],
        )
    },
    "product/list.html": {
        "page 2 of 3": Sample(
            {"result": s.ProductMatches("可乐<", PRODUCTS, 2, 3, 25)},
            ["「可乐&lt;」", "25", "2/3", "A001", "A010", f"{ESCAPED}10", "已停用"],
        ),
        "all, one page": Sample({"result": s.ProductMatches(None, PRODUCTS[:3], 1, 1, 3)}, ["商品共 3 个"], ["页"]),
    },
    "stock/card.html": {
        "in stock": Sample(
            {"result": s.StockCard(product(), BALANCE, StockStatus.OK)},
            ["A001", ESCAPED, "<b>1,234</b>", "2.4397", "3,010.59", "20", "2,000", "流水 A001"],
        ),
        "empty": Sample({"result": s.StockCard(product(max_stock=None), StockBalance(), StockStatus.OUT)}, ["<b>0</b>", "缺货", "—"]),
    },
    "stock/issued.html": {
        "sold, low": Sample(
            {"result": s.StockIssued(product(), ISSUE, StockBalance(D("12"), D("29.28")), StockStatus.LOW)},
            ["出库 12 罐", "A001", ESCAPED, "结存 12 罐", "CK-2026-0003", "29.28", "3.50", "42.00", "低于安全库存", "张三&lt;超市&gt;"],
        ),
        "no price, back-dated": Sample(
            {
                "result": s.StockIssued(
                    product(),
                    replace(ISSUE, unit_price=None, counterparty="", note="", occurred_at=datetime(2026, 11, 19, 2, 0, tzinfo=timezone.utc)),
                    BALANCE,
                    StockStatus.OK,
                )
            },
            ["出库 12 罐", "日期：2026-11-19", "1,234"],
            ["客户", "备注", "售价"],
        ),
    },
    "stock/ledger.html": {
        "a page": Sample(
            {
                "result": s.LedgerPage(product(), LEDGER_ROWS, Period(date(2026, 11, 1), date(2026, 12, 1), "本月"), 1, 2, 14),
                "kind_labels": KIND_LABELS,
            },
            ["A001", ESCAPED, "本月", "共 14 笔", "1/2", "RK-2026-0008", "<b>+8</b>", "<b>-12</b>", "1,222", "期初", "出库", "周五&lt;到货&gt;&amp;补", "11-22 10:00"],
        ),
        "empty": Sample(
            {"result": s.LedgerPage(product(), [], None, 1, 1, 0), "kind_labels": KIND_LABELS}, ["共 0 笔", "没有流水"]
        ),
    },
    "stock/overview.html": {
        "a page": Sample(
            {
                "result": s.StockOverview(
                    [
                        (StockLine(PRODUCTS[0], StockBalance()), StockStatus.OUT),
                        (StockLine(PRODUCTS[1], StockBalance(D("5"), D("12.50"))), StockStatus.LOW),
                        (StockLine(PRODUCTS[3], StockBalance(D("12000"), D("29280.00"))), StockStatus.OVER),
                        (StockLine(PRODUCTS[4], BALANCE), StockStatus.OK),
                    ],
                    StockTotals(25, D("32303.09"), 2, 3),
                    1,
                    3,
                )
            },
            ["25 个商品", "32,303.09", "缺货 2", "低于安全库存 3", "1/3", "🔴", "🟠", "🔵", "🟢", "12,000罐", "29,280.00", f"{ESCAPED}1"],
        ),
        "no products": Sample({"result": s.StockOverview([], StockTotals(0, D("0"), 0, 0), 1, 1)}, ["还没有商品", "0.00"]),
    },
    "stock/received.html": {
        "given price": Sample(
            {"result": s.StockReceived(product(), movement(), BALANCE, s.PriceSource.GIVEN, D("2.44"))},
            ["入库 1,200 罐", "A001", ESCAPED, "结存 1,234 罐", "RK-2026-0007", "2.44", "2,928.00", "3,010.59", "2.4397", "华东&lt;饮料&gt;&amp;", "周五&lt;到货&gt;&amp;补"],
        ),
        "list price, back-dated": Sample(
            {
                "result": s.StockReceived(
                    product(),
                    movement(unit_price=None, occurred_at=datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)),
                    BALANCE,
                    s.PriceSource.PURCHASE_PRICE,
                    D("2.50"),
                )
            },
            ["按商品进价", "日期：2026-11-20"],
        ),
        "average": Sample(
            {"result": s.StockReceived(product(), movement(unit_price=None), BALANCE, s.PriceSource.AVERAGE, D("2.4397"))},
            ["按当前平均成本", "2.4397"],
        ),
        "no price": Sample(
            {
                "result": s.StockReceived(
                    product(purchase_price=None), movement(value=D("0"), unit_price=None, counterparty="", note=""), StockBalance(D("1200"), D("0")), s.PriceSource.NONE, None
                )
            },
            ["未填单价", "商品 修改 A001 进价"],
            ["供应商", "备注"],
        ),
    },
}

# ---- who may do what (issue 3) --------------------------------------------------------------

SHOP = "好运<便利>&店"  # a workspace name, escaped like any user text
SHOP_ESCAPED = "好运&lt;便利&gt;&amp;店"
LI = Member(2001, "老李<仓>", Role.KEEPER, "laoli", frozenset({2}), NOW)
MEMBERS = [
    Member(1001, "老王", Role.OWNER, "laowang", None, NOW),
    LI,
    Member(2002, "小张", Role.SELLER, "", None, NOW),
]
WAREHOUSES = [Warehouse(1, "主仓"), Warehouse(2, "二<仓>")]
RECEIPT_ENTRY = AuditEntry(
    Action.RECEIVE, 2001, "老李<仓>", 5, "入库 A001 1200 单价 2.44", NOW, "A001", ("RK-2026-0007",), id=12
)
PRICE_ENTRY = AuditEntry(
    Action.CHANGE_PRODUCT,
    1001,
    "老王",
    5,
    "商品 修改 A001 进价 2.6 售价 3.8",
    NOW,
    "A001",
    changes=(FieldChange("purchase_price", D("2.50"), D("2.60")), FieldChange("sale_price", D("3.50"), D("3.80"))),
    id=13,
)
UNDO_ENTRY = AuditEntry(Action.UNDO, 1001, "老王", 5, "撤销 RK-2026-0007", NOW, "A001", ("CX-2026-0001",), undoes=12, id=14)
REVERSAL = movement(
    kind=MovementKind.REVERSAL,
    quantity=D("-1200"),
    value=D("-2928.00"),
    balance_quantity=D("34"),
    balance_value=D("82.59"),
    number="CX-2026-0001",
    reverses_id=7,
)
LARGE = Risk(RiskKind.LARGE_QUANTITY, D("5000"), D("48.5"))
JUMP = Risk(RiskKind.PRICE_JUMP, D("24.00"), D("2.44"))
UNDO_REASONS = {
    e.UndoRefused.ALREADY_UNDONE: ({}, ["RK-2026-0007", "已经撤销过了"]),
    e.UndoRefused.NOT_UNDOABLE: ({"action": "加入"}, ["「加入」不能撤销"]),
    e.UndoRefused.NOT_YOURS: ({}, ["RK-2026-0007", "不是你的操作", "管理员或老板"]),
    e.UndoRefused.TOO_OLD: ({"minutes": 10}, ["10 分钟", "撤销 RK-2026-0007"]),
    e.UndoRefused.STOCK_SINCE_ISSUED: (
        {"code": "A001", "name": HOSTILE, "unit": "罐", "on_hand": D("2.500")},
        ["RK-2026-0007", ESCAPED, "只剩 2.5 罐", "负库存"],
    ),
    e.UndoRefused.VALUE_WOULD_BE_NEGATIVE: ({}, ["RK-2026-0007", "库存金额变成负数"]),
    e.UndoRefused.CHANGED_SINCE: ({"code": "A001"}, ["又被修改过", "商品 修改 A001"]),
    e.UndoRefused.HAS_MOVEMENTS: ({"code": "A001"}, ["出入库流水", "商品 停用 A001"]),
    e.UndoRefused.LAYER_DRAWN: ({"code": "A001", "name": HOSTILE}, ["RK-2026-0007", "先进先出", ESCAPED, "撤销之后的出库"]),
}

HANDLE_HINT = "@ 后面写成员的 Telegram 用户名或名字，如 <code>@lisi</code>、<code>@老李</code>"

SAMPLES |= {
    "confirm/cancelled.html": {
        "cancelled": Sample({"command_text": "入库 A001 5000 <确认>"}, ["已取消", "入库 A001 5000 &lt;确认&gt;"])
    },
    "confirm/private_note.html": {"note": Sample({}, ["🔒", "私聊"])},
    "confirm/question.html": {
        "large quantity": Sample(
            {
                "question": e.NeedsConfirmation([LARGE], None, product()),
                "command_text": "入库 A001 5000 确认",
                "minutes": 5,
                "show_cost": True,
                "kind_labels": KIND_LABELS,
                "preview_kind": "NeedsConfirmation",
            },
            ["⚠️ 请确认", "入库 A001 5000 确认", "5,000", "48.5", "10 倍", "5 分钟"],
        ),
        "price jump, cost shown": Sample(
            {
                "question": e.NeedsConfirmation([JUMP], None, product()),
                "command_text": "入库 A001 5 单价 24 确认",
                "minutes": 5,
                "show_cost": True,
                "kind_labels": KIND_LABELS,
                "preview_kind": "NeedsConfirmation",
            },
            ["单价 24.00 元", "（2.44 元）", "50%"],
        ),
        "price jump in a group without cost": Sample(
            {
                "question": e.NeedsConfirmation([JUMP], None, product()),
                "command_text": "出库 A001 5 单价 24 确认",
                "minutes": 5,
                "show_cost": False,
                "kind_labels": KIND_LABELS,
                "preview_kind": "NeedsConfirmation",
            },
            ["单价 24.00 元", "50%"],
            ["2.44"],
        ),
        "undo a receipt": Sample(
            {
                "question": e.NeedsConfirmation([], None, h.UndoPreview(RECEIPT_ENTRY, movement(), product())),
                "command_text": "撤销 #12 确认",
                "minutes": 5,
                "show_cost": True,
                "kind_labels": KIND_LABELS,
                "preview_kind": "UndoPreview",
            },
            ["确认撤销 <b>RK-2026-0007</b>", "入库", "老李&lt;仓&gt;", "A001", ESCAPED, "+1,200 罐", "2,928.00", "冲销", "原命令：<code>入库 A001 1200 单价 2.44</code>"],
        ),
        "undo a receipt without cost": Sample(
            {
                "question": e.NeedsConfirmation([], None, h.UndoPreview(RECEIPT_ENTRY, movement(), product())),
                "command_text": "撤销 #12 确认",
                "minutes": 5,
                "show_cost": False,
                "kind_labels": KIND_LABELS,
                "preview_kind": "UndoPreview",
            },
            ["确认撤销 <b>RK-2026-0007</b>", "+1,200 罐", "冲销"],
            ["原命令", "2.44", "2,928.00", "金额"],
        ),
        "undo a price change without cost": Sample(
            {
                "question": e.NeedsConfirmation([], None, h.UndoPreview(PRICE_ENTRY, None, product())),
                "command_text": "撤销 #13 确认",
                "minutes": 5,
                "show_cost": False,
                "kind_labels": KIND_LABELS,
                "preview_kind": "UndoPreview",
            },
            ["确认撤销 <b>#13</b>", "售价：3.80 → 改回 3.50"],
            ["进价：", "2.60 → 改回", "原命令", "商品 修改"],
        ),
    },
    "errors/already_bound.html": {
        "this workspace": Sample({"error": e.AlreadyBound(SHOP)}, ["ℹ️", SHOP_ESCAPED, "不用再绑定"]),
        "another workspace, unnamed": Sample({"error": e.AlreadyBound("")}, ["❌", "另一个账套", "解绑"], ["「"]),
    },
    "errors/already_member.html": {"keeper": Sample({"error": e.AlreadyMember(SHOP, "仓管")}, [SHOP_ESCAPED, "仓管", "不用再加入"])},
    "errors/already_processed.html": {"redelivery": Sample({"error": e.AlreadyProcessed(42)}, ["已经处理过", "没有重复记账"])},
    "errors/cannot_manage_member.html": {
        "admin touching the owner": Sample({"error": e.CannotManageMember("老王<板>", "老板")}, ["🔒", "只有老板", "老王&lt;板&gt;"]),
        "last owner": Sample({"error": e.CannotManageMember("老王", "老板", last_owner=True)}, ["唯一的老板", "老王"]),
    },
    "errors/chat_not_bound.html": {"group": Sample({"error": e.ChatNotBound()}, ["还没有绑定账套", "绑定 &lt;账套编号&gt;"])},
    "errors/confirmation_expired.html": {
        "expired": Sample({"error": e.ConfirmationExpired()}, ["⌛", "过期或已处理"], ["只能由"]),
        "someone else's": Sample({"error": e.ConfirmationExpired(foreign=True)}, ["🔒", "只能由发出命令的人点"], ["过期"]),
    },
    "errors/edited.html": {"always": Sample({}, ["修改过的消息", "撤销"])},
    "errors/file_too_large.html": {"seven MB": Sample({"size_mb": 7.25, "limit_mb": 5}, ["7.2 MB", "5 MB", "没有读取"])},
    "errors/file_without_caption.html": {"always": Sample({}, ["导入 商品"])},
    "errors/invalid_invitation.html": {"any": Sample({"error": e.InvalidInvitation()}, ["邀请码无效", "24 小时", "邀请 &lt;角色&gt;"])},
    "errors/not_permitted.html": {
        "seller booking": Sample(
            {"error": e.NotPermitted(Role.SELLER, Permission.MOVE_STOCK, [Role.OWNER, Role.ADMIN, Role.KEEPER])},
            ["🔒", "「销售」", Permission.MOVE_STOCK.value, "需要：老板、管理员、仓管"],
        )
    },
    "errors/nothing_to_undo.html": {"ten minutes": Sample({"error": e.NothingToUndo(10)}, ["10 分钟", "撤销 &lt;单号&gt;", "日志"])},
    "errors/private_chat_only.html": {
        "join in a group": Sample({"error": e.PrivateChatOnly("加入")}, ["❌ 「加入」请在与我的私聊中发送。"], ["控制台"]),
        "join on the console": Sample(
            {"error": e.PrivateChatOnly("加入", console=True)},
            ["❌ 控制台使用本机的账套，不能「加入」。请在 Telegram 里使用这个命令。"],
            ["私聊"],
        ),
        "unbind on the console": Sample(
            {"error": e.PrivateChatOnly("解绑", group=True, console=True)}, ["控制台使用本机的账套", "「解绑」", "Telegram"], ["在群里"]
        ),
        "group setting in private": Sample(
            {"error": e.PrivateChatOnly("设置 本群", group=True)}, ["❌ 「设置 本群」要在群里发送。"], ["私聊", "控制台"]
        ),
    },
    "errors/private_failed.html": {"always": Sample({}, ["私聊", "/start"])},
    "errors/rate_limited.html": {"wait": Sample({"seconds": 42}, ["⏳", "42 秒", "没有执行"])},
    "errors/too_many_workspaces.html": {"five": Sample({"error": e.TooManyWorkspaces(5)}, ["最多创建 5 个账套"])},
    "errors/undo_refused.html": {
        why: Sample({"error": e.UndoRefused(why, "RK-2026-0007", **details)}, shows)
        for why, (details, shows) in UNDO_REASONS.items()
    },
    "errors/unknown_member.html": {
        "with candidates": Sample(
            {"error": e.UnknownMember("@李<", ["老李<仓>", "小李"])},
            ["@@李&lt;", "老李&lt;仓&gt;、小李", HANDLE_HINT],
            ["用法", "成员 设置"],
        ),
        "none close": Sample(
            {"error": e.UnknownMember("nobody")}, ["@nobody", "发送 <code>成员</code>", HANDLE_HINT], ["是不是", "用法"]
        ),
    },
    "errors/unknown_operation.html": {"number": Sample({"error": e.UnknownOperation("RK-2026-0099")}, ["RK-2026-0099", "日志"])},
    "errors/unknown_warehouse.html": {
        "known ones": Sample({"error": e.UnknownWarehouse("三<仓>", ["主仓", "二仓"])}, ["三&lt;仓&gt;", "现有：主仓、二仓", "仓库 新增 三&lt;仓&gt;"]),
        "none allowed": Sample({"error": e.UnknownWarehouse("三仓", [])}, ["三仓"], ["现有"]),
    },
    "errors/warehouse_exists.html": {"taken": Sample({"error": e.WarehouseExists("二<仓>")}, ["二&lt;仓&gt;", "已经有了"])},
    "errors/warehouse_not_allowed.html": {"main": Sample({"error": e.WarehouseNotAllowed("主仓")}, ["🔒", "「主仓」", "仓库 二仓"])},
    "help/details/undo.html": {"static": Sample({}, ["确认", "冲销", "10 分钟", "撤销 RK-2026-0003"])},
    "history/audit.html": {
        "filtered page with cost": Sample(
            {
                "result": h.AuditPage(
                    [replace(RECEIPT_ENTRY, undone_by=14), PRICE_ENTRY, UNDO_ENTRY],
                    "A001",
                    "老李<仓>",
                    Period(date(2026, 11, 22), date(2026, 11, 23), "今天"),
                    1,
                    2,
                    13,
                ),
                "show_cost": True,
            },
            ["📜", "A001", "@老李&lt;仓&gt;", "今天", "共 13 条", "1/2", "#12 11-22 10:00 老李&lt;仓&gt; · 入库 A001 · RK-2026-0007",
             "已撤销（#14）", "进价：2.50 → 2.60", "售价：3.50 → 3.80", "撤销 #12", "<code>入库 A001 1200 单价 2.44</code>"],
        ),
        "without cost": Sample(
            {"result": h.AuditPage([PRICE_ENTRY], None, None, None, 1, 1, 1), "show_cost": False},
            ["售价：3.50 → 3.80"],
            ["进价：", "页", "<code>", "商品 修改"],
        ),
        "empty": Sample({"result": h.AuditPage([], None, None, None, 1, 1, 0), "show_cost": True}, ["共 0 条", "没有记录"]),
    },
    "history/undone.html": {
        "a receipt reversed": Sample(
            {
                "result": h.Undone(RECEIPT_ENTRY, product(), REVERSAL, StockBalance(D("34"), D("82.59"))),
                "show_cost": True,
                "kind_labels": KIND_LABELS,
            },
            ["↩️ 已撤销 RK-2026-0007（入库）", "CX-2026-0001", "A001", ESCAPED, "-1,200 罐", "-2,928.00", "结存 34 罐", "82.59"],
        ),
        "a receipt reversed, no cost": Sample(
            {
                "result": h.Undone(RECEIPT_ENTRY, product(), REVERSAL, StockBalance(D("34"), D("82.59"))),
                "show_cost": False,
                "kind_labels": KIND_LABELS,
            },
            ["CX-2026-0001", "结存 34 罐"],
            ["金额", "2,928", "82.59"],
        ),
        "a price change undone": Sample(
            {
                "result": h.Undone(PRICE_ENTRY, product(), changes=tuple(FieldChange(c.field, c.after, c.before) for c in PRICE_ENTRY.changes)),
                "show_cost": False,
                "kind_labels": KIND_LABELS,
            },
            ["已撤销 #13（商品修改）", "A001", ESCAPED, "售价：3.80 → 3.50"],
            ["进价"],
        ),
    },
    "stock/warehouse_added.html": {"second": Sample({"result": s.WarehouseAdded(WAREHOUSES[1])}, ["已新增仓库「二&lt;仓&gt;」", "仓库 二&lt;仓&gt;"])},
    "stock/warehouses.html": {
        "all": Sample({"result": s.WarehouseList(WAREHOUSES, None)}, ["仓库 2 个", "主仓（默认）", "二&lt;仓&gt;"], ["无权限"]),
        "limited": Sample({"result": s.WarehouseList(WAREHOUSES, frozenset({2}))}, ["主仓（默认） · 无权限"], ["二&lt;仓&gt; · 无权限"]),
    },
    "workspace/bound.html": {
        "group": Sample({"result": w.ChatBound(3, SHOP, False)}, ["本群已绑定", SHOP_ESCAPED, "设置 本群 可见 成本"]),
        "private": Sample({"result": w.ChatBound(3, SHOP, True)}, ["私聊已切换", SHOP_ESCAPED], ["本群"]),
    },
    "workspace/created.html": {"new": Sample({"result": w.WorkspaceCreated(3, SHOP)}, [SHOP_ESCAPED, "编号 <b>3</b>", "绑定 3", "邀请 仓管"])},
    "workspace/invited.html": {
        "keeper": Sample(
            {"result": w.Invited(Invitation("3-K7FQ9XPM", Role.KEEPER, 1001, datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)), SHOP)},
            [SHOP_ESCAPED, "仓管", "<code>3-K7FQ9XPM</code>", "加入 3-K7FQ9XPM", "11-23 10:00"],
        )
    },
    "workspace/joined.html": {
        "keeper": Sample(
            {"result": w.Joined(3, SHOP, Role.KEEPER)},
            ["已加入", SHOP_ESCAPED, "仓管", f"这个私聊现在记到「{SHOP_ESCAPED}」；要切回别的账套：<code>绑定 &lt;账套编号&gt;</code>"],
        )
    },
    "workspace/member_changed.html": {
        "role": Sample({"result": w.MemberChanged(replace(LI, role=Role.BOOKKEEPER), Role.KEEPER)}, ["老李&lt;仓&gt;", "仓管 → 财务"]),
        "all warehouses": Sample({"result": w.MemberChanged(replace(LI, warehouse_ids=None))}, ["全部仓库"]),
        "limited": Sample({"result": w.MemberChanged(LI, None, ("二<仓>", "三仓"))}, ["只能使用：二&lt;仓&gt;、三仓"]),
    },
    "workspace/member_removed.html": {"keeper": Sample({"result": w.MemberRemoved(LI)}, ["已移除", "老李&lt;仓&gt;", "仓管"])},
    "workspace/members.html": {
        "three": Sample(
            {"result": w.MemberList(MEMBERS, {1: "主仓", 2: "二<仓>"}, 1, 1), "workspace_id": 3, "workspace_name": SHOP},
            [SHOP_ESCAPED, "编号 3", "3 人", "老板 · 老王 @laowang", "仓管 · 老李&lt;仓&gt; @laoli · 仅限：二&lt;仓&gt;", "销售 · 小张"],
            ["页"],
        ),
        "page 2": Sample(
            {"result": w.MemberList(MEMBERS[:1], {}, 2, 3), "workspace_id": 3, "workspace_name": SHOP}, ["第 2/3 页"]
        ),
    },
    "workspace/unbound.html": {"shop": Sample({"result": w.ChatUnbound(SHOP)}, ["已解除", SHOP_ESCAPED])},
    "workspace/visibility.html": {
        "shown": Sample({"result": w.ChatVisibilitySet(True)}, ["现在显示成本"]),
        "hidden": Sample({"result": w.ChatVisibilitySet(False)}, ["不再显示成本", "私聊"]),
    },
}

# ---- inventory (issue 5) ----------------------------------------------------------------------

MAIN = Warehouse(1, "主仓")
SECOND = Warehouse(2, "二<仓>")  # a warehouse name is user text too
SECOND_ESCAPED = "二&lt;仓&gt;"
BOXES = PackQuantity("箱", D("2"), D("24"))
COUNT = Stocktake("PD-2026-0001", SECOND, NOW, "老李<仓>")
LOSS_LINE = StocktakeLine(product(), D("60"), D("100"), NOW, "老李<仓>")
GAIN_LINE = StocktakeLine(product(code="B002", name="雪碧<&>", unit="瓶"), D("12"), D("10"), NOW, "老李<仓>")
MATCH_LINE = StocktakeLine(product(code="C003", name="芬达", unit="瓶"), D("5"), D("5"), NOW, "老李<仓>")
# 100 罐 at 2.40 counted 60, then 5 sold: the loss of 40 costs 40 × 228.00 ÷ 95 = 96.00 (docs/valuation.md).
VARIANCE = stk.StocktakeVariance(
    COUNT,
    [stk.VarianceLine(LOSS_LINE, D("-96.00")), stk.VarianceLine(GAIN_LINE, D("4.00")), stk.VarianceLine(MATCH_LINE, D("0"))],
    3,
    D("4.00"),
    D("96.00"),
    1,
    1,
    2,  # differing, over all pages
)
LOSS = movement(kind=MovementKind.STOCKTAKE_LOSS, quantity=D("-40"), value=D("-96.00"), number="PD-2026-0001")
GAIN = movement(kind=MovementKind.STOCKTAKE_GAIN, quantity=D("2"), value=D("4.00"), number="PD-2026-0001")
CONFIRMED = stk.StocktakeConfirmed(COUNT, [(LOSS_LINE, LOSS), (GAIN_LINE, GAIN)], 3, D("4.00"), D("96.00"))
TRANSFER = s.StockTransferred(
    product(), "DB-2026-0001", D("48"), D("115.20"), MAIN, SECOND, StockBalance(D("52"), D("124.80")), StockBalance(D("48"), D("115.20")), BOXES
)
SCRAP = movement(
    kind=MovementKind.SCRAP, quantity=D("-2"), value=D("-4.80"), note="破损<玻璃>&", number="BS-2026-0001", unit_price=None, counterparty=""
)
SPLIT = ((MAIN, StockBalance(D("70"), D("168.00"))), (SECOND, StockBalance(D("30"), D("72.00"))))
# The docs' negative-stock example: 5 罐 at 3.00 onto −8 罐 worth −16.00 → the adjustment −5.00 (COGS +5.00).
RESTORING = s.StockReceived(
    product(),
    movement(quantity=D("5"), value=D("15.00"), balance_quantity=D("-3"), balance_value=D("-6.00"), unit_price=D("3"), counterparty="", note=""),
    StockBalance(D("-3"), D("-6.00")),
    s.PriceSource.GIVEN,
    D("3"),
    None,
    D("-5.00"),
)
ABC_PRODUCTS = [product(code=f"A00{n}", name=f"{HOSTILE}{n}") for n in range(1, 6)]
ABC_LINES = an.classify(
    [(ABC_PRODUCTS[0], D("10"), D("50.00")), (ABC_PRODUCTS[1], D("20"), D("20.00")), (ABC_PRODUCTS[2], D("5"), D("20.00")),
     (ABC_PRODUCTS[3], D("10"), D("10.00")), (ABC_PRODUCTS[4], D("0"), D("0"))],
    D("0.7"),
    D("0.2"),
)
SUGGESTIONS = [
    an.Suggestion(product(code="R001", unit="罐"), D("20"), D("0"), D("2"), D("24"), D("52"), D("32"), "华东<饮料>&"),
    an.Suggestion(product(code="R002", name="雪碧", unit="瓶"), D("10"), D("0"), D("30") / 7, D("35"), D("100"), D("90"), ""),
]
STOCKTAKE_QUESTION = {
    "question": e.NeedsConfirmation([], None, VARIANCE),
    "command_text": "盘点 确认 仓库 二<仓> 确认",
    "minutes": 5,
    "kind_labels": KIND_LABELS,
    "preview_kind": "StocktakeVariance",
}

SAMPLES |= {
    "analysis/abc.html": {
        "70/20 over 90 days": Sample(
            {"result": an.AbcReport(90, D("0.7"), D("0.2"), D("100.00"), ABC_LINES)},
            [
                "📈 ABC 分析 · 近 90 天销售额 100.00 元 · A 70% / B 20% / C 其余",
                "A 类 2 个 · 70.00 元　B 类 1 个 · 20.00 元　C 类 2 个 · 10.00 元",
                f"A <b>A001</b> {ESCAPED}1 · 50.00 元 · 50.0%（累计 50.0%）",
                f"A <b>A002</b> {ESCAPED}2 · 20.00 元 · 20.0%（累计 70.0%）",
                f"B <b>A003</b> {ESCAPED}3 · 20.00 元 · 20.0%（累计 90.0%）",
                f"C <b>A004</b> {ESCAPED}4 · 10.00 元 · 10.0%（累计 100.0%）",
            ],
            ["A005", "只列出前 30 个", "没有出库记录"],
        ),
        "no sales": Sample(
            {"result": an.AbcReport(30, D("0.80"), D("0.15"), D("0"), an.classify([(ABC_PRODUCTS[0], D(0), D(0))], D("0.80"), D("0.15")))},
            ["近 30 天销售额 0.00 元", "A 80% / B 15%", "C 类 1 个 · 0.00 元", "这段时间没有出库记录。"],
            ["A001"],
        ),
        "more than 30 sellers": Sample(
            {
                "result": an.AbcReport(
                    90, D("0.80"), D("0.15"), D("35000"),
                    an.classify([(product(code=f"M{n:03d}", name="长" * 60), D(1), D("1000")) for n in range(35)], D("0.80"), D("0.15")),
                )
            },
            ["M029", "（只列出前 30 个）"],
            ["M030"],
        ),
    },
    "analysis/replenishment.html": {
        "two suppliers": Sample(
            {"result": an.ReplenishmentReport(30, 7, 14, SUGGESTIONS)},
            [
                "🛒 补货建议 · 按近 30 天日均销量 · 交期 7 天 · 补货周期 14 天",
                "<b>华东&lt;饮料&gt;&amp;</b>",
                f"<b>R001</b> {ESCAPED} 建议 <b>32</b> 罐 · 现有 20 · 日均 2 · 再订货点 24",
                "<b>（未记供应商）</b>",
                "<b>R002</b> 雪碧 建议 <b>90</b> 瓶 · 现有 10 · 日均 4.29 · 再订货点 35",
                "公式：再订货点 = 安全库存 + 日均 × 交期",
            ],
            ["库存都够用"],
        ),
        "nothing to order": Sample({"result": an.ReplenishmentReport(60, 7, 14, [])}, ["近 60 天", "库存都够用，暂时不用补货。", "公式"]),
    },
    "confirm/question.html": SAMPLES["confirm/question.html"]
    | {
        "stocktake, cost shown": Sample(
            {**STOCKTAKE_QUESTION, "show_cost": True},
            [
                f"📋 确认盘点 PD-2026-0001 · {SECOND_ESCAPED}：录入 3 个商品，2 个有差异",
                "盘盈 4.00 元 · 盘亏 96.00 元（按当前成本）",
                f"<b>A001</b> {ESCAPED} -40 罐",
                "<b>B002</b> 雪碧&lt;&amp;&gt; +2 瓶",
                "没有录入的商品不改动",
                "5 分钟内有效",
            ],
            ["C003", "请确认"],
        ),
        "stocktake in a group without cost": Sample(
            {**STOCKTAKE_QUESTION, "show_cost": False},
            ["📋 确认盘点 PD-2026-0001", f"<b>A001</b> {ESCAPED} -40 罐"],
            ["盘盈 4.00", "96.00", "元"],
        ),
    },
    "errors/ambiguous_stocktake.html": {
        "two counts": Sample(
            {"error": e.AmbiguousStocktake(["主仓", "二<仓>"])}, [f"❓ 主仓、{SECOND_ESCAPED} 都在盘点", "<code>盘点 A001 48 仓库 主仓</code>"]
        )
    },
    "errors/empty_stocktake.html": {"nothing counted": Sample({"error": e.EmptyStocktake("PD-2026-0001")}, ["PD-2026-0001 还没有录入", "<code>盘点 取消</code>"])},
    "errors/negative_stock_setting.html": {
        "already allowed": Sample({"error": e.NegativeStockSetting(True)}, ["ℹ️ 负库存已经是「允许」了，没有改动。"]),
        "already forbidden": Sample({"error": e.NegativeStockSetting(False)}, ["ℹ️ 负库存已经是「禁止」了，没有改动。"]),
    },
    "errors/valuation_refused.html": {
        "already": Sample({"error": e.ValuationRefused(e.ValuationRefused.ALREADY, "先进先出")}, ["ℹ️ 计价方法已经是「先进先出」了"]),
        "has movements": Sample(
            {"error": e.ValuationRefused(e.ValuationRefused.HAS_MOVEMENTS, "先进先出", current="移动加权平均")},
            ["❌ 不能改为「先进先出」", "按「移动加权平均」计价", "第一笔出入库之前"],
        ),
        "no negative": Sample(
            {"error": e.ValuationRefused(e.ValuationRefused.FIFO_NO_NEGATIVE, "先进先出")},
            ["先进先出计价不允许负库存", "<code>设置 负库存 禁止</code>"],
        ),
    },
    "errors/no_open_stocktake.html": {
        "in a warehouse": Sample(
            {"error": e.NoOpenStocktake("二<仓>")}, [f"ℹ️ {SECOND_ESCAPED}没有进行中的盘点。", f"<code>盘点 开始 {SECOND_ESCAPED}</code>"]
        ),
        "anywhere": Sample({"error": e.NoOpenStocktake(None)}, ["ℹ️ 现在没有进行中的盘点。", "<code>盘点 开始</code>"]),
    },
    "errors/same_warehouse.html": {"to itself": Sample({"error": e.SameWarehouse("二<仓>")}, [f"调出和调入都是「{SECOND_ESCAPED}」", "调拨 A001 10 主仓→二仓"])},
    "errors/stocktake_below_zero.html": {
        "sold after the count": Sample(
            {"error": e.StocktakeBelowZero("A001", HOSTILE, "罐", D("40"), D("35"))},
            [f"<b>A001</b> {ESCAPED} 盘亏 40 罐，但现在只剩 35 罐", "<code>盘点 A001 &lt;实盘数量&gt;</code>"],
        )
    },
    "errors/stocktake_open.html": {
        "already counting": Sample(
            {"error": e.StocktakeOpen("PD-2026-0001", "二<仓>")}, [f"{SECOND_ESCAPED}已经在盘点（PD-2026-0001）", "<code>盘点 取消</code>"]
        )
    },
    "stock/card.html": SAMPLES["stock/card.html"]
    | {
        "split by warehouse": Sample(
            {"result": s.StockCard(product(), StockBalance(D("100"), D("240.00")), StockStatus.OK, SPLIT), "show_cost": True},
            ["库存：<b>100</b> 罐 · 正常\n  主仓 70 罐 · 168.00 元\n  二&lt;仓&gt; 30 罐 · 72.00 元\n成本价：2.40 元/罐 · 库存金额：240.00 元"],
        ),
        "split without cost": Sample(
            {"result": s.StockCard(product(), StockBalance(D("100"), D("240.00")), StockStatus.OK, SPLIT), "show_cost": False},
            ["库存：<b>100</b> 罐 · 正常\n  主仓 70 罐\n  二&lt;仓&gt; 30 罐\n安全库存"],
            ["168.00", "72.00", "240.00", "成本价"],
        ),
        "one warehouse is no split": Sample(
            {"result": s.StockCard(product(), StockBalance(D("70"), D("168.00")), StockStatus.OK, SPLIT[:1]), "show_cost": True},
            ["库存：<b>70</b> 罐 · 正常\n成本价"],
            ["  主仓"],
        ),
    },
    "stock/issued.html": SAMPLES["stock/issued.html"]
    | {
        "below zero": Sample(
            {"result": s.StockIssued(product(), replace(ISSUE, quantity=D("-15"), value=D("-30.00")), StockBalance(D("-5"), D("-10.00")), StockStatus.OUT), "show_cost": True},
            ["出库 15 罐", "结存 -5 罐", "成本：30.00 元", "库存金额：-10.00 元", "⚠️ 负库存 -5 罐：补货入库时按补货成本调整。"],
            ["缺货"],
        ),
        "in boxes": Sample(
            {"result": s.StockIssued(product(), replace(ISSUE, quantity=D("-24")), BALANCE, StockStatus.OK, PackQuantity("箱", D("1"), D("24"))), "show_cost": False},
            ["✅ 出库 24 罐（1 箱） · <b>A001</b>"],
        ),
    },
    "stock/valuation_setting.html": {
        "fifo": Sample({"result": s.ValuationMethodSet(ValuationMethod.FIFO)}, ["✅ 计价方法：先进先出", "最早入库的批次"], ["平均成本"]),
        "average": Sample({"result": s.ValuationMethodSet(ValuationMethod.MOVING_AVERAGE)}, ["✅ 计价方法：移动加权平均"], ["批次"]),
    },
    "stock/negative_setting.html": {
        "allowed": Sample({"result": s.SettingChanged(True)}, ["✅ 已允许负库存", "差额记成本调整"], ["禁止"]),
        "forbidden": Sample({"result": s.SettingChanged(False)}, ["✅ 已禁止负库存", "会被拒绝"], ["已允许"]),
    },
    "stock/received.html": SAMPLES["stock/received.html"]
    | {
        "restores negative stock": Sample(
            {"result": RESTORING, "show_cost": True},
            ["入库 5 罐", "结存 -3 罐", "单价：3.00 元 · 金额：15.00 元", "库存金额：-6.00 元", "↪ 补回负库存：之前出库少计的成本按本次进价调整，销售成本 +5.00 元"],
        ),
        "restores negative stock, no cost here": Sample({"result": RESTORING, "show_cost": False}, ["入库 5 罐", "结存 -3 罐"], ["补回", "5.00", "15.00"]),
        "in boxes, priced per box": Sample(
            {"result": s.StockReceived(product(), movement(quantity=D("48"), value=D("115.20"), counterparty="", note=""), BALANCE, s.PriceSource.GIVEN, D("2.4"), BOXES), "show_cost": True},
            ["✅ 入库 48 罐（2 箱） · <b>A001</b>", "单价：2.40 元 · 金额：115.20 元"],
        ),
    },
    "stock/scrapped.html": {
        "with cost": Sample(
            {"result": s.StockScrapped(product(), SCRAP, SECOND, StockBalance(D("10"), D("24.00")), StockStatus.LOW), "show_cost": True},
            [f"✅ 报损 2 罐 · <b>A001</b> {ESCAPED} · 结存 10 罐", f"单号：BS-2026-0001 · {SECOND_ESCAPED} · 原因：破损&lt;玻璃&gt;&amp;", "损失（按成本）：4.80 元", "⚠️ 低于安全库存"],
        ),
        "without cost": Sample(
            {"result": s.StockScrapped(product(), SCRAP, SECOND, StockBalance(D("10"), D("24.00")), StockStatus.LOW), "show_cost": False},
            ["报损 2 罐", "原因：破损&lt;玻璃&gt;&amp;"],
            ["损失", "4.80"],
        ),
        "a box": Sample(
            {"result": s.StockScrapped(product(), replace(SCRAP, quantity=D("-24"), value=D("-57.60")), MAIN, BALANCE, StockStatus.OK, PackQuantity("箱", D("1"), D("24"))), "show_cost": True},
            ["✅ 报损 24 罐（1 箱）", "损失（按成本）：57.60 元"],
            ["⚠️"],
        ),
    },
    "stock/transferred.html": {
        "boxes with cost": Sample(
            {"result": TRANSFER, "show_cost": True},
            [
                f"✅ 调拨 48 罐（2 箱） · <b>A001</b> {ESCAPED} · 主仓 → {SECOND_ESCAPED}\n单号：DB-2026-0001 · 按成本转移 115.20 元\n主仓 结存 52 罐 · {SECOND_ESCAPED} 结存 48 罐"
            ],
        ),
        "without cost": Sample(
            {"result": replace(TRANSFER, pack=None), "show_cost": False},
            [f"✅ 调拨 48 罐 · <b>A001</b> {ESCAPED} · 主仓 → {SECOND_ESCAPED}\n单号：DB-2026-0001\n主仓 结存 52 罐"],
            ["按成本", "115.20", "箱"],
        ),
    },
    "stocktake/cancelled.html": {
        "three counted": Sample({"result": stk.StocktakeCancelled(COUNT, 3)}, [f"✅ 已取消盘点 PD-2026-0001 · {SECOND_ESCAPED}（录入的 3 个商品不记账）"])
    },
    "stocktake/confirmed.html": {
        "with cost": Sample(
            {"result": CONFIRMED, "show_cost": True},
            [
                f"✅ 盘点 PD-2026-0001 已记账 · {SECOND_ESCAPED} · 录入 3 个商品，2 个有差异",
                "盘盈 4.00 元 · 盘亏 96.00 元",
                f"<b>A001</b> {ESCAPED} -40 罐（实盘 60，账面 100） · -96.00元",
                "<b>B002</b> 雪碧&lt;&amp;&gt; +2 瓶（实盘 12，账面 10） · 4.00元",
                "<code>撤销 PD-2026-0001</code>",
            ],
            ["C003"],
        ),
        "without cost": Sample(
            {"result": CONFIRMED, "show_cost": False},
            [f"<b>A001</b> {ESCAPED} -40 罐（实盘 60，账面 100）\n<b>B002</b>"],
            ["96.00", "4.00", "盘盈 "],
        ),
    },
    "stocktake/counted.html": {
        "loss": Sample({"result": stk.StockCounted(COUNT, LOSS_LINE, 1)}, [f"📝 PD-2026-0001 · <b>A001</b> {ESCAPED} 实盘 60 罐 · 账面 100 · 盘亏 -40", "已录入 1 个商品"]),
        "gain": Sample({"result": stk.StockCounted(COUNT, GAIN_LINE, 2)}, ["实盘 12 瓶 · 账面 10 · 盘盈 +2", "已录入 2 个商品"]),
        "match": Sample({"result": stk.StockCounted(COUNT, MATCH_LINE, 3)}, ["实盘 5 瓶 · 账面 5 · 相符"], ["盘盈", "盘亏"]),
    },
    "stocktake/started.html": {
        "second warehouse": Sample({"result": stk.StocktakeStarted(COUNT)}, [f"📋 已开始盘点 PD-2026-0001 · {SECOND_ESCAPED}", "<code>盘点 A001 48</code>", "<code>盘点 取消</code>"])
    },
    "stocktake/variance.html": {
        "with cost": Sample(
            {"result": VARIANCE, "show_cost": True},
            [
                f"📋 盘点 PD-2026-0001 · {SECOND_ESCAPED} · 已录入 3 个商品\n盘盈 4.00 元 · 盘亏 96.00 元（按当前成本估算）",
                f"🔴 <b>A001</b> {ESCAPED} 实盘 60 · 账面 100 · -40 罐 · -96.00元",
                "🟢 <b>B002</b> 雪碧&lt;&amp;&gt; 实盘 12 · 账面 10 · +2 瓶 · 4.00元",
                "⚪ <b>C003</b> 芬达 实盘 5 · 账面 5 · 0 瓶",
            ],
            ["页", "还没有录入"],
        ),
        "without cost": Sample(
            {"result": VARIANCE, "show_cost": False},
            [f"🔴 <b>A001</b> {ESCAPED} 实盘 60 · 账面 100 · -40 罐\n"],
            ["元"],
        ),
        "nothing counted yet": Sample(
            {"result": stk.StocktakeVariance(COUNT, [], 0, D("0"), D("0"), 1, 1), "show_cost": True},
            ["已录入 0 个商品", "还没有录入。录入：<code>盘点 A001 48</code>"],
        ),
        "page 2 of 3": Sample({"result": replace(VARIANCE, page=2, pages=3), "show_cost": True}, ["已录入 3 个商品 · 第 2/3 页"]),
    },
}

# ---- partners (issue 4) ---------------------------------------------------------------------------

SUPPLIER = Partner(PartnerKind.SUPPLIER, "华东<饮料>", "王<经理>", "+86-13800000000", 30)
CUSTOMER = Partner(PartnerKind.CUSTOMER, "张三<超市>", "", "", 0, D("20000"))
SUPPLIER_ESCAPED = "华东&lt;饮料&gt;"
PARTNER_CHANGES = ps.PartnerChanged(
    SUPPLIER, [FieldChange("terms_days", 30, 45), FieldChange("phone", "13800000000", "13900000000"), FieldChange("contact", "", "王<经理>")]
)

SAMPLES |= {
    "errors/partner_exists.html": {
        "supplier": Sample({"error": e.PartnerExists("供应商", "华东<饮料>")}, [f"供应商「{SUPPLIER_ESCAPED}」已经有了", f"<code>供应商 修改 {SUPPLIER_ESCAPED} 账期 30天</code>"])
    },
    "errors/unknown_partner.html": {
        "with suggestions": Sample(
            {"error": e.UnknownPartner("客户", "张<三>", ["张三超市", "张三<便利>"])},
            ["没有客户「张&lt;三&gt;」", "是不是：张三超市、张三&lt;便利&gt;？", "<code>客户 新增 张&lt;三&gt;</code>"],
        ),
        "none close": Sample({"error": e.UnknownPartner("客户", "李四", [])}, ["没有客户「李四」", "<code>客户 新增 李四</code>"], ["是不是"]),
    },
    "partner/_details.html": {
        "customer": Sample({"result": ps.PartnerAdded(CUSTOMER), "show_contacts": False}, ["账期：现结 · 信用额度：20,000.00 元"], ["联系人", "电话"])
    },
    "partner/added.html": {
        "supplier, phone shown": Sample(
            {"result": ps.PartnerAdded(SUPPLIER), "show_contacts": True},
            [f"✅ 已新增供应商 <b>{SUPPLIER_ESCAPED}</b>\n联系人：王&lt;经理&gt; · 电话：+86-13800000000\n账期：30 天"],
            ["信用额度"],
        ),
        "supplier, phone hidden": Sample(
            {"result": ps.PartnerAdded(SUPPLIER), "show_contacts": False}, ["电话：已登记（不在此显示）"], ["13800000000"]
        ),
        "customer": Sample({"result": ps.PartnerAdded(CUSTOMER), "show_contacts": True}, ["✅ 已新增客户 <b>张三&lt;超市&gt;</b>", "信用额度：20,000.00 元"]),
    },
    "partner/card.html": {
        "supplier with prices": Sample(
            {
                "result": ps.PartnerCard(SUPPLIER, [("A001", HOSTILE, D("2.4")), ("B002", "雪碧", D("2.4397"))]),
                "show_contacts": True,
                "show_cost": True,
            },
            [f"🤝 供应商 <b>{SUPPLIER_ESCAPED}</b>", "电话：+86-13800000000", f"最近进价：\n<b>A001</b> {ESCAPED} 2.40 元\n<b>B002</b> 雪碧 2.4397 元"],
        ),
        "supplier without cost or phone": Sample(
            {"result": ps.PartnerCard(SUPPLIER, [("A001", HOSTILE, D("2.4"))]), "show_contacts": False, "show_cost": False},
            ["🤝 供应商", "已登记（不在此显示）"],
            ["最近进价", "2.40", "13800000000"],
        ),
    },
    "partner/changed.html": {
        "phone shown": Sample(
            {"result": PARTNER_CHANGES, "show_contacts": True},
            [f"✅ 已修改供应商 <b>{SUPPLIER_ESCAPED}</b>", "账期（天）：30 → 45", "电话：13800000000 → 13900000000", "联系人：（空） → 王&lt;经理&gt;"],
        ),
        "phone hidden": Sample({"result": PARTNER_CHANGES, "show_contacts": False}, ["账期（天）：30 → 45"], ["电话", "1380", "1390"]),
    },
    "partner/list.html": {
        "a page": Sample(
            {"result": ps.PartnerList(PartnerKind.SUPPLIER, [SUPPLIER, Partner(PartnerKind.SUPPLIER, "华南")], 2, 3, 25)},
            ["🤝 供应商 25 个 · 第 2/3 页", f"<b>{SUPPLIER_ESCAPED}</b> · 王&lt;经理&gt; · 账期 30 天", "<b>华南</b> · 账期 现结"],
            ["13800000000"],
        ),
        "none yet": Sample({"result": ps.PartnerList(PartnerKind.CUSTOMER, [], 1, 1, 0)}, ["🤝 客户 0 个", "还没有客户。"], ["页"]),
    },
}

# ---- operations (issue 8) ----
SAMPLES |= {
    "backup/sent.html": {
        "caption": Sample(
            {"name": "jxc-20261122-033000.sqlite3", "size_kb": 812.4, "taken_at": "2026-11-22 03:30"},
            ["💾", "jxc-20261122-033000.sqlite3", "812 KB", "2026-11-22 03:30", "jxc restore"],
        )
    },
    "errors/backup_not_allowed.html": {"refusal": Sample({"error": e.BackupNotAllowed()}, ["🔒", "备份", "JXC_OWNER_IDS"])},
    "errors/backup_unavailable.html": {
        "too large": Sample({"error": e.BackupUnavailable("文件 60 MB，超过 Telegram 的 50 MB 上限")}, ["❌", "60 MB", "jxc backup"])
    },
}


# ---- batches (issue 5) ----
L1 = Batch(1, 1, "L2301", date(2026, 3, 1), D("3"))
L2 = Batch(1, 2, "L2311", date(2027, 3, 1), D("5"))
BATCH_TAKES = (BatchTake("L2311", D("-5"), date(2027, 3, 1)), BatchTake("L2401", D("-1"), None))


def _batch_refused(why: str, **details: object) -> e.BatchRefused:
    return e.BatchRefused(why, "A001", HOSTILE, **details)


SAMPLES |= {
    "errors/batch_refused.html": {
        "required": Sample(
            {"error": _batch_refused(e.BatchRefused.REQUIRED)},
            [f"<b>A001</b> {ESCAPED} 按批次管理", "<code>入库 A001 50 批次 L2311 有效期 2027-03-01</code>", "生产日期"],
        ),
        "not managed": Sample({"error": _batch_refused(e.BatchRefused.NOT_MANAGED)}, ["没有启用批次管理", "商品 修改 A001 批次管理 是"]),
        "no shelf life": Sample({"error": _batch_refused(e.BatchRefused.NO_SHELF_LIFE)}, ["没有设置保质期", "商品 修改 A001 保质期 180天"]),
        "expiry required": Sample({"error": _batch_refused(e.BatchRefused.EXPIRY_REQUIRED, batch="L9")}, ["新批次 L9 要写有效期"]),
        "expiry conflict": Sample(
            {"error": _batch_refused(e.BatchRefused.EXPIRY_CONFLICT, batch="L2311", expires_on=date(2027, 3, 1))},
            ["批次 L2311 已在库，有效期是 2027-03-01"],
        ),
        "expired on arrival": Sample(
            {"error": _batch_refused(e.BatchRefused.EXPIRED_ON_ARRIVAL, batch="L2301", expires_on=date(2026, 3, 1))},
            ["有效期 2026-03-01 已过，不能入库"],
        ),
        "unknown batch": Sample(
            {"error": _batch_refused(e.BatchRefused.UNKNOWN_BATCH, batch="L9", known=["L2301", "L2311"])},
            ["没有在库的批次 L9", "在库批次：L2301、L2311"],
        ),
        "batch short": Sample(
            {"error": _batch_refused(e.BatchRefused.BATCH_SHORT, unit="罐", action="出库", batch="L2311", requested=D(6), available=D(5))},
            ["批次 L2311 只有 5 罐，不能出库 6 罐"],
        ),
        "expired": Sample(
            {"error": _batch_refused(e.BatchRefused.EXPIRED, unit="罐", action="出库", requested=D(10), usable=D(9), expired=[L1])},
            ["不能出库过期的货", "未过期的只有 9 罐", "L2301（2026-03-01 到期，3 罐）", "<code>报损 A001 3 批次 L2301 原因 过期</code>"],
        ),
        "stock on hand": Sample(
            {"error": _batch_refused(e.BatchRefused.STOCK_ON_HAND, unit="罐", on_hand=[("主仓", D(2)), ("二<仓>", D(1))])},
            ["主仓 2 罐、二&lt;仓&gt; 1 罐", "不能切换批次管理"],
        ),
        "gain without batch": Sample(
            {"error": _batch_refused(e.BatchRefused.GAIN_WITHOUT_BATCH, unit="罐", gain=D(2))},
            ["盘盈 <b>A001</b>", "2 罐 无法归入批次", "<code>入库 A001 2 批次 … 有效期 …</code>"],
        ),
    },
    "stock/card.html": SAMPLES["stock/card.html"]
    | {
        "batches, one expired": Sample(
            {
                "result": s.StockCard(
                    product(batch_managed=True), StockBalance(D("8"), D("19.20")), StockStatus.LOW, SPLIT, ((MAIN, L1), (SECOND, L2)), date(2026, 3, 10)
                ),
                "show_cost": True,
            },
            ["批次（先到期先出）：", "L2301 · 3 罐 · 主仓 · 有效期 2026-03-01 ⛔ 已过期", "L2311 · 5 罐 · 二&lt;仓&gt; · 有效期 2027-03-01"],
        ),
        "a warehouse with its own levels": Sample(
            {
                "result": s.StockCard(
                    product(), StockBalance(D("100"), D("240.00")), StockStatus.OK, SPLIT, (), None,
                    ((SECOND, StockLevels(D(40), None), StockStatus.LOW),),
                ),
            },
            ["二&lt;仓&gt;：安全库存 40 · 低于安全库存\n安全库存：20"],
        ),
    },
    "stock/issued.html": SAMPLES["stock/issued.html"]
    | {
        "from batches": Sample(
            {"result": s.StockIssued(product(), replace(ISSUE, quantity=D("-6")), BALANCE, StockStatus.OK, None, batches=BATCH_TAKES)},
            ["批次：L2311 5 罐（有效期 2027-03-01）、L2401 1 罐"],
        ),
    },
    "stock/received.html": SAMPLES["stock/received.html"]
    | {
        "into a batch": Sample(
            {"result": s.StockReceived(product(), movement(), BALANCE, s.PriceSource.GIVEN, D("2.44"), None, None, batches=(BatchTake("L2311", D("1200"), date(2027, 3, 1)),))},
            ["批次：L2311 1,200 罐（有效期 2027-03-01）"],
        ),
    },
    "analysis/replenishment.html": SAMPLES["analysis/replenishment.html"]
    | {
        "a supplier's lead time, a young product, on order": Sample(
            {
                "result": an.ReplenishmentReport(
                    30, 7, 14,
                    [an.Suggestion(product(code="N001", unit="罐"), D("4"), D("6"), D("4"), D("33"), D("89"), D("79"), "华南", 3, 10)],
                )
            },
            ["<b>华南</b> · 交期 3 天", "现有 4 · 在途 6 · 日均 4（10 天） · 再订货点 33", "不足 30 天的新商品按实际天数", "交期 7天"],
        ),
    },
    "product/levels_set.html": {
        "set": Sample(
            {"result": thr.StockLevelsSet(product(), SECOND, StockLevels(D(20), D(200)), [FieldChange("warehouse_safety_stock", None, D(20))])},
            [f"✅ 已修改 <b>A001</b> {ESCAPED} 在{SECOND_ESCAPED}的库存上下限", "本仓安全库存：（空） → 20"],
            ["改回"],
        ),
        "cleared": Sample(
            {"result": thr.StockLevelsSet(product(), MAIN, StockLevels(), [FieldChange("warehouse_max_stock", D(200), None)])},
            ["本仓最高库存：200 → （空）", "主仓改回使用商品的安全库存和最高库存。"],
        ),
    },
    "stock/scrapped.html": SAMPLES["stock/scrapped.html"]
    | {
        "an expired batch": Sample(
            {"result": s.StockScrapped(product(), SCRAP, MAIN, BALANCE, StockStatus.OK, None, (BatchTake("L2301", D("-2"), date(2026, 3, 1)),))},
            ["批次：L2301 2 罐（有效期 2026-03-01）"],
        ),
    },
}

# ---- reports (issue 7) ------------------------------------------------------------------------

from domain import reports as rp  # noqa: E402
from domain.ports import CategoryStock  # noqa: E402

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1), "本月")
R_A = product()
R_B = product(code="B003", name="雪碧", unit="瓶", id=2, safety_stock=None)
R_SALE = rp.SalesLine("A001", D(50), D("105.00"), D("72.00"), D(20), D("50.50"), R_A)
R_SALE_B = rp.SalesLine("B003", D(2), D("16.00"), D("10.00"), product=R_B)
R_TOTAL = rp.sum_sales([R_SALE, R_SALE_B])
R_FLOW = rp.FlowLine(R_A, D(100), D("240.00"), D(50), D("135.00"), D(50), D("122.50"))
R_FLOW_TOTAL = rp.FlowLine(None, D(140), D("300.00"), D(60), D("185.00"), D(52), D("132.50"))
R_HINTS = [
    rp.Hint("restock", R_A, growth=D(35), days_left=4, quantity=D(60)),
    rp.Hint("restock", R_B, growth=None, days_left=0, quantity=D(12)),
    rp.Hint("idle", R_B, quantity=D(40), value=D("1240.00"), idle_days=90),
]
R_OVERVIEW = rp.ReportOverview(
    MARCH, R_FLOW_TOTAL, 3, R_TOTAL, [R_SALE, R_SALE_B],
    [rp.SalesLine("张三<超市>", D(32), D("121.00"), D("82.00")), rp.SalesLine("（未填客户）", D(20), D(0), D(0), D(20), D("50.50"))],
    D("185.00"), [rp.SupplierTotal("华东<饮料>", 1, D("135.00")), rp.SupplierTotal("", 1, D("50.00"))], R_HINTS,
)
R_PURCHASE = rp.PurchaseLine("华东<饮料>", R_A, D(50), D("135.00"))
R_ACCOUNTS, R_ACCOUNTS_TOTAL = rp.account_lines(
    [
        rp.CashTotals("收款", "现金", D("1000.00"), 2, D("1000.00")),
        rp.CashTotals("付款", "银行", D("300.00"), 1, D("300.00")),
        rp.CashTotals("费用", "现金", D("120.50"), 1, D("120.50")),
    ]
)
R_RECEIVABLE = rp.Owed("应收", D("800.00"), D("300.00"), {"未到期": D("500.00"), "1–30天": D("300.00"), "31–60天": D(0), "61–90天": D(0), "90天以上": D(0)}, 2)
R_PAYABLE = rp.Owed("应付", D("135.00"), D(0), {"未到期": D("135.00"), "1–30天": D(0), "31–60天": D(0), "61–90天": D(0), "90天以上": D(0)}, 1)
R_FUNDS = rp.Funds(
    MARCH, R_ACCOUNTS, R_ACCOUNTS_TOTAL, {"收款": 2, "付款": 1, "其他收入": 0, "费用": 1}, R_RECEIVABLE, R_PAYABLE, date(2026, 3, 31)
)
R_QUALITY = rp.SupplierQuality("华东<饮料>", 4, 3, D(200), D(190))
R_TURN = rp.TurnoverReport(
    Period(date(2026, 2, 9), date(2026, 3, 11), "近30天"),
    [rp.TurnoverLine("B003", D(40), D(40), D(0), 30, R_B), rp.TurnoverLine("A001", D(100), D(100), D(50), 30, R_A)],
    [rp.TurnoverLine("饮料", D("300.00"), D("312.50"), D("122.50"), 30)],
    rp.TurnoverLine("合计", D("300.00"), D("312.50"), D("122.50"), 30),
    2, 1, 1,
)
R_LEVEL = rp.StockLevel(R_A, MARCH, [date(2026, 3, 1), date(2026, 3, 2)], [D(100), D(70)], D(20))

SAMPLES |= {
    "report/_report.html": {"macros only": Sample({})},
    "help/details/report.html": {"static": Sample({}, ["<code>进销存</code>", "设置 本群 可见 成本"])},
    "help/details/chart.html": {"static": Sample({}, ["图表 销售趋势 [30天]", "图表 A001 [90天]"])},
    "help/details/export.html": {"static": Sample({}, ["流水 [A001]", "导出 模板 商品"])},
    "report/overview.html": {
        "with cost": Sample(
            {"result": R_OVERVIEW, "show_cost": True},
            [
                "📊 报表 · 本月（2026-03-01~2026-03-31）",
                "期初 300.00 元 · 入库 185.00 元 · 出库 132.50 元 · 期末 352.50 元",
                "销售额 121.00 元 · 成本 82.00 元 · 毛利 39.00 元（毛利率 32.2%）",
                "未填售价的出库 20（成本 50.50 元），不计入销售额和毛利",
                f"1. <b>A001</b> {ESCAPED} · 50罐 · 105.00 元 · 毛利 33.00（31.4%）",
                "张三&lt;超市&gt; 121.00 元",
                "华东&lt;饮料&gt; · 1 个商品 · 135.00 元",
                "（未填供应商） · 1 个商品 · 50.00 元",
                "💡 <b>A001</b> 近7天销量环比 +35%，按当前速度 4 天后低于安全库存，建议补货 60 罐",
                "💡 <b>B003</b> 近7天开始有销量，库存已到安全库存，建议补货 12 瓶",
                "💡 <b>B003</b> 库存 90 天未动，占用 1,240.00 元",
            ],
        ),
        "with funds": Sample(
            {"result": replace(R_OVERVIEW, funds=R_FUNDS), "show_cost": True},
            ["<b>资金</b> · 收款 1,000.00 元 · 付款 300.00 元 · 期末余额 579.50 元", "应收 800.00 元（逾期 300.00） · 应付 135.00 元"],
        ),
        "funds in an open group": Sample(
            {"result": replace(R_OVERVIEW, funds=R_FUNDS), "show_cost": False}, ["销售额 121.00 元"], ["<b>资金</b>", "800.00"]
        ),
        "without cost": Sample(
            {"result": R_OVERVIEW, "show_cost": False},
            ["销售额 121.00 元", "💡 <b>B003</b> 库存 90 天未动，还有 40 瓶", "入库 60 · 出库 52（数量合计）"],
            ["毛利", "成本", "135.00", "1,240.00", "352.50"],
        ),
    },
    "report/section.html": {
        "资金": Sample(
            {"result": rp.ReportPage(MARCH, "资金", R_ACCOUNTS, R_ACCOUNTS_TOTAL, 1, 1, 4, funds=R_FUNDS), "show_cost": True},
            [
                "📊 资金 · 本月（2026-03-01~2026-03-31）",
                "<b>现金</b> 余额 879.50 元 · 本期 收款 1,000.00 · 付款 0.00 · 其他收入 0.00 · 费用 120.50",
                "<b>银行</b> 余额 -300.00 元",
                "<b>微信</b> 余额 0.00 元",
                "合计：收款 1,000.00 元（2 笔）· 付款 300.00 元（1 笔）· 其他收入 0.00 元 · 费用 120.50 元 · 期末余额 579.50 元",
                "<b>应收</b> 800.00 元（2 笔，逾期 300.00 元，截至 03-31）",
                "未到期 500.00 · 1–30天 300.00 · 31–60天 0.00 · 61–90天 0.00 · 90天以上 0.00",
                "<b>应付</b> 135.00 元（1 笔，截至 03-31）",
            ],
        ),
        "资金 in an open group": Sample(
            {"result": rp.ReportPage(MARCH, "资金", R_ACCOUNTS, R_ACCOUNTS_TOTAL, 1, 1, 4, funds=R_FUNDS), "show_cost": False},
            ["资金数字只在私聊或开放了敏感数据的群里显示。"],
            ["879.50", "800.00"],
        ),
        "采购 with supplier performance": Sample(
            {"result": rp.ReportPage(MARCH, "采购", [R_PURCHASE], D("135.00"), 1, 1, 1, qualities=[R_QUALITY, rp.SupplierQuality("无交期", 0, 0, D(0), D(0))]), "show_cost": False},
            ["华东&lt;饮料&gt; · 准时率 75.0%（3/4 次） · 合格率 95.0%（190/200）", "无交期 · 准时率 —（无交期） · 合格率 —"],
            ["135.00"],
        ),
        "进销存": Sample(
            {"result": rp.ReportPage(MARCH, "进销存", [R_FLOW], R_FLOW_TOTAL, 2, 3, 31), "show_cost": True},
            ["📊 进销存 · 本月（2026-03-01~2026-03-31） · 第 2/3 页", f"<b>A001</b> {ESCAPED}（罐）", "期初 100/240.00 · 入 50/135.00 · 出 50/122.50 · 期末 100/252.50"],
        ),
        "进销存 without cost": Sample(
            {"result": rp.ReportPage(MARCH, "进销存", [R_FLOW], R_FLOW_TOTAL, 1, 1, 1), "show_cost": False},
            ["期初 100 · 入 50 · 出 50 · 期末 100"],
            ["240.00", "252.50"],
        ),
        "销售": Sample(
            {"result": rp.ReportPage(MARCH, "销售", [R_SALE, R_SALE_B], R_TOTAL, 1, 1, 2), "show_cost": True},
            ["合计：52 · 121.00 元 · 毛利 39.00（32.2%）", f"<b>A001</b> {ESCAPED} · 50罐 · 105.00 元 · 毛利 33.00（31.4%） · 未定价 20"],
        ),
        "客户 without cost": Sample(
            {"result": rp.ReportPage(MARCH, "客户", [rp.SalesLine("张三<超市>", D(32), D("121.00"), D("82.00"))], R_TOTAL, 1, 1, 1), "show_cost": False},
            ["张三&lt;超市&gt; · 32 · 121.00 元"],
            ["毛利"],
        ),
        "采购": Sample(
            {"result": rp.ReportPage(MARCH, "采购", [R_PURCHASE], D("135.00"), 1, 1, 1), "show_cost": True},
            ["合计 135.00 元", f"华东&lt;饮料&gt; · <b>A001</b> {ESCAPED} · 50罐 · 135.00 元 · 均价 2.70"],
        ),
        "采购 without cost": Sample(
            {"result": rp.ReportPage(MARCH, "采购", [R_PURCHASE], D("135.00"), 1, 1, 1), "show_cost": False},
            ["50罐"],
            ["135.00", "均价"],
        ),
        "empty day list": Sample(
            {"result": rp.ReportPage(MARCH, "每日", [], rp.sum_sales([]), 1, 1, 0), "show_cost": True}, ["这段时间没有出库。"]
        ),
    },
    "report/ranking.html": {
        "by amount": Sample(
            {"result": rp.Ranking(MARCH, "金额", [R_SALE, R_SALE_B], R_TOTAL), "show_cost": True},
            ["🏆 销售排行（按金额）· 本月（2026-03-01~2026-03-31）", "2. <b>B003</b> 雪碧 · 2瓶 · 16.00 元 · 毛利 6.00（37.5%）", "全部商品：销售额 121.00 元 · 毛利 39.00 元"],
        ),
        "by profit without cost": Sample(
            {"result": rp.Ranking(MARCH, "毛利", [R_SALE], R_TOTAL), "show_cost": False},
            ["按毛利排行要能查看成本"],
            ["33.00", "A001"],
        ),
        "nothing sold": Sample({"result": rp.Ranking(MARCH, "数量", [], rp.sum_sales([])), "show_cost": True}, ["这段时间没有出库。"], ["全部商品"]),
    },
    "report/unsold.html": {
        "some": Sample(
            {"result": rp.UnsoldReport(30, [rp.UnsoldLine(R_B, D(40), D("60.00"), None), rp.UnsoldLine(R_A, D(5), D("12.00"), date(2026, 1, 3))], D("72.00"), 2, 1, 1), "show_cost": True},
            ["🐢 滞销 · 30 天没有卖出的有货商品 2 个 · 占用 72.00 元", "<b>B003</b> 雪碧 · 库存 40瓶 · 60.00 元 · 从未销售", "最后销售 2026-01-03"],
        ),
        "none, without cost": Sample(
            {"result": rp.UnsoldReport(30, [], D(0), 0, 1, 1), "show_cost": False}, ["没有滞销商品"], ["占用"]
        ),
    },
    "report/turnover.html": {
        "products and categories": Sample(
            {"result": R_TURN},
            ["🔄 库存周转 · 近30天（2026-02-09~2026-03-10）（30 天）", "饮料 · 75.0 天（0.40 次）", "整体 75.0 天", "<b>B003</b> 雪碧 · 未销售，库存 40瓶", "<b>A001</b>", "60.0 天 · 卖出 50罐"],
        ),
    },
    "report/chart_trend.html": {
        "with profit": Sample({"period": MARCH, "total": R_TOTAL, "show_cost": True, "cost_hidden": False}, ["销售额 121.00 元，毛利 39.00 元（32.2%）"]),
        "cost hidden": Sample({"period": MARCH, "total": R_TOTAL, "show_cost": False, "cost_hidden": True}, ["销售额 121.00 元", "私聊机器人"], ["毛利 39"]),
    },
    "report/chart_ranking.html": {
        "top": Sample({"period": MARCH, "result": rp.Ranking(MARCH, "金额", [R_SALE, R_SALE_B], R_TOTAL), "show_cost": True, "cost_hidden": False}, [f"第一 <b>A001</b> {ESCAPED} 105.00 元，前 2 名共 121.00 元"]),
        "empty": Sample({"period": MARCH, "result": rp.Ranking(MARCH, "金额", [], R_TOTAL), "show_cost": True, "cost_hidden": False}, ["没有销售"]),
    },
    "report/chart_stock.html": {
        "with value": Sample(
            {"period": MARCH, "values": rp.CategoryValues([CategoryStock("饮料", 2, D(140), D("312.50"))]), "show_cost": True, "cost_hidden": False},
            ["库存金额 312.50 元，1 个分类 · 2 个有货商品"],
        ),
        "without value": Sample(
            {"period": MARCH, "values": rp.CategoryValues([CategoryStock("饮料", 2, D(140), D("312.50"))]), "show_cost": False, "cost_hidden": False},
            ["1 个分类"],
            ["312.50"],
        ),
    },
    "report/chart_aging.html": {
        "aging": Sample(
            {"period": MARCH, "show_cost": True, "cost_hidden": False, "receivable": R_RECEIVABLE, "payable": R_PAYABLE},
            ["📊 应收、应付账龄（截至今天）", "应收 800.00 元，逾期 300.00 元 · 应付 135.00 元"],
        ),
        "in an open group": Sample(
            {"period": MARCH, "show_cost": False, "cost_hidden": True, "receivable": R_RECEIVABLE, "payable": R_PAYABLE},
            ["只在私聊或开放了敏感数据的群里发送", "私聊机器人发送 <code>图表 账龄</code>"],
            ["800.00"],
        ),
    },
    "report/money_withheld.html": {
        "withheld": Sample(
            {"command": c.ExportReport("应收", MARCH), "cost_hidden": True},
            ["🔒 应收含往来金额，只在私聊或开放了敏感数据的群里发送。私聊机器人发送同一命令即可。"],
        ),
    },
    "report/chart_product.html": {
        "level": Sample(
            {"period": MARCH, "level": R_LEVEL, "lowest": D(70), "show_cost": True, "cost_hidden": False},
            [f"📉 <b>A001</b> {ESCAPED} · 本月（2026-03-01~2026-03-31）：期末库存 70 罐，期间最低 70 罐，安全库存 20 罐"],
        )
    },
    "report/exported.html": {
        "a statement": Sample(
            {"command": c.ExportReport("对账单", MARCH, partner="张三<超市>"), "period": MARCH, "rows": 4, "filename": "x.xlsx", "truncated": False, "show_cost": True, "cost_hidden": False},
            ["📄 对账单 张三&lt;超市&gt; · 本月（2026-03-01~2026-03-31） · 4 行"],
        ),
        "open items": Sample(
            {"command": c.ExportReport("应收", MARCH), "period": MARCH, "rows": 2, "filename": "x.xlsx", "truncated": False, "show_cost": True, "cost_hidden": False},
            ["📄 应收 · 截至今天 · 2 行"],
        ),
        "a report": Sample(
            {"command": c.ExportReport("进销存", MARCH), "period": MARCH, "rows": 31, "filename": "x.xlsx", "truncated": False, "show_cost": True, "cost_hidden": False},
            ["📄 进销存 · 本月（2026-03-01~2026-03-31） · 31 行"],
        ),
        "ledger cut short": Sample(
            {"command": c.ExportReport("流水", MARCH, "A001"), "period": MARCH, "rows": 20000, "filename": "x.xlsx", "truncated": True, "show_cost": False, "cost_hidden": True},
            ["📄 流水 A001", "20000 行（只导出了前 20000 行", "私聊机器人"],
        ),
        "template": Sample(
            {"command": c.ExportReport("模板", MARCH), "period": MARCH, "rows": 0, "filename": "x.xlsx", "truncated": False, "show_cost": True, "cost_hidden": False},
            ["📄 商品导入模板", "<code>导入 商品</code>"],
        ),
    },
}



# ---- documents (issue 4): orders, deliveries, returns, money -------------------------------------

from domain import billing as bl  # noqa: E402
from domain import document_services as ds  # noqa: E402
from domain import documents as doc  # noqa: E402

SUPPLIER_ID = replace(SUPPLIER, id=1)
CUSTOMER_ID = replace(CUSTOMER, id=2)
PO_LINES = (
    doc.OrderLine(1, "A001", HOSTILE, "罐", D("100"), D("2.40"), done=D("98"), billed=D("235.20"), rejected=D("2"), line_no=1),
    doc.OrderLine(2, "A002", "雪碧", "罐", D("50"), D("3.00"), doc.PriceSource.PURCHASE_LIST, line_no=2),
)
PURCHASE_ORDER = doc.Order(
    doc.OrderKind.PURCHASE, "PO-2026-0001", 1, "华东<饮料>", doc.OrderStatus.PARTLY_RECEIVED, NOW, "老<王>", PO_LINES, 1,
    due_on=date(2026, 12, 1), note="年底<备货>", id=1,
)
SO_LINES = (
    doc.OrderLine(1, "A001", HOSTILE, "罐", D("10"), D("3.50"), line_no=1),
    doc.OrderLine(2, "A002", "雪碧", "罐", D("5"), D("3.00"), doc.PriceSource.LAST, line_no=2),
)
SALES_ORDER = doc.Order(
    doc.OrderKind.SALE, "SO-2026-0001", 2, "张三<超市>", doc.OrderStatus.OPEN, NOW, "小<张>", SO_LINES, 1, discount=D("0.9"), id=2
)
RECEIVABLE = doc.OpenItem(
    doc.Ledger.RECEIVABLE, 2, "张三<超市>", "CK-2026-0004", D("45.00"), date(2026, 11, 1), date(2026, 11, 16), "SO-2026-0001", D("45.00"), id=3
)
PAYABLE = doc.OpenItem(doc.Ledger.PAYABLE, 1, "华东<饮料>", "RK-2026-0003", D("285.20"), date(2026, 11, 22), date(2026, 12, 22), "PO-2026-0001", D("285.20"), id=1)


def availability(line: doc.OrderLine, on_hand: str, reserved: str) -> ds.LineAvailability:
    return ds.LineAvailability(line, D(on_hand), D(reserved))


RECEIVINGS = [
    doc.Receiving(PO_LINES[0], D("100"), D("98"), D("235.20"), D("30.53")),
    doc.Receiving(replace(PO_LINES[1], done=D("0")), D("50"), D("50"), D("150.00"), D("19.47")),
]
RECEIVED = ds.OrderReceived(
    PURCHASE_ORDER, "RK-2026-0003", RECEIVINGS, (("运费", D("50")),), bl.Posted(replace(PAYABLE, amount=D("435.20")), [])
)
SHIPPED = ds.OrderShipped(
    replace(SALES_ORDER, status=doc.OrderStatus.PARTLY_SHIPPED),
    "CK-2026-0004",
    [ds.ShippedLine(SO_LINES[0], D("6"), D("18.90"), D("14.40"))],
    bl.Posted(replace(RECEIVABLE, amount=D("18.90"), due_on=date(2026, 11, 22)), [doc.Allocation(3, "payment", 1, D("5.00"))]),
    "SF<123>",
)
RECEIPT_SOURCE = movement(number="RK-2026-0003", unit_price=D("2.40"), counterparty="华东<饮料>")
SHIPMENT_SOURCE = replace(ISSUE, number="CK-2026-0004")
SUPPLIER_RETURN = ds.GoodsReturned(
    SUPPLIER_ID, product(), D("2"), "CT-2026-0001", RECEIPT_SOURCE, D("5.42"), D("4.80"),
    bl.Posted(replace(PAYABLE, amount=D("-4.80"), number="CT-2026-0001"), []), D("430.40"),
)
CUSTOMER_RETURN = ds.GoodsReturned(
    CUSTOMER_ID, product(), D("2"), "XT-2026-0001", SHIPMENT_SOURCE, D("4.88"), D("7.00"),
    bl.Posted(replace(RECEIVABLE, amount=D("-7.00"), number="XT-2026-0001"), []), D("-2.00"),
)
PAYMENT = doc.Payment(doc.Ledger.RECEIVABLE, 2, "张三<超市>", "SK-2026-0001", D("1000.00"), doc.Account.WECHAT, NOW, date(2026, 11, 22), id=1)
TODAY_ITEMS = date(2026, 11, 22)
OVERDUE = replace(RECEIVABLE, due_on=date(2026, 9, 1), open=D("40.00"))  # 82 days overdue: 61–90
OPEN_VIEW = ds.OpenItemsView(
    doc.Ledger.RECEIVABLE,
    TODAY_ITEMS,
    [ds.PartnerOpen("张三<超市>", [OVERDUE, replace(RECEIVABLE, id=4, number="CK-2026-0009", due_on=date(2026, 12, 7))], D("85.00"), D("40.00"), doc.aging([OVERDUE], TODAY_ITEMS))],
    doc.aging([OVERDUE, replace(RECEIVABLE, due_on=date(2026, 12, 7))], TODAY_ITEMS),
    D("85.00"),
    D("12.50"),
    1,
    2,
)
STATEMENT_LINES = doc.running_balance(
    D("100.00"),
    [
        doc.StatementLine(date(2026, 11, 3), "CK-2026-0004", "销售 SO-2026-0001", D("45.00"), D("0")),
        doc.StatementLine(date(2026, 11, 5), "XT-2026-0001", "退货", D("0"), D("7.00")),
        doc.StatementLine(date(2026, 11, 9), "SK-2026-0001", "收款（微信）", D("0"), D("200.00")),
    ],
)


def question(risk: Risk, text: str) -> dict[str, object]:
    return {
        "question": e.NeedsConfirmation([risk], None, None),
        "command_text": text,
        "minutes": 5,
        "show_cost": False,
        "kind_labels": KIND_LABELS,
        "preview_kind": "NeedsConfirmation",
    }


SAMPLES |= {
    "document/_order_lines.html": {
        "purchase, prices shown": Sample(
            {"order": PURCHASE_ORDER, "show_prices": True},
            [f"<b>A001</b> {ESCAPED} 100 罐 × 2.40 = 240.00 元 · 已到 98 · 拒收 2", "A002</b> 雪碧 50 罐 × 3.00 = 150.00 元（商品进价）", "共 2 种商品 · 合计 390.00 元"],
        ),
        "purchase, prices hidden": Sample({"order": PURCHASE_ORDER, "show_prices": False}, ["共 2 种商品", "已到 98"], ["2.40", "390.00", "合计"]),
        "sale with a discount": Sample(
            {"order": SALES_ORDER, "show_prices": True},
            ["10 罐 × 3.50 = 31.50 元", "5 罐 × 3.00 = 13.50 元（该客户上次成交价）", "合计 45.00 元（90% 折后）"],
        ),
    },
    "document/order_created.html": {
        "purchase draft": Sample(
            {"result": ds.OrderCreated(replace(PURCHASE_ORDER, status=doc.OrderStatus.DRAFT, lines=tuple(replace(l, done=D(0), billed=D(0), rejected=D(0)) for l in PO_LINES))), "show_cost": True},
            ["✅ 采购单 /PO_2026_0001 · 华东&lt;饮料&gt; · 草稿", "合计 390.00 元", "交期：2026-12-01", "下一步：<code>审核 PO-2026-0001</code>"],
            ["已到"],
        ),
        "purchase draft, no cost": Sample(
            {"result": ds.OrderCreated(PURCHASE_ORDER), "show_cost": False}, ["/PO_2026_0001", "审核 PO-2026-0001"], ["2.40", "390.00"]
        ),
        "sale short of stock": Sample(
            {
                "result": ds.OrderCreated(SALES_ORDER, [availability(SO_LINES[0], "8", "2"), availability(SO_LINES[1], "40", "0")], D("0")),
                "show_cost": False,
            },
            ["✅ 销售单 /SO_2026_0001 · 张三&lt;超市&gt; · 待发货", "合计 45.00 元", "⚠️ A001 可用 6 罐（库存 8 − 其他单预留 2），缺 4", "发货：<code>发货 SO-2026-0001</code>"],
            ["A002 可用"],
        ),
    },
    "document/order.html": {
        "purchase, partly received": Sample(
            {"result": ds.OrderView(PURCHASE_ORDER, [], [PAYABLE]), "show_cost": True},
            ["📄 采购单 /PO_2026_0001 · 华东&lt;饮料&gt; · <b>部分到货</b>", "老&lt;王&gt;", "交期 2026-12-01", "未结：RK-2026-0003 285.20 元（2026-12-22 到期）", "备注：年底&lt;备货&gt;"],
        ),
        "purchase without cost": Sample({"result": ds.OrderView(PURCHASE_ORDER, [], [PAYABLE]), "show_cost": False}, ["部分到货"], ["285.20", "2.40", "未结"]),
        "open sale": Sample(
            {"result": ds.OrderView(SALES_ORDER, [availability(SO_LINES[0], "8", "2"), availability(SO_LINES[1], "40", "0")], []), "show_cost": False},
            ["A001 待发 10 · 可用 6 ⚠️ 缺 4", "A002 待发 5 · 可用 40"],
            ["未结", "备注"],
        ),
    },
    "document/orders.html": {
        "a page": Sample(
            {"result": ds.OrderList(doc.OrderKind.PURCHASE, [PURCHASE_ORDER], 2, 3, 21), "show_cost": True},
            ["📄 采购单（共 21 张）", "/PO_2026_0001 华东&lt;饮料&gt; · 部分到货 · 390.00 元", "第 2/3 页"],
        ),
        "purchases without cost": Sample({"result": ds.OrderList(doc.OrderKind.PURCHASE, [PURCHASE_ORDER], 1, 1, 1), "show_cost": False}, ["/PO_2026_0001"], ["390.00", "页"]),
        "no sales yet": Sample({"result": ds.OrderList(doc.OrderKind.SALE, [], 1, 1, 0), "show_cost": False}, ["还没有销售单", "销售 @客户 A001 10 单价 3.5"]),
    },
    "document/order_changed.html": {
        "approved": Sample(
            {"result": ds.OrderChanged(replace(PURCHASE_ORDER, status=doc.OrderStatus.APPROVED), "审核")},
            ["✅ 采购单 /PO_2026_0001 已审核 · 华东&lt;饮料&gt; · 已审核", "<code>到货 PO-2026-0001 A001 100 合格 98</code>"],
        ),
        "sale closed": Sample({"result": ds.OrderChanged(replace(SALES_ORDER, status=doc.OrderStatus.CLOSED), "关闭")}, ["已关闭", "预留库存已释放"]),
    },
    "document/received.html": {
        "QC rejection and freight, cost shown": Sample(
            {"result": RECEIVED, "show_cost": True},
            [
                "✅ 到货 /PO_2026_0001 · 华东&lt;饮料&gt; · 入库单 RK-2026-0003",
                f"<b>A001</b> {ESCAPED} 到 100 · 合格 98 · 拒收 2 罐 · 235.20 元 + 分摊 30.53 元 → 单位成本 2.7115 元",
                "150.00 元 + 分摊 19.47 元 → 单位成本 3.3894 元",
                "费用：运费 50.00 元（按货值分摊进成本）",
                "应付 华东&lt;饮料&gt; 435.20 元，2026-12-22 到期",
                "拒收的货已记在 华东&lt;饮料&gt; 名下",
                "单据状态：<b>部分到货</b>",
            ],
        ),
        "no cost shown": Sample({"result": RECEIVED, "show_cost": False}, ["合格 98 · 拒收 2"], ["235.20", "运费", "应付 华东", "435.20"]),
        "everything rejected": Sample(
            {"result": ds.OrderReceived(PURCHASE_ORDER, "", [doc.Receiving(PO_LINES[1], D("5"), D("0"))], (), None), "show_cost": True},
            ["到 5 · 合格 0 · 拒收 5", "不入库、不计应付"],
            ["入库单", "应付 华东"],
        ),
    },
    "document/shipped.html": {
        "partial, cost shown": Sample(
            {"result": SHIPPED, "show_cost": True},
            [
                "✅ 发货 /SO_2026_0001 · 张三&lt;超市&gt; · 出库单 CK-2026-0004 · 快递 SF&lt;123&gt;",
                f"<b>A001</b> {ESCAPED} 6 罐 · 18.90 元 · 成本 14.40 · 毛利 4.50",
                "应收 张三&lt;超市&gt; 18.90 元，2026-11-22 到期（已用预收冲抵 5.00 元）",
                "单据状态：<b>部分发货</b>",
            ],
        ),
        "a seller sees no cost": Sample({"result": SHIPPED, "show_cost": False}, ["18.90 元"], ["成本", "毛利", "14.40"]),
    },
    "document/returned.html": {
        "to the supplier": Sample(
            {"result": SUPPLIER_RETURN, "show_cost": True},
            ["✅ 退货 CT-2026-0001 · 华东&lt;饮料&gt; · <b>A001</b>", "2 罐", "按原进价（RK-2026-0003）4.80 元，应付相应减少", "应付余额：430.40 元"],
        ),
        "to the supplier, no cost": Sample({"result": SUPPLIER_RETURN, "show_cost": False}, ["按原进价（RK-2026-0003）"], ["4.80", "430.40"]),
        "from a customer into credit": Sample(
            {"result": CUSTOMER_RETURN, "show_cost": False},
            ["✅ 退货 XT-2026-0001 · 张三&lt;超市&gt;", "客户退回入库，按出库成本（CK-2026-0004）；应收减少 7.00 元。", "客户预收余额：2.00 元"],
            ["4.88"],
        ),
    },
    "document/paid.html": {
        "allocated with credit left": Sample(
            {"result": ds.PaymentRecorded(PAYMENT, [("CK-2026-0004", D("45.00")), ("CK-2026-0009", D("40.00"))], D("915.00"), D("-915.00"))},
            ["✅ 收款 SK-2026-0001 · 张三&lt;超市&gt; · 1,000.00 元（微信）", "冲 CK-2026-0004 45.00 元", "冲 CK-2026-0009 40.00 元", "预收 915.00 元，留作下次冲抵。", "预收余额 915.00 元"],
        ),
        "a supplier still owed": Sample(
            {"result": ds.PaymentRecorded(replace(PAYMENT, ledger=doc.Ledger.PAYABLE, number="FK-2026-0001", partner_name="华东<饮料>", account=doc.Account.BANK, amount=D("200")), [("RK-2026-0003", D("200.00"))], D("0"), D("235.20"))},
            ["✅ 付款 FK-2026-0001 · 华东&lt;饮料&gt; · 200.00 元（银行）", "冲 RK-2026-0003 200.00 元", "还欠供应商 235.20 元"],
            ["预付"],
        ),
    },
    "document/open_items.html": {
        "receivables with aging": Sample(
            {"result": OPEN_VIEW},
            [
                "💰 应收合计 85.00 元（2026-11-22）",
                "未到期 45.00 · 61–90天 40.00",
                "<b>张三&lt;超市&gt;</b> 85.00 元 · 逾期 40.00 元",
                "CK-2026-0004（SO-2026-0001） 40.00 元 · 2026-11-01 · 2026-09-01 到期 · 逾期 82 天",
                "预收未冲抵：12.50 元",
                "第 1/2 页",
            ],
        ),
        "nothing open": Sample(
            {"result": ds.OpenItemsView(doc.Ledger.PAYABLE, TODAY_ITEMS, [], doc.aging([], TODAY_ITEMS), D("0"), D("0"), 1, 1)},
            ["💰 应付合计 0.00 元", "没有未结的应付。"],
            ["预付", "页"],
        ),
    },
    "document/statement.html": {
        "a month": Sample(
            {"result": ds.Statement(CUSTOMER_ID, doc.Ledger.RECEIVABLE, date(2026, 11, 1), date(2026, 11, 30), D("100.00"), STATEMENT_LINES, D("-62.00"))},
            [
                "📒 对账单 · 张三&lt;超市&gt;（客户）· 2026-11-01 至 2026-11-30",
                "期初余额：100.00 元",
                "2026-11-03 CK-2026-0004 销售 SO-2026-0001 +45.00 → 145.00",
                "2026-11-05 XT-2026-0001 退货 −7.00 → 138.00",
                "2026-11-09 SK-2026-0001 收款（微信） −200.00 → -62.00",
                "期末余额：<b>-62.00</b> 元（预收）",
            ],
        ),
        "quiet supplier": Sample(
            {"result": ds.Statement(SUPPLIER_ID, doc.Ledger.PAYABLE, date(2026, 11, 1), date(2026, 11, 30), D("50.00"), [], D("50.00"))},
            ["本期没有往来。", "期末余额：<b>50.00</b> 元（我方欠供应商）"],
        ),
    },
    "document/tax_rate.html": {
        "13%": Sample({"result": ds.TaxRateSet(D("0.13"))}, ["✅ 税率设为 13%", "已有单据不变"]),
        "none": Sample({"result": ds.TaxRateSet(None)}, ["✅ 已取消税率"]),
    },
    "document/cash.html": {
        "expense": Sample(
            {"result": ds.CashRecorded(doc.CashEntry("FY-2026-0001", False, D("300"), doc.Account.BANK, "水<电>", NOW))},
            ["✅ 费用 FY-2026-0001 · 300.00 元（银行）· 水&lt;电&gt;"],
        ),
        "income": Sample({"result": ds.CashRecorded(doc.CashEntry("SR-2026-0001", True, D("200"), doc.Account.CASH, "房租转租", NOW))}, ["✅ 其他收入 SR-2026-0001 · 200.00 元（现金）"]),
    },
    "help/details/po.html": {"static": Sample({}, ["审核 PO-…", "合格 …", "/PO_2026_0001"])},
    "help/details/so.html": {"static": Sample({}, ["预留库存", "折扣 9折", "信用额度", "/SO_2026_0001"])},
    "help/details/receive.html": {"static": Sample({}, ["预收", "微信"])},
    "help/details/pay.html": {"static": Sample({}, ["预付", "银行"])},
    "help/details/ar.html": {"static": Sample({}, ["90天以上", "对账单 @客户 本月"])},
    "help/details/ap.html": {"static": Sample({}, ["账龄", "付款 @供应商 金额"])},
    "errors/ambiguous_partner.html": {
        "both kinds": Sample({"error": e.AmbiguousPartner("老<李>", "退货")}, ["老&lt;李&gt; 既是供应商也是客户", "<code>退货 供应商 @老&lt;李&gt; …</code>", "<code>退货 客户 @老&lt;李&gt; …</code>"])
    },
    "errors/credit_limit.html": {
        "over": Sample(
            {"error": e.CreditLimitExceeded("张三<超市>", D("2000"), D("1500"), D("800"))},
            ["🔒 张三&lt;超市&gt; 超出信用额度：未收 1,500.00 元 + 本单 800.00 元 &gt; 额度 2,000.00 元", "管理员或老板确认", "收款 @张三&lt;超市&gt;"],
        )
    },
    "errors/document_refused.html": {
        "missing price": Sample(
            {"error": e.DocumentRefused(e.DocumentRefused.MISSING_PRICE, code="A001", name=HOSTILE, kind="售价")}, [f"A001 {ESCAPED} 没有售价", "A001 10 单价 3.5"]
        ),
        "duplicate line": Sample({"error": e.DocumentRefused(e.DocumentRefused.DUPLICATE_LINE, code="A001")}, ["A001 写了两次，请合并成一行。"]),
        "accepted over": Sample(
            {"error": e.DocumentRefused(e.DocumentRefused.ACCEPTED_OVER, code="A001", arrived=D("5"), accepted=D("6"), unit="罐")},
            ["A001 合格 6 罐 多于到货 5 罐。"],
        ),
        "fees without goods": Sample(
            {"error": e.DocumentRefused(e.DocumentRefused.FEES_WITHOUT_GOODS, number="PO-2026-0001", fees=D("50"))},
            ["PO-2026-0001 这次没有合格入库的货，费用 50.00 元无处分摊", "费用 50.00 运费"],
        ),
        "nothing left to receive": Sample({"error": e.DocumentRefused(e.DocumentRefused.NOTHING_LEFT, number="PO-2026-0001")}, ["PO-2026-0001 已全部到货，没有剩余。"]),
        "nothing left to ship": Sample({"error": e.DocumentRefused(e.DocumentRefused.NOTHING_LEFT, number="SO-2026-0001")}, ["SO-2026-0001 已全部发货"]),
        "return against a foreign number": Sample(
            {"error": e.DocumentRefused(e.DocumentRefused.NOT_A_RECEIPT, number="RK-2026-0009", action="退货", partner="华东<饮料>", code="A001")},
            ["RK-2026-0009 不是 华东&lt;饮料&gt; 的 A001 进货或发货单", "不写单号"],
        ),
        "receive a sales order": Sample(
            {"error": e.DocumentRefused(e.DocumentRefused.NOT_A_RECEIPT, number="SO-2026-0001", action="到货")}, ["SO-2026-0001 不能到货：到货要用采购单号（PO-…）。"]
        ),
        "ship a purchase order": Sample(
            {"error": e.DocumentRefused(e.DocumentRefused.NOT_A_RECEIPT, number="PO-2026-0001", action="发货")}, ["PO-2026-0001 不能发货：发货要用销售单号（SO-…）。"]
        ),
    },
    "errors/illegal_transition.html": {
        "receive a draft": Sample({"error": e.IllegalTransition("PO-2026-0001", "草稿", "到货")}, ["PO-2026-0001 还是草稿，审核后才能到货", "<code>审核 PO-2026-0001</code>"]),
        "approve twice": Sample({"error": e.IllegalTransition("PO-2026-0001", "已审核", "审核")}, ["ℹ️ PO-2026-0001 已经审核过了"]),
        "ship a closed order": Sample({"error": e.IllegalTransition("SO-2026-0001", "已关闭", "发货")}, ["❌ SO-2026-0001 已关闭，不能发货", "<code>/SO_2026_0001</code>"]),
    },
    "errors/not_on_order.html": {
        "other codes": Sample({"error": e.NotOnOrder("PO-2026-0001", "B<9>", ["A001", "A002"])}, ["PO-2026-0001 上没有 B&lt;9&gt;", "A001、A002"])
    },
    "errors/nothing_to_return.html": {
        "supplier": Sample(
            {"error": e.NothingToReturn("供应商", "华东<饮料>", "A001", HOSTILE, "罐", D("5"), D("2"))},
            [f"华东&lt;饮料&gt; 的 A001 {ESCAPED} 最多还能退 2 罐（从它进的货减去已退的），不能退 5 罐"],
        ),
        "customer, nothing": Sample(
            {"error": e.NothingToReturn("客户", "张三<超市>", "A001", HOSTILE, "罐", D("1"), D("0"))}, ["最多还能退 0 罐（卖给它的货减去已退的）"]
        ),
    },
    "errors/unknown_document.html": {
        "purchase order": Sample({"error": e.UnknownDocument("PO-2026-0099")}, ["没有单据 PO-2026-0099", "<code>采购单</code>"]),
        "sales order": Sample({"error": e.UnknownDocument("SO-2026-0099")}, ["<code>销售单</code>"]),
        "stock document": Sample({"error": e.UnknownDocument("RK-2026-0099")}, ["<code>流水 &lt;编码&gt;</code>"]),
    },
    "confirm/question.html": SAMPLES["confirm/question.html"]
    | {
        "over delivery": Sample(
            question(Risk(RiskKind.OVER_DELIVERY, D("120"), D("100")), "到货 PO-2026-0001 A001 120 确认"),
            ["⚠️ 请确认：<code>到货 PO-2026-0001 A001 120 确认</code>", "· 数量 120 超过单据剩余 100"],
        ),
        "credit limit": Sample(
            question(Risk(RiskKind.CREDIT_LIMIT, D("2300"), D("2000")), "销售 @张三超市 A001 100 确认"),
            ["· 未收款加本单共 2,300.00 元，超出信用额度 2,000.00 元"],
        ),
    },
    "stock/issued.html": SAMPLES["stock/issued.html"]
    | {
        "billed to a customer": Sample(
            {
                "result": s.StockIssued(
                    product(), ISSUE, BALANCE, StockStatus.OK,
                    billing=bl.QuickBilling(CUSTOMER_ID, bl.Posted(replace(RECEIVABLE, amount=D("42.00"), due_on=date(2026, 11, 22)), [])),
                ),
                "show_cost": False,
            },
            ["应收 张三&lt;超市&gt; 42.00 元，2026-11-22 到期"],
            ["现款"],
        ),
        "paid in cash": Sample(
            {
                "result": s.StockIssued(
                    product(), ISSUE, BALANCE, StockStatus.OK,
                    billing=bl.QuickBilling(CUSTOMER_ID, bl.Posted(replace(RECEIVABLE, amount=D("42.00")), []), replace(PAYMENT, amount=D("42.00"), account=doc.Account.CASH)),
                ),
                "show_cost": False,
            },
            ["现款已收 42.00 元（SK-2026-0001）"],
            ["到期"],
        ),
        "unknown customer": Sample(
            {"result": s.StockIssued(product(), ISSUE, BALANCE, StockStatus.OK, billing=bl.QuickBilling(None, unknown="张三<超市>")), "show_cost": False},
            ["张三&lt;超市&gt; 不是已建档的客户，未记应收", "<code>客户 新增 张三&lt;超市&gt;</code>"],
        ),
    },
    "stock/received.html": SAMPLES["stock/received.html"]
    | {
        "billed by a supplier": Sample(
            {
                "result": s.StockReceived(
                    product(), movement(), BALANCE, s.PriceSource.GIVEN, D("2.44"),
                    billing=bl.QuickBilling(SUPPLIER_ID, bl.Posted(replace(PAYABLE, amount=D("2928.00")), [doc.Allocation(1, "payment", 1, D("100.00"))])),
                ),
                "show_cost": True,
            },
            ["应付 华东&lt;饮料&gt; 2,928.00 元，2026-12-22 到期（已用预付冲抵 100.00 元）"],
        ),
        "payable hidden without cost": Sample(
            {
                "result": s.StockReceived(
                    product(), movement(), BALANCE, s.PriceSource.GIVEN, D("2.44"), billing=bl.QuickBilling(SUPPLIER_ID, bl.Posted(PAYABLE, []))
                ),
                "show_cost": False,
            },
            ["入库 1,200 罐"],
            ["应付", "285.20"],
        ),
        "unknown supplier": Sample(
            {"result": s.StockReceived(product(), movement(), BALANCE, s.PriceSource.GIVEN, D("2.44"), billing=bl.QuickBilling(None, unknown="百事<批发>")), "show_cost": True},
            ["百事&lt;批发&gt; 不是已建档的供应商，未记应付", "<code>供应商 新增 百事&lt;批发&gt;</code>"],
        ),
    },
}


# ---- alerts (issue 6) ------------------------------------------------------------------------------

from datetime import time  # noqa: E402

from domain import alert_services as als  # noqa: E402
from domain import alerts as al  # noqa: E402

LOW = al.LowStock("A001", "可口可乐", "罐", D("8.000"), D("20.000"), D("5.00"), 7, D("1.6"), D("97"))
LOW_UNSOLD = al.LowStock("B002", HOSTILE, "瓶", D("0"), D("10"), D("0"), 7, None, D("10"))
OVER = al.OverStock("C003", "雪碧", "罐", D("130"), D("100"))
DUE_ITEMS = (
    al.OpenItem("华东<饮料>", "PO-2026-0001", D("9000"), date(2026, 11, 25)),
    al.OpenItem("百事", "PO-2026-0002", D("6000"), date(2026, 11, 25)),
)
PAYABLES = al.PayablesDue(date(2026, 11, 25), 3, D("15000.00"), DUE_ITEMS)
PAY_OVERDUE = al.PayablesOverdue("华东饮料", 1, D("9000.00"), 5, DUE_ITEMS[:1])
RECEIVABLES = al.ReceivablesOverdue(
    "张三超市", 4, D("3200.00"), 12,
    (al.OpenItem("张三超市", "SO-2026-0001", D("1200"), date(2026, 11, 10), 4), al.OpenItem("张三超市", "SO-2026-0003", D("2000"), date(2026, 11, 15), 4)),
)
DIGEST = al.DailyDigest(date(2026, 11, 22), D("1234.50"), D("234.50"), D("560"), 12, 5, D("12345.6"), 3, 2, 1)
GONE = al.ChatGone(-100123, ("库存", "日报"), "Forbidden: bot was kicked from the group chat")
ACTIVE = al.ActiveAlerts([LOW, OVER, RECEIVABLES], {("low_stock", "A001"): datetime(2026, 11, 29, 1, 0, tzinfo=timezone.utc)}, (al.Topic.PAYABLES,))
LOW_LINE = "⚠️ <b>A001</b> 可口可乐 库存 8 罐，低于安全库存 20（近7天日均销量 5，约 1.6 天售罄）"

SAMPLES |= {
    "alert/_line.html": {"macro only": Sample({}, [], ["⚠️"])},
    "alert/single.html": {
        "low stock, as the issue words it": Sample({"alert": LOW, "show_money": False}, [LOW_LINE]),
        "low stock, nothing sold": Sample(
            {"alert": LOW_UNSOLD, "show_money": False}, [f"⚠️ <b>B002</b> {ESCAPED} 库存 0 瓶，低于安全库存 10（近7天没有销量）"]
        ),
        "over-stock": Sample({"alert": OVER, "show_money": False}, ["📦 <b>C003</b> 雪碧 库存 130 罐，超过最高库存 100（多 30 罐）"]),
        "payables due": Sample(
            {"alert": PAYABLES, "show_money": True},
            ["💰 3 天后有 15,000.00 元应付账款到期：华东&lt;饮料&gt; PO-2026-0001 9,000.00；百事 PO-2026-0002 6,000.00"],
        ),
        "payables due today": Sample({"alert": replace(PAYABLES, days=0), "show_money": True}, ["💰 今天有 15,000.00 元应付账款到期"]),
        "payables overdue": Sample({"alert": PAY_OVERDUE, "show_money": True}, ["🔴 应付逾期：华东饮料 9,000.00 元，最长已逾期 5 天"]),
        "receivables overdue, one per customer": Sample(
            {"alert": RECEIVABLES, "show_money": True},
            ["🔴 张三超市 应收逾期 3,200.00 元，最长逾期 12 天（SO-2026-0001 1,200.00；SO-2026-0003 2,000.00）"],
        ),
        "digest with money": Sample(
            {"alert": DIGEST, "show_money": True},
            ["📊 <b>日报 2026-11-22</b>\n销售 1,234.50 元 · 毛利 234.50 元（出库 12 笔）\n入库 5 笔 · 560.00 元\n库存金额 12,345.60 元\n"
             "低于安全库存 3 种 · 近期到期应付 2 笔 · 逾期应收客户 1 个"],
        ),
        "digest without money": Sample(
            {"alert": replace(DIGEST, payables_due=None, receivables_overdue=None), "show_money": False},
            ["销售 1,234.50 元（出库 12 笔）\n入库 5 笔\n低于安全库存 3 种"],
            ["毛利", "库存金额", "560.00", "应付"],
        ),
        "chat gone": Sample({"alert": GONE, "show_money": False}, ["⚠️ 无法再向聊天 -100123 推送预警", "已停止它的订阅：库存 日报"]),
        "batch expiring": Sample(
            {"alert": al.BatchExpiring("B001", HOSTILE, "盒", "", "L1", date(2026, 12, 1), D("10.000"), 9), "show_money": False},
            [f"⏳ <b>B001</b> {ESCAPED} 批次 L1 10 盒 9 天后到期（2026-12-01）"],
        ),
        "batch expiring today, in a named warehouse": Sample(
            {"alert": al.BatchExpiring("B001", "鲜牛奶", "盒", "二仓", "L1", date(2026, 11, 22), D("2.5"), 0), "show_money": False},
            ["⏳ <b>B001</b> 鲜牛奶 批次 L1（二仓） 2.5 盒 今天到期"],
        ),
        "batch expired, with the scrap command": Sample(
            {"alert": al.BatchExpired("B001", "鲜牛奶", "盒", "二仓", "L0", date(2026, 11, 19), D("12000"), 3), "show_money": False},
            ["⛔ <b>B001</b> 鲜牛奶 批次 L0（二仓） 12,000 盒 已过期 3 天（2026-11-19 到期），请报损："
             "<code>报损 B001 12000 仓库 二仓 批次 L0 原因 过期</code>"],
        ),
    },
    "alert/batch.html": {
        "several at once": Sample(
            {"alerts": [DIGEST, LOW, OVER], "total": 4, "show_money": True},
            ["🔔 <b>预警 4 条</b>\n📊 <b>日报 2026-11-22</b>", f"{LOW_LINE}\n📦 <b>C003</b>", "…还有 1 条，发送「预警」查看全部。"],
        ),
        "all listed": Sample({"alerts": [LOW, LOW_UNSOLD], "total": 2, "show_money": False}, ["🔔 <b>预警 2 条</b>", ESCAPED], ["还有"]),
    },
    "alert/subscriptions.html": {
        "subscribed": Sample(
            {"result": als.SubscriptionsResult([al.Topic.STOCK, al.Topic.DIGEST], added=[al.Topic.STOCK], unchanged=[al.Topic.DIGEST], action="subscribe")},
            ["✅ 已订阅：库存\n🔔 这里订阅的预警：库存 日报"],
        ),
        "already": Sample(
            {"result": als.SubscriptionsResult([al.Topic.STOCK], unchanged=[al.Topic.STOCK], action="subscribe")}, ["这里已经订阅了：库存"]
        ),
        "unsubscribed": Sample(
            {"result": als.SubscriptionsResult([al.Topic.STOCK], removed=[al.Topic.RECEIVABLES], action="unsubscribe")}, ["✅ 已退订：应收\n🔔 这里订阅的预警：库存"]
        ),
        "nothing to unsubscribe": Sample(
            {"result": als.SubscriptionsResult([], unchanged=[al.Topic.RECEIVABLES], action="unsubscribe")},
            ["这里没有订阅：应收\n这里还没有订阅预警。发送 <code>订阅 预警 库存 日报</code> 开始接收。"],
        ),
        "list": Sample({"result": als.SubscriptionsResult([al.Topic.STOCK, al.Topic.PAYABLES])}, ["🔔 这里订阅的预警：库存 应付"], ["✅"]),
    },
    "alert/active.html": {
        "with money": Sample(
            {"result": ACTIVE, "show_cost": True},
            ["🔔 <b>当前预警 3 条</b>", f"{LOW_LINE}（已忽略至 11-29 09:00）\n📦", "🔴 张三超市 应收逾期", "「应付」预警在有相应的单据后开始检查。"],
        ),
        "a group without money": Sample({"result": ACTIVE, "show_cost": False}, ["🔔 <b>当前预警 2 条</b>"], ["张三超市", "3,200.00"]),
        "none": Sample({"result": al.ActiveAlerts(), "show_cost": True}, ["✅ 现在没有预警。"], ["单据"]),
    },
    "alert/checked.html": {
        "new and cleared": Sample(
            {"result": als.AlertCheck(als.Evaluation([LOW], 1, 2), ACTIVE, 1), "show_cost": True},
            ["🔎 已检查：新预警 1 条，解除 1 条，排队推送 2 条。\n🔔 <b>当前预警 3 条</b>"],
        ),
        "nobody subscribed": Sample(
            {"result": als.AlertCheck(als.Evaluation(), al.ActiveAlerts(), 0), "show_cost": True},
            ["🔎 已检查：新预警 0 条，排队推送 0 条（还没有聊天订阅预警）。\n✅ 现在没有预警。"],
        ),
    },
    "alert/snoozed.html": {
        "seven days": Sample(
            {"result": als.Snoozed("A001", HOSTILE, datetime(2026, 11, 29, 1, 0, tzinfo=timezone.utc), 7)},
            [f"🔕 已忽略 <b>A001</b> {ESCAPED} 的库存预警 7 天（至 11-29 09:00）。"],
        )
    },
    "alert/settings.html": {
        "changed": Sample(
            {"result": als.AlertSettingsResult(al.AlertSettings(digest_at=time(20, 30), quiet_from=time(22), quiet_until=time(8)), ["quiet"])},
            ["✅ 预警设置已更新。", "日报时间：20:30\n免打扰：22:00-08:00（期间的预警在结束时发出）\n日均销量按近 7 天 · 应付提前 3 天提醒 · 临期 30 天"],
        ),
        "shown": Sample({"result": als.AlertSettingsResult(al.AlertSettings())}, ["⚙️ <b>预警设置</b>\n日报时间：21:00\n免打扰：关闭"], ["✅"]),
    },
    "alert/no_supplier.html": {
        "static": Sample({"code": "A001", "quantity": "97"}, ["还不知道 A001 常用的供应商", "请直接发送：采购 @供应商 A001 97"])
    },
    "alert/no_partner.html": {"static": Sample({}, ["找不到这位客户（可能已删除）。请发送：对账单 @客户名"])},
    "errors/alert_topic_refused.html": {
        "role": Sample({"error": e.AlertTopicRefused("应收", ["老板", "管理员", "财务"])}, ["🔒 订阅「应收」预警需要收付款权限：老板、管理员、财务。未订阅。"]),
        "group": Sample({"error": e.AlertTopicRefused("应付")}, ["🔒 「应付」预警含金额，只推送到私聊或已设置「设置 本群 可见 成本」的群。未订阅。"]),
    },
    "help/details/alerts.html": {"static": Sample({}, ["订阅 预警 库存 日报", "忽略 7 天", "设置 预警 日报 21:00"])},
}

CASES = [(template, name) for template, samples in SAMPLES.items() for name in samples]


def test_every_template_has_a_rendering_sample(renderer: Renderer) -> None:
    templates = set(renderer.env.list_templates(extensions=["html"]))
    missing = templates - set(SAMPLES)
    assert not missing, f"templates without a sample in test_rendering.SAMPLES: {sorted(missing)}"
    assert not set(SAMPLES) - templates, "samples for templates that no longer exist"


@pytest.mark.parametrize(("template", "name"), CASES, ids=[f"{t}:{n}" for t, n in CASES])
def test_every_template_renders_its_sample_as_short_valid_telegram_html(
    renderer: Renderer, check_html, template: str, name: str
) -> None:
    sample = SAMPLES[template][name]
    text = renderer.render(template, **sample.context)
    check_html(text)
    assert len(text) < MAX_REPLY_LENGTH
    assert HOSTILE not in text, "user text must be escaped"
    for shown in sample.shows:
        assert shown in text, f"{shown!r} missing from:\n{text}"
    for hidden in sample.hides:
        assert hidden not in text, f"{hidden!r} should not be in:\n{text}"
    assert "\n\n\n" not in text


def test_a_hostile_product_name_is_escaped_in_every_reply_that_shows_it(renderer: Renderer) -> None:
    shown = 0
    for template, name in CASES:
        text = renderer.render(template, **SAMPLES[template][name].context)
        assert "<可乐" not in text and "可乐&>" not in text, template
        shown += ESCAPED in text
    assert shown >= 15


def test_a_full_page_of_long_names_stays_under_telegrams_limit(renderer: Renderer) -> None:
    longest = [product(code=f"{'X' * 28}{n:04d}", name="长" * 60, spec="规" * 60, unit="单" * 8) for n in range(10)]
    overview = s.StockOverview(
        [(StockLine(p, StockBalance(D("9999999.999"), D("9999999.99"))), StockStatus.OK) for p in longest],
        StockTotals(10_000, D("99999999.99"), 0, 0),
        9999,
        10_000,
    )
    for template, result in (
        ("stock/overview.html", overview),
        ("product/list.html", s.ProductMatches("长" * 32, longest, 9999, 10_000, 99_999)),
    ):
        assert len(renderer.render(template, result=result)) < MAX_REPLY_LENGTH, template


def test_help_topic_includes_the_details_of_each_available_command(renderer: Renderer) -> None:
    for verb in VERBS:
        text = renderer.render("help/topic.html", verb=verb)
        if verb.available and verb.slash:
            assert "•" in text, f"{verb.name}: help/details/{verb.slash[0]}.html not included"


# ---- which template explains which refusal -------------------------------------------------


def _domain_error_subclasses() -> list[type[e.DomainError]]:
    return [
        kind
        for _, kind in inspect.getmembers(e, inspect.isclass)
        if issubclass(kind, e.DomainError) and kind is not e.DomainError
    ]


def test_domain_errors_module_defines_the_errors_we_expect() -> None:
    assert len(_domain_error_subclasses()) >= 10


# Not a refusal: the dispatcher answers it with a question and ✅/✖ buttons.
QUESTIONS = {e.NeedsConfirmation: "confirm/question.html"}


@pytest.mark.parametrize("kind", _domain_error_subclasses(), ids=lambda k: k.__name__)
def test_every_domain_error_maps_to_its_own_existing_template(renderer: Renderer, kind: type[e.DomainError]) -> None:
    if kind in QUESTIONS:
        assert QUESTIONS[kind] in SAMPLES and kind not in bot_errors.ERROR_TEMPLATES
        return
    error = kind.__new__(kind)
    template = bot_errors.template_for(error)
    assert template != "errors/generic.html", f"{kind.__name__} has no template of its own"
    assert template in renderer.env.list_templates()
    assert template in SAMPLES, "its template has a rendering sample"


def test_an_unlisted_domain_error_falls_back_to_the_generic_template(renderer: Renderer) -> None:
    class NewRule(e.DomainError):
        pass

    assert bot_errors.template_for(NewRule("x")) == "errors/generic.html"
    assert bot_errors.template_for(e.DomainError("x")) == "errors/generic.html"


def test_every_error_template_in_the_table_exists(renderer: Renderer) -> None:
    templates = set(renderer.env.list_templates())
    assert set(bot_errors.ERROR_TEMPLATES.values()) <= templates


def test_no_two_refusals_share_a_template() -> None:
    templates = list(bot_errors.ERROR_TEMPLATES.values())
    assert len(templates) == len(set(templates))


NEW_VERBS = ["仓库", "撤销", "日志", "成员", "邀请", "加入", "新建账套", "绑定", "解绑", "设置"]


def test_the_help_index_lists_the_commands_of_the_access_issue(renderer: Renderer) -> None:
    verbs = [verb for verb in VERBS if verb.available]
    assert {verb.name for verb in verbs} >= set(NEW_VERBS)
    text = renderer.render("help/index.html", verbs=verbs)
    for name in NEW_VERBS:
        assert f"<b>{name}</b> — {VERBS_BY_NAME[name].summary}" in text
        assert f"<code>{VERBS_BY_NAME[name].examples[0]}</code>" in text
    assert "/undo 撤销" in text


@pytest.mark.parametrize("name", ["入库", "出库"])
def test_the_usage_of_receipts_and_issues_names_the_warehouse(name: str) -> None:
    assert "[仓库 …]" in VERBS_BY_NAME[name].usage


# The command text as typed is part of the audit entry; typed in a private chat it may carry a
# purchase price that a group not marked 可见 成本 must not see.
COST_IN_TEXT = {
    "history/audit.html": {"result": h.AuditPage([PRICE_ENTRY, RECEIPT_ENTRY], None, None, None, 1, 1, 2)},
    "confirm/question.html": {
        "question": e.NeedsConfirmation([], None, h.UndoPreview(PRICE_ENTRY, None, product())),
        "command_text": "撤销 #13 确认",
        "minutes": 5,
        "kind_labels": KIND_LABELS,
        "preview_kind": "UndoPreview",
    },
}


@pytest.mark.parametrize("template", sorted(COST_IN_TEXT))
def test_a_reply_without_cost_does_not_quote_a_typed_purchase_price(renderer: Renderer, template: str) -> None:
    text = renderer.render(template, show_cost=False, **COST_IN_TEXT[template])
    assert "2.6" not in text and "2.44" not in text, text
    assert "<code>" not in text and PRICE_ENTRY.text not in text and RECEIPT_ENTRY.text not in text
    # With cost shown, the typed command is quoted as it was typed.
    full = renderer.render(template, show_cost=True, **COST_IN_TEXT[template])
    assert f"<code>{PRICE_ENTRY.text}</code>" in full


# ---- faster entry (issue 9) ----

from domain import batch as batch_results  # noqa: E402
from domain import commands as entry_commands  # noqa: E402
from domain.imports import ImportReport, RowError  # noqa: E402
from domain.services import ProductAdded  # noqa: E402

_ADDED = ProductAdded(product(name=HOSTILE))
_LINE = entry_commands.BatchLine(2, "商品 新增 A001 <可乐&>", entry_commands.AddProduct("A001", HOSTILE))
_BAD = entry_commands.BatchLine(3, "A009 <1>", error="缺少数量", usage="入库 <编码> <数量>")

SAMPLES |= {
    "batch/_lines.html": {"macros only": Sample({})},
    "batch/preview.html": {
        "ready": Sample(
            {"result": batch_results.BatchPreview([batch_results.LineOutcome(_LINE, _ADDED)]), "show_cost": True,
             "show_contacts": False, "errors": {}, "minutes": 5, "usage": ""},
            ["📋 批量登记 1 行", f"2. 新增商品 <b>A001</b> {ESCAPED}", "5 分钟内有效"],
        ),
        "a bad line": Sample(
            {"result": batch_results.BatchPreview([batch_results.LineOutcome(_LINE, _ADDED), batch_results.LineOutcome(_BAD)]),
             "show_cost": True, "show_contacts": False, "errors": {}, "minutes": 5, "usage": "入库 <编码> <数量>"},
            ["❌ 批量中有 1 行不能登记", "第 3 行 <code>A009 &lt;1&gt;</code>：缺少数量", "入库 &lt;编码&gt;"],
        ),
    },
    "batch/booked.html": {
        "done": Sample(
            {"result": batch_results.BatchBooked([batch_results.LineOutcome(_LINE, _ADDED)]), "show_cost": True, "show_contacts": False},
            ["✅ 批量登记完成：1 行", f"新增商品 <b>A001</b> {ESCAPED}"],
        )
    },
    "errors/batch_line_failed.html": {
        "stock moved": Sample(
            {"error": e.BatchLineFailed(_BAD, e.UnknownProduct("A009")), "reason": "未找到商品 A009"},
            ["第 3 行", "A009 &lt;1&gt;", "未找到商品 A009", "整批都没有登记"],
        )
    },
    "errors/ambiguous_product.html": {
        "two": Sample(
            {"error": e.AmbiguousProduct("可乐", [e.ProductHint("A001", HOSTILE), e.ProductHint("A002", "百事可乐")])},
            ["「可乐」对应 2 个商品", f"<b>A001</b> {ESCAPED}"],
        )
    },
    "errors/import_refused.html": {"zip bomb": Sample({"error": e.ImportRefused("压缩 <炸弹>")}, ["没有导入：压缩 &lt;炸弹&gt;", "导入 商品"])},
    "errors/no_barcode.html": {"none": Sample({}, ["没有找到条码", "库存 A001"])},
    "import/send_file.html": {"products": Sample({"kind": "商品"}, ["导入 商品", "商品编码、名称"])},
    "import/report.html": {
        "errors": Sample(
            {"result": ImportReport("商品", 3, added=[2, 3], rejected=[RowError(4, "名称", "不能为空 <x>")]), "minutes": 5, "ask": True},
            ["⚠️ 商品表共 3 行：2 行可导入，1 行有问题", "第 4 行 · 名称：不能为空 &lt;x&gt;", "导入有效行"],
        ),
        "written": Sample(
            {"result": ImportReport("商品", 2, unchanged=[2, 3], written=True), "minutes": 5, "ask": False},
            ["✅ 已导入商品：新增 0 · 修改 0 · 未改动 2", "不会重复记账"],
        ),
    },
}
