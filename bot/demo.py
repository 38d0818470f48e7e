"""A believable small shop for ``jxc demo``: products in five categories, their suppliers'
prices, and two weeks of receipts and sales, all booked through the real dispatcher
(the same path a Telegram message takes), with the clock moved day by day."""

from __future__ import annotations

import random
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_runtime
from bot.clock import ManualClock
from bot.dispatcher import Incoming
from bot.settings import Settings

TZ = ZoneInfo("Asia/Shanghai")

# code, name, spec, unit, purchase price, sale price, safety stock, category, supplier, daily demand
PRODUCTS = (
    ("A001", "可口可乐", "330ml", "罐", "2.5", "3.5", 20, "饮料", "华东饮料", 6),
    ("A002", "雪碧", "330ml", "罐", "2.4", "3.5", 20, "饮料", "华东饮料", 4),
    ("A003", "农夫山泉", "550ml", "瓶", "1.2", "2", 48, "饮料", "华东饮料", 10),
    ("A004", "红牛", "250ml", "罐", "4.2", "6", 24, "饮料", "华东饮料", 3),
    ("A005", "康师傅冰红茶", "500ml", "瓶", "2.2", "3", 24, "饮料", "华东饮料", 4),
    ("A006", "王老吉", "310ml", "罐", "2.8", "4", 24, "饮料", "华东饮料", 3),
    ("A007", "伊利纯牛奶", "250ml", "盒", "2.3", "3.5", 36, "饮料", "华东饮料", 5),
    ("B001", "乐事薯片 原味", "70g", "袋", "4.5", "7", 10, "零食", "好味食品", 3),
    ("B002", "奥利奥 原味", "97g", "盒", "5.2", "8", 10, "零食", "好味食品", 2),
    ("B003", "旺旺雪饼", "84g", "袋", "3.6", "5.5", 10, "零食", "好味食品", 0),
    ("B004", "德芙巧克力", "43g", "块", "6", "9.9", 12, "零食", "好味食品", 2),
    ("B005", "卫龙辣条", "106g", "袋", "2.8", "5", 20, "零食", "好味食品", 5),
    ("C001", "金龙鱼大米", "5kg", "袋", "32", "45", 5, "粮油", "粮油批发部", 1),
    ("C002", "鲁花花生油", "5L", "桶", "118", "159", 3, "粮油", "粮油批发部", 1),
    ("C003", "海天酱油", "500ml", "瓶", "6.5", "9.9", 6, "粮油", "粮油批发部", 1),
    ("C004", "散装鸡蛋", "", "kg", "9.6", "13.8", 5, "粮油", "粮油批发部", 3),
    ("C005", "散装白糖", "", "kg", "6.8", "10", 3, "粮油", "粮油批发部", 1),
    ("D001", "清风抽纸", "3层130抽", "包", "3.2", "5", 20, "日化", "日化批发", 3),
    ("D002", "蓝月亮洗衣液", "1kg", "瓶", "18", "29.9", 4, "日化", "日化批发", 1),
    ("D003", "高露洁牙膏", "140g", "支", "8.5", "13.9", 6, "日化", "日化批发", 1),
    ("D004", "舒肤佳香皂", "115g", "块", "4.2", "6.5", 8, "日化", "日化批发", 1),
    ("E001", "青岛啤酒", "500ml", "罐", "3.8", "6", 24, "酒水", "酒水行", 5),
    ("E002", "红星二锅头", "500ml", "瓶", "15", "22", 6, "酒水", "酒水行", 1),
    ("E003", "百威啤酒", "500ml", "罐", "5.5", "8", 24, "酒水", "酒水行", 2),
)
DAYS = 14
OWNER = (0, "店主")  # the console user
KEEPER = (9001, "仓管小李")
SELLER = (9002, "店长小王")  # a 管理员: sells over the counter until sales orders exist
INVITATION = re.compile(r"加入 (\d+-[0-9A-Z]{8})")


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# Regular customers (name, payment terms in days) who buy on account.
CUSTOMERS = (("张三超市", 15), ("街角便利店", 7))


