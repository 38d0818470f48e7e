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
from domain import errors as e
from domain import history as h
from domain import partner_services as ps
from domain import services as s
from domain import stocktake as stk
from domain import workspaces as w
from domain.access import Invitation, Member, Permission, Role
from domain.audit import Action, AuditEntry
from domain.guards import Risk, RiskKind
from domain.partners import Partner, PartnerKind
from domain.periods import Period
from domain.ports import StockLine, StockTotals, Stocktake, StocktakeLine, Warehouse
from domain.products import FieldChange, PackQuantity, Product, StockStatus
from domain.stock import Movement, MovementKind, StockBalance

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
            ["采购"],
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
ACTIVE = al.ActiveAlerts([LOW, OVER, RECEIVABLES], {("low_stock", "A001"): datetime(2026, 11, 29, 1, 0, tzinfo=timezone.utc)}, (al.Topic.EXPIRY,))
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
            ["🔔 <b>当前预警 3 条</b>", f"{LOW_LINE}（已忽略至 11-29 09:00）\n📦", "🔴 张三超市 应收逾期", "「临期」预警在有相应的单据后开始检查。"],
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
    "alert/purchase_coming.html": {"static": Sample({"code": "A001", "quantity": "97"}, ["🚧 采购单功能还在建设中。建议采购 A001 97"])},
    "alert/statement_coming.html": {"static": Sample({}, ["🚧 对账单功能还在建设中"])},
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
