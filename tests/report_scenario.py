"""A small shop's March, booked through the services, with its report figures worked by hand
(shared by the domain tests on the fake and the storage tests on SQLite and PostgreSQL).

Today is 2026-03-10 09:30 in Shanghai (tests/factories.DEFAULT_NOW).

    2025-11-30  入库 B003 40 @1.50 @华东饮料                 B003 then lies still (100 days)
    2026-02-20  入库 A001 100 @2.40 @华东饮料                A001 100 / 240.00   (opening of March)
    2026-03-01  入库 C001 10 @5.00 @日用批发                 C001 10 / 50.00
    2026-03-02  出库 A001 30 @3.50 @张三超市  CK-0001        cost 72.00, revenue 105.00
    2026-03-03  入库 A001 50 @2.70 @华东饮料                 A001 120 / 303.00
    2026-03-05  出库 A001 20 (no price)       CK-0002        cost 20 × 303 / 120 = 50.50
    2026-03-06  出库 A001 10 @4.00 @李四便利  CK-0003        cost 10 × 252.50 / 100 = 25.25, revenue 40.00
    2026-03-09  出库 C001 2 @8.00 @张三超市   CK-0004        cost 10.00, revenue 16.00
    2026-03-10  撤销 CK-2026-0003 (红冲 today: +10 / +25.25, revenue −40.00)

March (2026-03-01 ~ 2026-03-31):
    进销存 A001: opening 100 / 240.00 · in 50 / 135.00 · out 30 + 20 + 10 − 10 = 50 / 122.50 · closing 100 / 252.50
           B003: opening 40 / 60.00 · nothing · closing 40 / 60.00
           C001: opening 0 · in 10 / 50.00 · out 2 / 10.00 · closing 8 / 40.00
           total value: opening 300.00 · in 185.00 · out 132.50 · closing 352.50
    销售 A001: quantity 50, revenue 105.00, cost (priced) 72.00, unpriced 20 at 50.50 → profit 33.00, margin 31.4 %
         C001: quantity 2, revenue 16.00, cost 10.00 → profit 6.00, margin 37.5 %
         total: revenue 121.00, cost 82.00, profit 39.00, margin 32.2 %
         by customer: 张三超市 121.00 / 82.00; "" 20 unpriced; 李四便利 0 (sold and reversed)
    采购 华东饮料 A001 50 / 135.00 · 日用批发 C001 10 / 50.00
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain import commands as c
from domain import history, services
from domain.ports import UnitOfWork
from domain.services import Context

D = Decimal


def book_march(make_uow: Callable[[], UnitOfWork], ctx: Context) -> None:
    """Book the scenario above (products, movements and the reversal)."""
    services.add_product(make_uow(), ctx, c.AddProduct("A001", "可口可乐", (("unit", "罐"), ("sale_price", D("3.5")), ("safety_stock", D(20)), ("category", "饮料"))))
    services.add_product(make_uow(), ctx, c.AddProduct("B003", "雪碧", (("unit", "瓶"), ("category", "饮料"))))
    services.add_product(make_uow(), ctx, c.AddProduct("C001", "毛巾", (("unit", "条"), ("category", "日用"))))
    receive = lambda code, q, price, who, day: services.receive_stock(  # noqa: E731
        make_uow(), ctx, c.ReceiveStock(code, D(q), unit_price=D(price), counterparty=who, occurred_on=day, confirmed=True)
    )
    issue = lambda code, q, price, who, day: services.issue_stock(  # noqa: E731
        make_uow(), ctx, c.IssueStock(code, D(q), unit_price=D(price) if price else None, counterparty=who, occurred_on=day, confirmed=True)
    )
    receive("B003", 40, "1.5", "华东饮料", date(2025, 11, 30))
    receive("A001", 100, "2.4", "华东饮料", date(2026, 2, 20))
    receive("C001", 10, "5", "日用批发", date(2026, 3, 1))
    issue("A001", 30, "3.5", "张三超市", date(2026, 3, 2))
    receive("A001", 50, "2.7", "华东饮料", date(2026, 3, 3))
    issue("A001", 20, None, "", date(2026, 3, 5))
    issue("A001", 10, "4", "李四便利", date(2026, 3, 6))
    issue("C001", 2, "8", "张三超市", date(2026, 3, 9))
    history.undo(make_uow(), ctx, c.Undo("CK-2026-0003", confirmed=True))
