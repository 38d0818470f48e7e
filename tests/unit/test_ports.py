"""The in-memory fakes offer exactly the surface the ports promise (so services tested on them
would run on storage), and the port value types are immutable."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal
from typing import Protocol, runtime_checkable

import pytest

from domain import ports
from domain.stock import StockBalance
from tests.factories import make_product
from tests.fakes import FakeNumberSequence, FakeProductRepository, FakeStockRepository, FakeUnitOfWork

PAIRS = [
    (ports.ProductRepository, FakeProductRepository),
    (ports.StockRepository, FakeStockRepository),
    (ports.NumberSequence, FakeNumberSequence),
    (ports.UnitOfWork, FakeUnitOfWork),
]
_PROTOCOL_DUNDERS = {"__enter__", "__exit__"}


def protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and (not name.startswith("_") or name in _PROTOCOL_DUNDERS)
    }


def parameter_names(signature: inspect.Signature) -> list[str]:
    return [name for name in signature.parameters if name != "self"]


@pytest.mark.parametrize(("protocol", "fake"), PAIRS, ids=lambda x: x.__name__)
def test_fake_has_every_method_of_the_protocol_with_the_same_parameters(protocol: type, fake: type) -> None:
    methods = protocol_methods(protocol)
    assert methods, f"{protocol.__name__} declares no methods?"
    for name, signature in methods.items():
        assert callable(getattr(fake, name, None)), f"{fake.__name__} lacks {name}"
        assert parameter_names(inspect.signature(getattr(fake, name))) == parameter_names(signature), name


def test_the_protocol_method_lists_are_what_the_services_use() -> None:
    assert set(protocol_methods(ports.UnitOfWork)) == {"writing", "__enter__", "__exit__", "commit"}
    assert "check" in protocol_methods(ports.StockRepository)


def test_fake_unit_of_work_has_the_declared_attributes_of_the_right_kind() -> None:
    uow = FakeUnitOfWork(workspace_id=7)
    assert set(ports.UnitOfWork.__annotations__) == {"workspace_id", "products", "stock", "numbers"}
    assert uow.workspace_id == 7
    assert isinstance(uow.products, FakeProductRepository)
    assert isinstance(uow.stock, FakeStockRepository)
    assert isinstance(uow.numbers, FakeNumberSequence)


@pytest.mark.parametrize(("protocol", "fake"), PAIRS, ids=lambda x: x.__name__)
def test_fake_satisfies_a_runtime_checkable_copy_of_the_protocol(protocol: type, fake: type) -> None:
    checkable = runtime_checkable(type(f"Checkable{protocol.__name__}", (protocol, Protocol), {}))
    uow = FakeUnitOfWork()
    instance = {
        FakeUnitOfWork: uow,
        FakeProductRepository: uow.products,
        FakeStockRepository: uow.stock,
        FakeNumberSequence: uow.numbers,
    }[fake]
    assert isinstance(instance, checkable)
    assert not isinstance(object(), checkable)


def test_writing_and_enter_return_the_unit_of_work_itself() -> None:
    uow = FakeUnitOfWork()
    assert uow.writing() is uow
    with uow as entered:
        assert entered is uow


@pytest.mark.parametrize(
    "value",
    [
        ports.Warehouse(1, "默认仓库"),
        ports.StockLine(make_product(), StockBalance()),
        ports.StockTotals(1, Decimal(0), 0, 0),
    ],
    ids=lambda value: type(value).__name__,
)
def test_port_value_types_are_frozen(value: object) -> None:
    first = dataclasses.fields(value)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, first, None)
