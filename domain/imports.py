"""Importing a sheet (导入 商品 / 期初库存 / 客户 / 供应商): every row checked first, then all
valid rows written in one transaction.

The sheet arrives as text cells (the chat edge reads the file); headers are matched leniently
(商品编码 / 编码 / SKU …). A row that is already in the books as written is *unchanged*, so
importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from domain import commands as c
from domain.audit import Action
from domain.errors import ImportRefused, InvalidProduct
from domain.money import MAX_PRICE, MAX_QUANTITY, quantize_unit_cost, to_money, to_quantity
from domain.partners import Partner, PartnerKind
from domain.ports import ImportJob, UnitOfWork
from domain.products import CODE_PATTERN, Product, apply_changes, normalise_code
from domain.services import Context, _number, append_movement, audit
from domain.stock import MovementKind, post_receipt

MAX_REPORTED = 20  # rejected rows listed in the reply; the rest are counted

# Canonical header → the spellings people use. The first spelling is the template's header.
PRODUCT_HEADERS = {
    "code": ("商品编码", "编码", "SKU", "货号", "代码", "产品编码", "code"),
    "name": ("名称", "品名", "商品名称", "产品名称", "name"),
    "spec": ("规格", "规格型号", "型号"),
    "unit": ("单位", "计量单位", "unit"),
    "purchase_price": ("进价", "采购价", "进货价", "成本价"),
    "sale_price": ("售价", "零售价", "销售价", "卖价"),
    "safety_stock": ("安全库存", "最低库存", "库存下限"),
    "barcode": ("条码", "条形码", "barcode", "EAN"),
    "category": ("分类", "类别"),
    "max_stock": ("最高库存", "库存上限"),
}
OPENING_HEADERS = {
    "code": PRODUCT_HEADERS["code"],
    "quantity": ("数量", "期初数量", "库存", "期初库存", "库存数量"),
    "unit_cost": ("单价", "成本", "成本价", "进价", "期初单价"),
    "warehouse": ("仓库", "仓库名称"),
    "unit": ("单位",),
}
PARTNER_HEADERS = {
    "name": ("名称", "客户名称", "供应商名称", "单位名称", "公司", "name"),
    "contact": ("联系人",),
    "phone": ("电话", "手机", "联系电话"),
    "terms_days": ("账期", "账期天数"),
    "credit_limit": ("信用额度", "额度"),
}
HEADERS = {"商品": PRODUCT_HEADERS, "期初库存": OPENING_HEADERS, "客户": PARTNER_HEADERS, "供应商": PARTNER_HEADERS}
REQUIRED = {"商品": ("code", "name"), "期初库存": ("code", "quantity"), "客户": ("name",), "供应商": ("name",)}
_DECIMAL_FIELDS = {"purchase_price", "sale_price", "safety_stock", "max_stock", "quantity", "unit_cost", "credit_limit"}
_MONEY_FIELDS = {"purchase_price", "sale_price", "credit_limit"}
_UNIT = re.compile(r"[^\W\d_]{1,8}|[a-zA-Z]{1,8}")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the sheet's row number (the header is row 1)
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import found (and, when ``written``, did).

    Attributes:
        added / changed / unchanged: row numbers of valid rows by what they do.
        rejected: one entry per refused row (its first problem).
    """

    kind: str
    rows: int
    added: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    written: bool = False
    columns: tuple[str, ...] = ()

    @property
    def accepted(self) -> int:
        return len(self.added) + len(self.changed) + len(self.unchanged)

    @property
    def shown_rejections(self) -> list[RowError]:
        return self.rejected[:MAX_REPORTED]


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(" ", "").replace("(必填)", "").rstrip(":*")


def match_headers(kind: str, header: tuple[str, ...]) -> dict[str, int]:
    """Canonical field → column index, by lenient header matching.

    Raises:
        ImportRefused: a required column is missing, or one column is named twice.
    """
    spellings = {_header_key(s): name for name, names in HEADERS[kind].items() for s in names}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = spellings.get(_header_key(cell))
        if name is None:
            continue
        if name in found:
            raise ImportRefused(f"第 1 行有两列都是「{HEADERS[kind][name][0]}」")
        found[name] = index
    missing = [HEADERS[kind][name][0] for name in REQUIRED[kind] if name not in found]
    if missing:
        wanted = "、".join(names[0] for names in HEADERS[kind].values())
        raise ImportRefused(f"第 1 行缺少「{'、'.join(missing)}」列（可用的列：{wanted}）")
    return found


