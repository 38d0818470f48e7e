"""Multi-line batches: several bookings previewed together and booked in one transaction.

The preview runs every line for real inside a transaction that is then rolled back, so it
shows exactly what confirming will book (and every refusal) from the same code that books.
Confirming runs the lines again in one transaction: a single refusal books nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Self

from domain import commands as c
from domain import services, stocktake
from domain.access import can, required_permission, roles_with
from domain.errors import BatchLineFailed, DomainError, NeedsConfirmation, NotPermitted
from domain.ports import UnitOfWork

MAX_BATCH_LINES = 50

# The verbs a batch may carry: bookings and new products, never queries or settings.
_SERVICES: dict[type, Callable[[Any, services.Context, Any], object]] = {
    c.ReceiveStock: services.receive_stock,
    c.IssueStock: services.issue_stock,
    c.TransferStock: services.transfer_stock,
    c.ScrapStock: services.scrap_stock,
    c.CountStock: stocktake.count_stock,
    c.AddProduct: services.add_product,
}
BATCH_COMMANDS = tuple(_SERVICES)


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What one line did (``result``) or why it could not (``error``); ``warnings`` are the
    questions a single command would have asked (10× the usual quantity, an odd price)."""

    line: c.BatchLine
    result: object | None = None
    error: DomainError | None = None
    warnings: tuple[object, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchPreview:
    outcomes: list[LineOutcome]
    headers: int = 0

    @property
    def failed(self) -> list[LineOutcome]:
        return [o for o in self.outcomes if o.error is not None or o.line.error]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def bookings(self) -> int:
        return sum(1 for o in self.outcomes if o.line.command is not None)


@dataclass(frozen=True, slots=True)
class BatchBooked:
    outcomes: list[LineOutcome] = field(default_factory=list)


class _Joined:
    """The batch's unit of work as each line's service sees it: their ``with`` and ``commit``
    join the one open transaction, which the batch alone commits or rolls back."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def writing(self) -> Self:
        return self

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def commit(self) -> None:
        return None


def _check_permission(ctx: services.Context, command: object) -> None:
    needed = required_permission(command)
    if needed is not None and not can(ctx.actor.role, needed):
        raise NotPermitted(ctx.actor.role, needed, roles_with(needed))


def _run(joined: _Joined, ctx: services.Context, command: object, confirmed: bool) -> tuple[object, tuple[object, ...]]:
    """One line in the open transaction: (result, the risks a single command would ask about)."""
    _check_permission(ctx, command)
    service = _SERVICES[type(command)]
    if confirmed and hasattr(command, "confirmed"):
        return service(joined, ctx, replace(command, confirmed=True)), ()  # type: ignore[type-var]
    try:
        return service(joined, ctx, command), ()
    except NeedsConfirmation as question:
        # The services ask before they write anything: run the line again, answered.
        return service(joined, ctx, question.command), tuple(question.reasons)


def _line_context(ctx: services.Context, line: c.BatchLine) -> services.Context:
    """The audit log records each booking with its own line, not the whole message."""
    return replace(ctx, text=line.text)


def preview_batch(uow: UnitOfWork, ctx: services.Context, cmd: c.RunBatch) -> BatchPreview:
    """Run every line in a transaction that is rolled back; report each line's outcome.

    A line refused early does not hide the lines after it: the preview names every line to fix.
    """
    outcomes: list[LineOutcome] = []
    with uow.writing():
        joined = _Joined(uow)
        for line in cmd.lines:
            if line.command is None:
                outcomes.append(LineOutcome(line))
                continue
            try:
                result, warnings = _run(joined, _line_context(ctx, line), line.command, confirmed=False)
                outcomes.append(LineOutcome(line, result, warnings=warnings))
            except DomainError as error:
                outcomes.append(LineOutcome(line, error=error))
        # Leaving the block without commit rolls every line back: a preview books nothing.
    headers = sum(1 for line in cmd.lines if line.header)
    return BatchPreview(outcomes, headers)


def book_batch(uow: UnitOfWork, ctx: services.Context, cmd: c.RunBatch) -> BatchBooked:
    """Book every line in one transaction: all of them, or (any refusal) none.

    Raises:
        BatchLineFailed: the first refused line; nothing was booked.
    """
    outcomes: list[LineOutcome] = []
    with uow.writing():
        joined = _Joined(uow)
        for line in cmd.lines:
            if line.command is None:
                continue
            try:
                result, _ = _run(joined, _line_context(ctx, line), line.command, confirmed=True)
            except DomainError as error:
                raise BatchLineFailed(line, error) from None
            outcomes.append(LineOutcome(line, result))
        uow.commit()
    return BatchBooked(outcomes)
