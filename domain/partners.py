"""Partners (供应商 / 客户): whom the shop buys from and sells to.

A partner's payment terms (账期) set the due date of what is owed; a customer's credit limit
(信用额度) caps open receivables. Phone numbers are personal data: replies show them only to
roles with VIEW_CONTACTS (and not in a group unless it is marked for sensitive figures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidProduct
from domain.money import MAX_PRICE, ZERO

MAX_NAME_LENGTH = 30
MAX_TERMS_DAYS = 365
_PHONE = re.compile(r"\+?[0-9][0-9 -]{4,19}")


class PartnerKind(StrEnum):
    SUPPLIER = "供应商"
    CUSTOMER = "客户"


# The fields 供应商/客户 新增/修改 set, by their Chinese key.
PARTNER_FIELDS: dict[str, str] = {
    "联系人": "contact",
    "电话": "phone",
    "账期": "terms_days",
    "信用额度": "credit_limit",
    "交期": "lead_days",
}
MAX_LEAD_DAYS = 365


@dataclass(frozen=True, slots=True)
class Partner:
    kind: PartnerKind
    name: str
    contact: str = ""
    phone: str = ""
    terms_days: int = 0
    credit_limit: Decimal | None = None
    id: int = 0
    lead_days: int | None = None  # 交期: a supplier's days from order to receipt (补货建议 uses it)

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > MAX_NAME_LENGTH:
            raise InvalidProduct("名称", f"需要 1–{MAX_NAME_LENGTH} 个字")
        if len(self.contact) > MAX_NAME_LENGTH:
            raise InvalidProduct("联系人", f"最多 {MAX_NAME_LENGTH} 个字")
        if self.phone and _PHONE.fullmatch(self.phone) is None:
            raise InvalidProduct("电话", "只能是数字（可带 + 和 -），5–20 位")
        if not 0 <= self.terms_days <= MAX_TERMS_DAYS:
            raise InvalidProduct("账期", f"应在 0 到 {MAX_TERMS_DAYS} 天之间")
        if self.credit_limit is not None and not ZERO <= self.credit_limit <= MAX_PRICE:
            raise InvalidProduct("信用额度", "应在 0 到 10,000,000 元之间")
        if self.credit_limit is not None and self.kind is PartnerKind.SUPPLIER:
            raise InvalidProduct("信用额度", "只有客户有信用额度")
        if self.lead_days is not None and not 0 <= self.lead_days <= MAX_LEAD_DAYS:
            raise InvalidProduct("交期", f"应在 0 到 {MAX_LEAD_DAYS} 天之间")
        if self.lead_days is not None and self.kind is PartnerKind.CUSTOMER:
            raise InvalidProduct("交期", "只有供应商有交期")
