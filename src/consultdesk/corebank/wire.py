"""JSON shapes of the core-bank facts, shared by the HTTP server and client.

Decimals travel as strings ("52340.18") so no amount passes through a float; dates and
datetimes as ISO 8601; enums as their values. `decode` raises ValueError/TypeError/
KeyError on a malformed document; the client turns that into CoreBankUnavailable.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")


def encode(obj: Any) -> Any:
    """A dataclass (or list of them) as plain JSON values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [encode(item) for item in obj]
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, date):  # datetime is a date too
        return obj.isoformat()
    return obj


def _decode_value(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return None if value is None else _decode_value(options[0], value)
    if value is None:
        raise TypeError("unexpected null")
    if origin is list:
        (item,) = typing.get_args(kind)
        if not isinstance(value, list):
            raise TypeError("expected a list")
        return [_decode_value(item, v) for v in value]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return decode(kind, value)
    if kind is Decimal:
        if not isinstance(value, str | int):
            raise TypeError("amounts travel as strings")
        result = Decimal(value)
        if not result.is_finite():
            raise ValueError("amount not finite")
        return result
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    supertype = getattr(kind, "__supertype__", None)  # NewType
    if supertype is not None:
        return _decode_value(supertype, value)
    if kind in (str, int, bool) and type(value) is kind:
        return value
    raise TypeError(f"expected {kind}, got {type(value).__name__}")


def decode(cls: type[T], data: Any) -> T:
    """Build dataclass `cls` from the JSON object `data`, checking every field's type."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    values = {
        f.name: _decode_value(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    }
    return cls(**values)
