"""Which template explains which refusal: one table, so every error path has one reply."""

from __future__ import annotations

from domain import errors as e

ERROR_TEMPLATES: dict[type[e.DomainError], str] = {
    e.UnknownProduct: "errors/unknown_product.html",
    e.ProductAlreadyExists: "errors/product_exists.html",
    e.ProductInactive: "errors/product_inactive.html",
    e.InsufficientStock: "errors/insufficient_stock.html",
    e.UnitMismatch: "errors/unit_mismatch.html",
    e.FractionalQuantity: "errors/fractional_quantity.html",
    e.InvalidProduct: "errors/invalid_product.html",
    e.NothingToChange: "errors/nothing_to_change.html",
    e.FutureDate: "errors/future_date.html",
    e.ConcurrentChange: "errors/concurrent_change.html",
}


def template_for(error: e.DomainError) -> str:
    for kind in type(error).__mro__:
        if kind in ERROR_TEMPLATES:
            return ERROR_TEMPLATES[kind]
    return "errors/generic.html"
