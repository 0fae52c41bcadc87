"""Feed snapshots to JSON and back, for the feed board. Only the dataclasses named are ever built
from what is read (no pickle: another console's file is data, never code), each field checked
against its type; anything else is refused with ValueError."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def dumps(value: object) -> str:
    return json.dumps(_plain(value), separators=(",", ":"))


def loads(text: str, kind: type[T]) -> T:
    """The `kind` dataclass `text` holds; ValueError when it does not hold one."""
    try:
        return typing.cast(T, _build(json.loads(text), kind))
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a {kind.__name__}: {exc}") from None


def _plain(value: object) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _build(raw: Any, kind: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(kind)
        if raw is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _build(raw, option)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors) or "null where a value is needed")
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(raw, list):
            raise ValueError(f"a list expected, not {type(raw).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(v, args[0]) for v in raw)
        if len(args) != len(raw):
            raise ValueError(f"{len(args)} items expected, not {len(raw)}")
        return tuple(_build(v, a) for v, a in zip(raw, args, strict=True))
    if origin is dict:
        key, value = typing.get_args(kind)
        if not isinstance(raw, dict):
            raise ValueError(f"an object expected, not {type(raw).__name__}")
        return {_build(k, key): _build(v, value) for k, v in raw.items()}
    if is_dataclass(kind):
        if not isinstance(raw, dict):
            raise ValueError(f"an object expected for {kind.__name__}")
        hints = _hints(kind)
        return kind(**{f.name: _build(raw[f.name], hints[f.name]) for f in fields(kind)})
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    if kind is datetime:
        if not isinstance(raw, str):
            raise ValueError("a time expected")
        return datetime.fromisoformat(raw)
    if kind is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"a number expected, not {raw!r}")
        return float(raw)
    if kind in (int, str, bool):
        if type(raw) is not kind:
            raise ValueError(f"{kind.__name__} expected, not {raw!r}")
        return raw
    if kind is Any or kind is object:
        return raw
    raise TypeError(f"cannot read a {kind!r}")