def _decimal(text: str, label: str, name: str) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").removesuffix("元")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidProduct(label, f"「{text[:20]}」不是数字") from None
    if not value.is_finite():
        raise InvalidProduct(label, f"「{text[:20]}」不是数字")
    if value < 0:
        raise InvalidProduct(label, "不能是负数")
    limit = MAX_PRICE if name in _MONEY_FIELDS or name == "unit_cost" else MAX_QUANTITY
    if value > limit:
        raise InvalidProduct(label, f"太大（最多 {int(limit):,}）")
    if name in _MONEY_FIELDS and value != value.quantize(Decimal("0.01")):
        raise InvalidProduct(label, "最多两位小数")
    if value != value.quantize(Decimal("0.001")):
        raise InvalidProduct(label, "最多三位小数")
    return to_money(value) if name in _MONEY_FIELDS else to_quantity(value) if name != "unit_cost" else value


def _values(kind: str, columns: dict[str, int], row: tuple[str, ...]) -> dict[str, object]:
    """The row's non-empty cells as typed values. Raises InvalidProduct for the first bad cell."""
    values: dict[str, object] = {}
    for name, index in columns.items():
        text = row[index].strip() if index < len(row) else ""
        if not text:
            continue
        label = HEADERS[kind][name][0]
        if name in _DECIMAL_FIELDS:
            values[name] = _decimal(text, label, name)
        elif name == "terms_days":
            days = text.removesuffix("天")
            if not days.isascii() or not days.isdigit() or len(days) > 4:
                raise InvalidProduct(label, f"「{text[:20]}」应是天数，如 30")
            values[name] = int(days)
        elif name == "unit" and _UNIT.fullmatch(text) is None:
            raise InvalidProduct(label, f"「{text[:20]}」不是单位（1–8 个字，不含数字）")
        else:
            values[name] = text
    return values


def _required(kind: str, values: dict[str, object]) -> None:
    for name in REQUIRED[kind]:
        if name not in values:
            raise InvalidProduct(HEADERS[kind][name][0], "不能为空")


@dataclass(frozen=True, slots=True)
class _Planned:
    row: int
    action: str  # "add", "change", "unchanged"
    value: object
    before: object = None


def _plan_product(uow: UnitOfWork, values: dict[str, object]) -> tuple[str, object, object]:
    code = normalise_code(str(values["code"]))
    if CODE_PATTERN.fullmatch(code) is None:
        raise InvalidProduct("商品编码", "只能用字母、数字和 . _ -，最多 32 位")
    fields = {k: v for k, v in values.items() if k != "code"}
    barcode = str(values.get("barcode", ""))
    if barcode and barcode.isdigit() and len(barcode) >= 6:
        holder = next((p for p in uow.products.lookup(barcode, 2) if p.barcode == barcode and p.code != code), None)
        if holder is not None:
            raise InvalidProduct("条码", f"已是 {holder.code} {holder.name} 的条码")
    existing = uow.products.get(code)
    if existing is None:
        return "add", Product(code=code, **fields), None  # type: ignore[arg-type]
    updated, changes = apply_changes(existing, fields)
    return ("change" if changes else "unchanged"), updated, existing


def _plan_opening(uow: UnitOfWork, values: dict[str, object]) -> tuple[str, object, object]:
    code = normalise_code(str(values["code"]))
    product = uow.products.get(code)
    if product is None:
        raise InvalidProduct("商品编码", f"没有商品 {code[:32]}（先导入商品）")
    quantity = values["quantity"]
    assert isinstance(quantity, Decimal)
    if quantity == 0:
        raise InvalidProduct("数量", "应大于 0")
    unit = values.get("unit")
    if unit is not None and str(unit).lower() != product.unit.lower():
        raise InvalidProduct("单位", f"「{unit}」不是 {product.code} 的单位（{product.unit}）")
    name = values.get("warehouse")
    warehouse = uow.stock.warehouse_named(str(name)) if name else uow.stock.default_warehouse()
    if warehouse is None:
        raise InvalidProduct("仓库", f"没有仓库「{name}」（先 仓库 新增 {name}）")
    unit_cost = values.get("unit_cost", product.purchase_price)
    planned = (product, warehouse, quantity, unit_cost)
    # Opening stock is the first entry of a product's ledger: once there is one, the row is done.
    if uow.stock.has_movements(product.id):
        return "unchanged", planned, None
    return "add", planned, None


def _plan_partner(uow: UnitOfWork, kind: PartnerKind, values: dict[str, object]) -> tuple[str, object, object]:
    partner = Partner(kind, str(values["name"]).strip(), **{k: v for k, v in values.items() if k != "name"})  # type: ignore[arg-type]
    existing = uow.partners.get(kind, partner.name)
    if existing is None:
        return "add", partner, None
    updated = replace(partner, id=existing.id)
    return ("unchanged" if updated == existing else "change"), updated, existing