def create_demo_database(path: Path, today: datetime | None = None) -> str:
    """(Re)create a demo shop at ``path`` and return its database URL."""
    _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    end = (today or datetime.now(TZ)).astimezone(TZ)
    start_day = (end - timedelta(days=DAYS)).date()
    clock = ManualClock(datetime.combine(start_day, time(8, 30), tzinfo=TZ))
    # The demo books hundreds of commands at one instant: no rate limit.
    settings = Settings(database_url=url, jxc_timezone="Asia/Shanghai", jxc_rate_limit="1000000/1", _env_file=None)
    runtime = build_runtime(settings, clock)
    rng = random.Random(2026)

    def say(text: str, who: tuple[int, str] = KEEPER) -> str:
        # The owner types at the console; staff write in their private chats with the bot.
        chat_type = "console" if who == OWNER else "private"
        reply = runtime.dispatcher.handle(Incoming(text, who[0], who[1], who[0], chat_type=chat_type))
        assert reply is not None and not reply.html.startswith(("❌", "🔒", "⚠️")), (text, reply)
        return reply.html

    for who, role in ((KEEPER, "仓管"), (SELLER, "管理员")):
        invitation = INVITATION.search(say(f"邀请 {role}", OWNER))
        assert invitation is not None
        say(f"加入 {invitation.group(1)}", who)

    # Suppliers on 30 days' terms and two regular customers: receipts from them book payables,
    # sales to them receivables, so 应付/应收/对账单 have something to show.
    for supplier in sorted({p[8] for p in PRODUCTS}):
        say(f"供应商 新增 {supplier} 账期 30天 交期 5天", OWNER)
    for customer, terms in CUSTOMERS:
        say(f"客户 新增 {customer} 账期 {terms}天 信用额度 5000", OWNER)

    on_hand: dict[str, Decimal] = {}
    for code, name, spec, unit, buy, sell, safety, category, supplier, _ in PRODUCTS:
        spec_part = f" 规格 {spec}" if spec else ""
        say(f"商品 新增 {code} {name}{spec_part} 单位 {unit} 进价 {buy} 售价 {sell} 安全库存 {safety} 分类 {category}")
        opening = max(safety * 3, 10)
        say(f"入库 {code} {opening} 单价 {buy} @{supplier} 备注 开业备货")
        on_hand[code] = Decimal(opening)

    for day in range(DAYS):
        clock.set(datetime.combine(start_day + timedelta(days=day), time(9, 0), tzinfo=TZ))
        for code, _name, _spec, unit, buy, sell, safety, _cat, supplier, demand in PRODUCTS:
            if demand == 0:
                continue
            clock.advance(timedelta(minutes=rng.randint(3, 40)))
            sold = Decimal(rng.randint(max(1, demand // 2), demand * 2))
            if unit == "kg":
                sold += Decimal(rng.randint(0, 9)) / 10
            sold = min(sold, on_hand[code])
            if sold > 0:
                # Most sales are over the counter; now and then a regular customer buys on account.
                buyer = f" @{CUSTOMERS[day % len(CUSTOMERS)][0]}" if rng.random() < 0.15 else ""
                say(f"出库 {code} {sold} 单价 {sell}{buyer}", SELLER)
                on_hand[code] -= sold
            # Restock every few days at a slightly different price, so the average moves;
            # a few products are left low on purpose.
            if on_hand[code] < safety and code not in ("A004", "B005", "C002") and day % 3 == 2:
                price = (Decimal(buy) * Decimal(rng.choice(("0.96", "1", "1.04")))).quantize(Decimal("0.01"))
                quantity = safety * 2
                say(f"入库 {code} {quantity} 单价 {price} @{supplier}")
                on_hand[code] += quantity
    # Today: a purchase order on its way (approved, half delivered) and a sales order to ship.
    clock.set(end.replace(hour=10, minute=0, second=0, microsecond=0))
    low = [p for p in PRODUCTS if p[0] in ("A004", "B005")]
    say(f"采购 @{low[0][8]} " + " ".join(f"{p[0]} {p[6] * 4} 单价 {p[4]}" for p in low), OWNER)
    say("审核 PO-%d-0001" % end.year, OWNER)
    say(f"到货 PO-{end.year}-0001 {low[0][0]} {low[0][6] * 2} 运费 20", KEEPER)
    say(f"销售 @{CUSTOMERS[0][0]} A001 12 A002 6", SELLER)
    say(f"收款 @{CUSTOMERS[1][0]} 100 微信", OWNER)
    runtime.engine.dispose()
    return url
