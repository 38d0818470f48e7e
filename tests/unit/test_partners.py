"""The partner model: what a supplier or customer record may hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidProduct
from domain.partners import Partner, PartnerKind

S, C = PartnerKind.SUPPLIER, PartnerKind.CUSTOMER


def test_a_full_customer_and_supplier_are_valid() -> None:
    customer = Partner(C, "张三超市", "张三", "13900000000", 15, Decimal("20000.00"))
    supplier = Partner(S, "华东饮料", "王经理", "+86-21-5555-0000", 30)
    assert (customer.terms_days, customer.credit_limit) == (15, Decimal("20000.00"))
    assert supplier.credit_limit is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": C, "name": ""}, "名称"),
        ({"kind": C, "name": "x" * 31}, "名称"),
        ({"kind": C, "name": "店", "contact": "x" * 31}, "联系人"),
        ({"kind": C, "name": "店", "phone": "abc"}, "电话"),
        ({"kind": C, "name": "店", "phone": "1234"}, "电话"),  # too short
        ({"kind": C, "name": "店", "terms_days": 366}, "账期"),
        ({"kind": C, "name": "店", "terms_days": -1}, "账期"),
        ({"kind": C, "name": "店", "credit_limit": Decimal("-1")}, "信用额度"),
        ({"kind": C, "name": "店", "credit_limit": Decimal("10000000.01")}, "信用额度"),
        ({"kind": S, "name": "厂", "credit_limit": Decimal("1")}, "信用额度"),  # suppliers have none
    ],
)
def test_invalid_partner_fields_are_refused_with_the_field_named(fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidProduct) as refused:
        Partner(**fields)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_the_kinds_are_the_chinese_words_the_commands_use() -> None:
    assert [kind.value for kind in PartnerKind] == ["供应商", "客户"]