def _plan(uow: UnitOfWork, cmd: c.ImportFile) -> tuple[ImportReport, list[_Planned]]:
    if not cmd.rows:
        raise ImportRefused("表格是空的")
    header, data = cmd.rows[0], cmd.rows[1:]
    columns = match_headers(cmd.kind, header)
    report = ImportReport(cmd.kind, 0, columns=tuple(HEADERS[cmd.kind][name][0] for name in columns))
    planned: list[_Planned] = []
    seen: dict[str, int] = {}
    seen_barcodes: dict[str, int] = {}
    rows = 0
    for number, row in enumerate(data, 2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines between blocks are common in hand-made sheets
        rows += 1
        try:
            values = _values(cmd.kind, columns, row)
            _required(cmd.kind, values)
            key_field = "name" if cmd.kind in ("客户", "供应商") else "code"
            key = normalise_code(str(values[key_field]))
            label = HEADERS[cmd.kind][key_field][0]
            if key in seen and cmd.kind != "期初库存":
                raise InvalidProduct(label, f"与第 {seen[key]} 行重复")
            if key in seen and cmd.kind == "期初库存" and values.get("warehouse") is None:
                raise InvalidProduct(label, f"与第 {seen[key]} 行重复")
            seen.setdefault(key, number)
            barcode = values.get("barcode")
            if barcode:
                if barcode in seen_barcodes:
                    raise InvalidProduct("条码", f"与第 {seen_barcodes[str(barcode)]} 行重复")
                seen_barcodes[str(barcode)] = number
            if cmd.kind == "商品":
                action, value, before = _plan_product(uow, values)
            elif cmd.kind == "期初库存":
                action, value, before = _plan_opening(uow, values)
            else:
                action, value, before = _plan_partner(uow, PartnerKind(cmd.kind), values)
        except InvalidProduct as error:
            report.rejected.append(RowError(number, error.field, error.reason))
            continue
        planned.append(_Planned(number, action, value, before))
        {"add": report.added, "change": report.changed, "unchanged": report.unchanged}[action].append(number)
    if rows == 0:
        raise ImportRefused("表格只有表头，没有数据行")
    return replace(report, rows=rows), planned


def _write(uow: UnitOfWork, ctx: Context, kind: str, planned: list[_Planned]) -> None:
    number = _number(uow, ctx, MovementKind.OPENING) if kind == "期初库存" else ""
    for item in planned:
        if item.action == "unchanged":
            continue
        if kind == "商品":
            product = item.value
            assert isinstance(product, Product)
            if item.action == "add":
                uow.products.add(product)
                audit(uow, ctx, Action.ADD_PRODUCT, product.code)
            else:
                _, changes = apply_changes(item.before, {f: getattr(product, f) for f in _changed_fields(item)})  # type: ignore[arg-type]
                uow.products.update(product)
                audit(uow, ctx, Action.CHANGE_PRODUCT, product.code, changes=tuple(changes))
        elif kind == "期初库存":
            product, warehouse, quantity, unit_cost = item.value  # type: ignore[misc]
            before = uow.stock.lock_balance(product.id, warehouse.id)
            cost = quantize_unit_cost(unit_cost) if unit_cost is not None else None
            append_movement(
                uow, ctx, MovementKind.OPENING, product.id, warehouse.id, before, post_receipt(before, quantity, cost),
                number, unit_price=cost, note="导入期初库存",
            )
        else:
            partner = item.value
            assert isinstance(partner, Partner)
            if item.action == "add":
                uow.partners.add(partner)
                audit(uow, ctx, Action.ADD_PARTNER, partner.name)
            else:
                uow.partners.update(partner)
                audit(uow, ctx, Action.CHANGE_PARTNER, partner.name)
    if number:
        audit(uow, ctx, Action.IMPORT_OPENING, "期初库存", numbers=(number,))


def _changed_fields(item: _Planned) -> list[str]:
    before, after = item.before, item.value
    return [name for name in PRODUCT_HEADERS if name != "code" and getattr(before, name) != getattr(after, name)]


def import_rows(uow: UnitOfWork, ctx: Context, cmd: c.ImportFile) -> ImportReport:
    """Check every row; write them all in one transaction when all are valid (or, with
    ``valid_only``, the valid ones). Otherwise write nothing and report.

    Raises:
        ImportRefused: the sheet as a whole cannot be read (no data, required column missing).
    """
    with uow.writing():
        report, planned = _plan(uow, cmd)
        if report.rejected and not cmd.valid_only:
            return report
        if not planned:
            return report
        _write(uow, ctx, cmd.kind, planned)
        uow.commit()
    return replace(report, written=True)



def save_job(uow: UnitOfWork, ctx: Context, token: str, cmd: c.ImportFile) -> None:
    """Keep a checked sheet's rows for its 导入有效行 button (the confirmation ``token``)."""
    with uow.writing():
        uow.import_jobs.add(ImportJob(token, cmd.kind, cmd.rows, ctx.now))
        uow.commit()


def job_rows(uow: UnitOfWork, token: str) -> tuple[tuple[str, ...], ...] | None:
    """The rows kept for a 导入有效行 button, or None when they are gone (older than a day)."""
    with uow:
        job = uow.import_jobs.get(token)
    return job.rows if job is not None else None
