"""Posting what is owed: items due after the partner's terms, settled by their credits; payments
allocated to a named document first; the quick 入库/出库 forms billing known partners."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain import billing
from domain import commands as c
from domain import history
from domain import partner_services as ps
from domain import services
from domain.documents import Account, Credit, Ledger
from domain.partners import Partner, PartnerKind
from tests.factories import make_context, make_product
from tests.fakes import FakeUnitOfWork

D = Decimal
CTX = make_context()  # 2026-03-10 in Shanghai
TODAY = CTX.today


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.seed(make_product("A001", unit="罐", purchase_price=D("2.50"), sale_price=D("3.50")))
    ps.add_partner(uow, CTX, c.AddPartner("供应商", "华东饮料", (("terms_days", 30),)))
    ps.add_partner(uow, CTX, c.AddPartner("客户", "张三超市", (("terms_days", 15),)))
    return uow


def partner(uow: FakeUnitOfWork, kind: PartnerKind, name: str) -> Partner:
    with uow:
        found = uow.partners.get(kind, name)
    assert found is not None
    return found


def post(uow: FakeUnitOfWork, who: Partner, number: str, amount: str, day: date = TODAY) -> billing.Posted:
    with uow.writing():
        posted = billing.post_item(uow, who, number, D(amount), day)
        uow.commit()
    return posted


def pay(uow: FakeUnitOfWork, who: Partner, amount: str, only: set[int] | None = None):  # type: ignore[no-untyped-def]
    with uow.writing():
        paid = billing.record_payment(uow, CTX, who, D(amount), Account.BANK, only=only)
        uow.commit()
    return paid


def open_amounts(uow: FakeUnitOfWork, ledger: Ledger, who: Partner) -> dict[str, Decimal]:
    with uow:
        return {item.number: item.open for item in uow.documents.open_items(ledger, who.id)}


def credits(uow: FakeUnitOfWork, ledger: Ledger, who: Partner) -> list[Credit]:
    with uow:
        return uow.documents.credits(ledger, who.id)


# ---- numbers -------------------------------------------------------------------------------------


def test_document_numbers_run_per_prefix_and_year_without_gaps(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        numbers = [billing.document_number(uow, CTX, prefix) for prefix in ("PO", "PO", "SO", "PO")]
        next_year = billing.document_number(uow, make_context(CTX.now + timedelta(days=365)), "PO")
        uow.commit()
    assert numbers == ["PO-2026-0001", "PO-2026-0002", "SO-2026-0001", "PO-2026-0003"]
    assert next_year == "PO-2027-0001"


def test_a_number_taken_in_a_transaction_that_rolls_back_is_given_again(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        assert billing.document_number(uow, CTX, "SO") == "SO-2026-0001"
        # no commit: rolled back, as a refused order is
    with uow.writing():
        assert billing.document_number(uow, CTX, "SO") == "SO-2026-0001"


# ---- items ---------------------------------------------------------------------------------------


def test_a_payable_is_due_after_the_suppliers_30_days_and_a_receivable_after_the_customers_15(uow: FakeUnitOfWork) -> None:
    supplier = partner(uow, PartnerKind.SUPPLIER, "华东饮料")
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    payable = post(uow, supplier, "RK-2026-0001", "240.00").item
    receivable = post(uow, customer, "CK-2026-0001", "35.00").item
    assert (payable.ledger, payable.due_on) == (Ledger.PAYABLE, date(2026, 4, 9))
    assert (receivable.ledger, receivable.due_on) == (Ledger.RECEIVABLE, date(2026, 3, 25))
    assert open_amounts(uow, Ledger.PAYABLE, supplier) == {"RK-2026-0001": D("240.00")}
    assert open_amounts(uow, Ledger.RECEIVABLE, customer) == {"CK-2026-0001": D("35.00")}


def test_an_overpayment_of_100_on_an_item_of_60_stays_as_credit_and_settles_the_next_document(uow: FakeUnitOfWork) -> None:
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    post(uow, customer, "CK-2026-0001", "60.00")
    payment, allocations = pay(uow, customer, "100")
    assert [a.amount for a in allocations] == [D("60.00")]
    assert credits(uow, Ledger.RECEIVABLE, customer) == [Credit("payment", payment.id, D("40.00"))]
    # The next shipment of 55.00: the 40.00 credit settles it at once, 15.00 stays open.
    posted = post(uow, customer, "CK-2026-0002", "55.00")
    assert posted.settled == D("40.00")
    assert open_amounts(uow, Ledger.RECEIVABLE, customer) == {"CK-2026-0002": D("15.00")}
    assert credits(uow, Ledger.RECEIVABLE, customer) == []


def test_a_return_is_a_negative_item_that_settles_the_open_item(uow: FakeUnitOfWork) -> None:
    supplier = partner(uow, PartnerKind.SUPPLIER, "华东饮料")
    post(uow, supplier, "RK-2026-0001", "240.00")
    returned = post(uow, supplier, "CT-2026-0001", "-4.80")
    assert returned.item.amount == D("-4.80") and returned.settled == D("4.80")
    assert open_amounts(uow, Ledger.PAYABLE, supplier) == {"RK-2026-0001": D("235.20")}
    with uow:
        assert uow.documents.balance(Ledger.PAYABLE, supplier.id) == D("235.20")


def test_a_return_with_nothing_open_stays_a_credit_for_the_next_receipt(uow: FakeUnitOfWork) -> None:
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    returned = post(uow, customer, "XT-2026-0001", "-7.00")
    assert returned.settled == 0
    assert credits(uow, Ledger.RECEIVABLE, customer) == [Credit("item", returned.item.id, D("7.00"))]
    assert post(uow, customer, "CK-2026-0002", "10.00").settled == D("7.00")


# ---- payments ------------------------------------------------------------------------------------


def test_a_payment_naming_the_newer_document_settles_it_before_the_older_one(uow: FakeUnitOfWork) -> None:
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    older = post(uow, customer, "CK-2026-0001", "300.00", TODAY - timedelta(days=20)).item
    newer = post(uow, customer, "CK-2026-0002", "200.00").item
    payment, allocations = pay(uow, customer, "250", only={newer.id})
    # 200 to the named one first, the remaining 50 to the oldest.
    assert [(a.item_id, a.amount) for a in allocations] == [(newer.id, D("200.00")), (older.id, D("50"))]
    assert open_amounts(uow, Ledger.RECEIVABLE, customer) == {"CK-2026-0001": D("250.00")}
    assert (payment.number, payment.account, payment.occurred_on) == ("SK-2026-0001", Account.BANK, TODAY)


def test_without_a_named_document_the_oldest_due_is_settled_first(uow: FakeUnitOfWork) -> None:
    supplier = partner(uow, PartnerKind.SUPPLIER, "华东饮料")
    late = post(uow, supplier, "RK-2026-0002", "100.00").item
    early = post(uow, supplier, "RK-2026-0001", "100.00", TODAY - timedelta(days=40)).item
    payment, allocations = pay(uow, supplier, "120")
    assert payment.number == "FK-2026-0001"  # 付款单
    assert [(a.item_id, a.amount) for a in allocations] == [(early.id, D("100.00")), (late.id, D("20.00"))]


# ---- the quick forms -----------------------------------------------------------------------------


def receive(uow: FakeUnitOfWork, text_partner: str, **kw: object) -> services.StockReceived:
    return services.receive_stock(uow, CTX, c.ReceiveStock("A001", D("10"), counterparty=text_partner, **kw))  # type: ignore[arg-type]


def issue(uow: FakeUnitOfWork, text_partner: str, **kw: object) -> services.StockIssued:
    return services.issue_stock(uow, CTX, c.IssueStock("A001", D("4"), counterparty=text_partner, **kw))  # type: ignore[arg-type]


def test_入库_from_a_known_supplier_at_2_40_books_a_payable_of_24_00(uow: FakeUnitOfWork) -> None:
    received = receive(uow, "华东饮料", unit_price=D("2.40"))
    assert received.billing is not None and received.billing.posted is not None
    item = received.billing.posted.item
    assert (item.number, item.amount, item.due_on) == (received.movement.number, D("24.00"), date(2026, 4, 9))


def test_入库_from_a_known_supplier_without_a_price_uses_the_purchase_price(uow: FakeUnitOfWork) -> None:
    received = receive(uow, "华东饮料")
    assert received.billing is not None and received.billing.posted is not None
    assert received.billing.posted.item.amount == D("25.00")  # 10 × 进价 2.50


def test_出库_to_a_known_customer_at_3_50_books_a_receivable_of_14_00(uow: FakeUnitOfWork) -> None:
    receive(uow, "", unit_price=D("2.40"))
    issued = issue(uow, "张三超市", unit_price=D("3.50"))
    assert issued.billing is not None and issued.billing.posted is not None and issued.billing.payment is None
    assert (issued.billing.posted.item.amount, issued.billing.posted.item.due_on) == (D("14.00"), date(2026, 3, 25))
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    assert open_amounts(uow, Ledger.RECEIVABLE, customer) == {issued.movement.number: D("14.00")}


def test_a_back_dated_出库_is_owed_and_due_from_the_day_it_happened(uow: FakeUnitOfWork) -> None:
    receive(uow, "", unit_price=D("2.40"), occurred_on=date(2026, 2, 1))
    issued = issue(uow, "张三超市", unit_price=D("3.50"), occurred_on=date(2026, 2, 20))
    assert issued.billing is not None and issued.billing.posted is not None
    item = issued.billing.posted.item
    # 02-20 plus the customer's 15 days: due 03-07, three days overdue on 03-10.
    assert (item.occurred_on, item.due_on, item.days_overdue(TODAY)) == (date(2026, 2, 20), date(2026, 3, 7), 3)


def test_出库_现款_is_paid_at_once_and_leaves_nothing_owed(uow: FakeUnitOfWork) -> None:
    receive(uow, "", unit_price=D("2.40"))
    issued = issue(uow, "张三超市", unit_price=D("3.50"), cash=True)
    assert issued.billing is not None and issued.billing.payment is not None
    assert (issued.billing.payment.amount, issued.billing.payment.account, issued.billing.payment.note) == (D("14.00"), Account.CASH, "现款")
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    assert open_amounts(uow, Ledger.RECEIVABLE, customer) == {}
    with uow:
        assert uow.documents.balance(Ledger.RECEIVABLE, customer.id) == 0


def test_出库_to_a_known_customer_without_a_price_books_nothing(uow: FakeUnitOfWork) -> None:
    receive(uow, "", unit_price=D("2.40"))
    issued = issue(uow, "张三超市")
    assert issued.billing is not None and issued.billing.partner is not None and issued.billing.posted is None
    with uow:
        assert uow.documents.items == {}


@pytest.mark.parametrize("name", ["百事批发", "华东饮料"])  # 华东饮料 is a supplier, not a customer
def test_an_unknown_counterparty_owes_nothing_and_the_result_names_it(uow: FakeUnitOfWork, name: str) -> None:
    receive(uow, "", unit_price=D("2.40"))
    issued = issue(uow, name, unit_price=D("3.50"))
    assert issued.billing == billing.QuickBilling(None, unknown=name)
    assert uow.documents.items == {} and uow.documents.payments == {}


def test_no_counterparty_is_no_billing_at_all(uow: FakeUnitOfWork) -> None:
    assert receive(uow, "", unit_price=D("2.40")).billing == billing.QuickBilling(None)
    assert uow.documents.items == {}


# ---- undo, pinned (strict: each turns red when fixed, so the marker comes off) ------------------

def test_undoing_a_quick_receipt_from_a_known_supplier_takes_back_its_payable(uow: FakeUnitOfWork) -> None:
    receive(uow, "华东饮料", unit_price=D("2.40"))
    history.undo(uow, CTX, c.Undo("RK-2026-0001", confirmed=True))
    supplier = partner(uow, PartnerKind.SUPPLIER, "华东饮料")
    assert open_amounts(uow, Ledger.PAYABLE, supplier) == {}


def test_undoing_a_cash_sale_cancels_the_receivable_and_keeps_the_cash_as_the_customers_credit(uow: FakeUnitOfWork) -> None:
    receive(uow, "", unit_price=D("2.40"))
    issue(uow, "张三超市", unit_price=D("3.50"), cash=True)  # 4 × 3.50: CK +14.00, paid at once by SK 14.00
    history.undo(uow, CTX, c.Undo("CK-2026-0001", confirmed=True))  # CX −14.00
    customer = partner(uow, PartnerKind.CUSTOMER, "张三超市")
    with uow:
        items = uow.documents.items_between(Ledger.RECEIVABLE, customer.id, date.min, date.max)
        # The sale and its cancellation net to nothing; the 14.00 received is now owed back (预收).
        assert [(i.number, i.amount) for i in items] == [("CK-2026-0001", D("14.00")), ("CX-2026-0001", D("-14.00"))]
        assert uow.documents.balance(Ledger.RECEIVABLE, customer.id) == D("-14.00")