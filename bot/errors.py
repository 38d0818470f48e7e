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
    e.NotAMember: "errors/not_a_member.html",
    e.NotPermitted: "errors/not_permitted.html",
    e.ChatNotBound: "errors/chat_not_bound.html",
    e.AlreadyBound: "errors/already_bound.html",
    e.InvalidInvitation: "errors/invalid_invitation.html",
    e.AlreadyMember: "errors/already_member.html",
    e.UnknownMember: "errors/unknown_member.html",
    e.CannotManageMember: "errors/cannot_manage_member.html",
    e.TooManyWorkspaces: "errors/too_many_workspaces.html",
    e.UnknownWarehouse: "errors/unknown_warehouse.html",
    e.WarehouseExists: "errors/warehouse_exists.html",
    e.WarehouseNotAllowed: "errors/warehouse_not_allowed.html",
    e.NothingToUndo: "errors/nothing_to_undo.html",
    e.UnknownOperation: "errors/unknown_operation.html",
    e.UndoRefused: "errors/undo_refused.html",
    e.ConfirmationExpired: "errors/confirmation_expired.html",
    e.AlreadyProcessed: "errors/already_processed.html",
    e.PrivateChatOnly: "errors/private_chat_only.html",
    e.SameWarehouse: "errors/same_warehouse.html",
    e.StocktakeOpen: "errors/stocktake_open.html",
    e.NoOpenStocktake: "errors/no_open_stocktake.html",
    e.AmbiguousStocktake: "errors/ambiguous_stocktake.html",
    e.EmptyStocktake: "errors/empty_stocktake.html",
    e.StocktakeBelowZero: "errors/stocktake_below_zero.html",
    e.NegativeStockSetting: "errors/negative_stock_setting.html",
    e.ValuationRefused: "errors/valuation_refused.html",
    e.BatchRefused: "errors/batch_refused.html",
    e.PartnerExists: "errors/partner_exists.html",
    e.UnknownPartner: "errors/unknown_partner.html",
    e.UnknownDocument: "errors/unknown_document.html",
    e.IllegalTransition: "errors/illegal_transition.html",
    e.NotOnOrder: "errors/not_on_order.html",
    e.CreditLimitExceeded: "errors/credit_limit.html",
    e.AmbiguousPartner: "errors/ambiguous_partner.html",
    e.NothingToReturn: "errors/nothing_to_return.html",
    e.DocumentRefused: "errors/document_refused.html",
    # ---- operations ----
    e.BackupNotAllowed: "errors/backup_not_allowed.html",
    e.BackupUnavailable: "errors/backup_unavailable.html",
    # ---- faster entry ----
    e.BatchLineFailed: "errors/batch_line_failed.html",
    e.ImportRefused: "errors/import_refused.html",
    e.AmbiguousProduct: "errors/ambiguous_product.html",
    e.AlertTopicRefused: "errors/alert_topic_refused.html",
}


def template_for(error: e.DomainError) -> str:
    for kind in type(error).__mro__:
        if kind in ERROR_TEMPLATES:
            return ERROR_TEMPLATES[kind]
    return "errors/generic.html"
