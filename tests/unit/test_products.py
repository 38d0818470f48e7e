"""Products: validation, changes, units and fractions, stock status, "did you mean"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import FractionalQuantity, InvalidProduct, ProductHint, UnitMismatch
from domain.products import (
    FieldChange,
    Product,
    StockStatus,
    apply_changes,
    check_quantity_unit,
    is_code_like,
    normalise_code,
    safety_ratio,
    stock_status,
    suggest_codes,
)
from tests.factories import make_product

D = Decimal


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "a001", "-A001", "A 001", "A001!", "可乐", "A" * 33])
def test_product_refuses_a_bad_code(code: str) -> None:
    with pytest.raises(InvalidProduct) as caught:
        Product(code=code, name="可乐")
    assert caught.value.field == "编码"


@pytest.mark.parametrize("code", ["A001", "7", "COKE-330.ML_2", "A" * 32])
def test_product_accepts_a_well_formed_code(code: str) -> None:
    assert Product(code=code, name="可乐").code == code


@pytest.mark.parametrize("name", ["", "   "])
def test_product_refuses_an_empty_name(name: str) -> None:
    with pytest.raises(InvalidProduct) as caught:
        make_product(name=name)
    assert caught.value.field == "名称"


def test_product_refuses_a_name_longer_than_60_characters() -> None:
    make_product(name="乐" * 60)
    with pytest.raises(InvalidProduct) as caught:
        make_product(name="乐" * 61)
    assert caught.value.field == "名称"


@pytest.mark.parametrize("unit", ["", "123456789"])
def test_product_refuses_an_empty_or_too_long_unit(unit: str) -> None:
    with pytest.raises(InvalidProduct) as caught:
        make_product(unit=unit)
    assert caught.value.field == "单位"


@pytest.mark.parametrize(("field", "label"), [("spec", "规格"), ("category", "分类"), ("barcode", "条码")])
def test_product_refuses_a_text_field_longer_than_60_characters(field: str, label: str) -> None:
    with pytest.raises(InvalidProduct) as caught:
        make_product(**{field: "x" * 61})
    assert caught.value.field == label


@pytest.mark.parametrize(("field", "label"), [("purchase_price", "进价"), ("sale_price", "售价")])
def test_product_refuses_a_negative_or_absurd_price(field: str, label: str) -> None:
    for price in (D("-0.01"), D("10000000.01")):
        with pytest.raises(InvalidProduct) as caught:
            make_product(**{field: price})
        assert caught.value.field == label
    assert getattr(make_product(**{field: D(0)}), field) == 0


@pytest.mark.parametrize(("field", "label"), [("safety_stock", "安全库存"), ("max_stock", "最高库存")])
def test_product_refuses_a_negative_stock_level(field: str, label: str) -> None:
    with pytest.raises(InvalidProduct) as caught:
        make_product(**{field: D(-1)})
    assert caught.value.field == label


def test_product_refuses_a_max_stock_below_the_safety_stock() -> None:
    with pytest.raises(InvalidProduct) as caught:
        make_product(safety_stock=D(10), max_stock=D(5))
    assert caught.value.field == "最高库存"


def test_product_allows_max_stock_equal_to_safety_stock_and_zero_max_as_no_maximum() -> None:
    make_product(safety_stock=D(10), max_stock=D(10))
    make_product(safety_stock=D(10), max_stock=D(0))


def test_normalise_code_strips_and_upper_cases() -> None:
    assert normalise_code("  a001 ") == "A001"


@pytest.mark.parametrize(("text", "like"), [("a001", True), ("COKE-1", True), ("可乐", False), ("two words", False)])
def test_is_code_like_tells_codes_from_name_fragments(text: str, like: bool) -> None:
    assert is_code_like(text) is like


# ---- changes ---------------------------------------------------------------------------------


def test_apply_changes_returns_only_the_fields_that_really_change() -> None:
    product = make_product(sale_price=D("3.00"), spec="330ml")
    updated, changes = apply_changes(product, {"sale_price": D("3.50"), "spec": "330ml", "name": "可口可乐 330ml"})
    assert changes == [FieldChange("sale_price", D("3.00"), D("3.50"))]
    assert updated.sale_price == D("3.50")
    assert updated.spec == "330ml"


def test_apply_changes_treats_an_equal_decimal_written_differently_as_no_change() -> None:
    _, changes = apply_changes(make_product(sale_price=D("3.00")), {"sale_price": D("3.0")})
    assert changes == []


def test_apply_changes_can_clear_an_optional_field() -> None:
    updated, changes = apply_changes(make_product(safety_stock=D(5)), {"safety_stock": None})
    assert updated.safety_stock is None
    assert changes == [FieldChange("safety_stock", D(5), None)]


def test_apply_changes_refuses_an_unknown_field() -> None:
    with pytest.raises(InvalidProduct) as caught:
        apply_changes(make_product(), {"colour": "red"})
    assert caught.value.field == "字段"


def test_apply_changes_validates_the_changed_product() -> None:
    with pytest.raises(InvalidProduct):
        apply_changes(make_product(), {"purchase_price": D(-1)})


def test_field_change_label_is_the_chinese_key() -> None:
    assert FieldChange("sale_price", None, D(3)).label == "售价"
    assert FieldChange("active", True, False).label == "启用"
    # The audit log's fields besides master data have labels too; unknown fields show as named.
    assert [FieldChange(f, None, None).label for f in ("role", "warehouses", "show_sensitive")] == ["角色", "仓库", "群内显示成本"]
    assert FieldChange("colour", None, None).label == "colour"


# ---- units and fractions ---------------------------------------------------------------------


def test_check_quantity_unit_accepts_the_products_own_unit_in_any_case() -> None:
    check_quantity_unit(make_product(unit="kg"), D("2.5"), "KG")
    check_quantity_unit(make_product(unit="罐"), D(50), "罐")
    check_quantity_unit(make_product(unit="罐"), D(50), None)


def test_check_quantity_unit_refuses_another_unit() -> None:
    with pytest.raises(UnitMismatch) as caught:
        check_quantity_unit(make_product(unit="罐"), D(50), "箱")
    assert (caught.value.unit, caught.value.given) == ("罐", "箱")


@pytest.mark.parametrize("generic", ["件", "个", "pcs", "PC"])
def test_check_quantity_unit_allows_a_generic_counter_for_counted_goods(generic: str) -> None:
    check_quantity_unit(make_product(unit="罐"), D(50), generic)


def test_check_quantity_unit_refuses_a_generic_counter_for_weighed_goods() -> None:
    with pytest.raises(UnitMismatch):
        check_quantity_unit(make_product(unit="kg"), D(2), "件")


def test_check_quantity_unit_refuses_a_fraction_of_a_counted_good() -> None:
    with pytest.raises(FractionalQuantity) as caught:
        check_quantity_unit(make_product(unit="罐"), D("2.5"), None)
    assert caught.value.quantity == D("2.5")


@pytest.mark.parametrize("unit", ["kg", "斤", "米", "L"])
def test_check_quantity_unit_allows_fractions_of_measured_goods(unit: str) -> None:
    check_quantity_unit(make_product(unit=unit), D("0.125"), None)


def test_a_whole_quantity_written_with_decimals_is_not_a_fraction() -> None:
    check_quantity_unit(make_product(unit="罐"), D("3.000"), None)


# ---- stock status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_hand", "status"),
    [
        ("-1", StockStatus.OUT),
        ("0", StockStatus.OUT),
        ("0.001", StockStatus.LOW),
        ("9", StockStatus.LOW),
        ("10", StockStatus.OK),  # exactly the safety stock is enough
        ("100", StockStatus.OK),  # exactly the maximum is not over
        ("101", StockStatus.OVER),
    ],
)
def test_stock_status_against_safety_10_and_max_100(on_hand: str, status: StockStatus) -> None:
    product = make_product(safety_stock=D(10), max_stock=D(100))
    assert stock_status(product, D(on_hand)) is status


def test_stock_status_without_thresholds_is_only_out_or_ok() -> None:
    product = make_product()
    assert stock_status(product, D(0)) is StockStatus.OUT
    assert stock_status(product, D(1)) is StockStatus.OK
    assert stock_status(product, D(10_000_000)) is StockStatus.OK


def test_stock_status_with_zero_max_stock_is_never_over() -> None:
    assert stock_status(make_product(max_stock=D(0)), D(999)) is StockStatus.OK


def test_stock_status_values_are_the_chinese_labels() -> None:
    assert [s.value for s in StockStatus] == ["缺货", "低于安全库存", "正常", "超储"]


def test_safety_ratio_orders_no_threshold_last_unless_empty() -> None:
    assert safety_ratio(make_product(safety_stock=D(10)), D(5)) == D("0.5")
    assert safety_ratio(make_product(), D(5)) == D("Infinity")
    assert safety_ratio(make_product(safety_stock=D(0)), D(0)) == 0


# ---- suggestions -----------------------------------------------------------------------------

CATALOGUE = [ProductHint("A001", "可乐"), ProductHint("A002", "雪碧"), ProductHint("B105", "矿泉水")]


@pytest.mark.parametrize("typed", ["A00l", "a00l", "AOO1", "A00I"])
def test_suggest_codes_maps_look_alike_characters_to_the_one_product(typed: str) -> None:
    assert suggest_codes(typed, CATALOGUE) == [ProductHint("A001", "可乐")]


def test_suggest_codes_folds_look_alikes_in_the_candidates_too() -> None:
    assert suggest_codes("8105", CATALOGUE) == [ProductHint("B105", "矿泉水")]


def test_suggest_codes_uses_difflib_for_typos() -> None:
    suggestions = suggest_codes("A01", CATALOGUE)
    assert ProductHint("A001", "可乐") in suggestions
    assert ProductHint("B105", "矿泉水") not in suggestions


def test_suggest_codes_respects_the_limit() -> None:
    many = [ProductHint(f"A00{i}", f"商品{i}") for i in range(1, 10)]
    assert len(suggest_codes("A00", many, limit=3)) == 3


def test_suggest_codes_offers_nothing_for_something_unlike_any_code() -> None:
    assert suggest_codes("ZZZZZZZZ", CATALOGUE) == []


def test_product_hint_is_code_and_name() -> None:
    assert make_product(code="B105", name="矿泉水").hint() == ProductHint("B105", "矿泉水")
