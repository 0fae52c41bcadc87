"""Read TOML into frozen dataclasses; errors name the file, the key path and the problem."""

from __future__ import annotations

import dataclasses
import functools
import tomllib
import types
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from warroom.timeutil import parse_duration

T = TypeVar("T")


class SchemaError(Exception):
    """A problem in a TOML file, at a key path such as `health.endpoints[0].url`."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + problem)


class Invalid(ValueError):
    """Raised by a dataclass's __post_init__ to reject one of its fields' values."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


# A config or runbook is a page or two; `--config /dev/zero` must not read forever.
MAX_FILE = 1024 * 1024


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise SchemaError(
                path, "", f"larger than {MAX_FILE // 1024} KiB; is it the right file?"
            )
        return tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise SchemaError(path, "", "file not found") from None
    except IsADirectoryError:
        raise SchemaError(path, "", "is a directory, not a TOML file") from None
    except PermissionError:
        raise SchemaError(path, "", "permission denied") from None
    except OSError as exc:
        raise SchemaError(path, "", exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise SchemaError(path, "", "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(path, "", f"TOML syntax error: {exc}") from None


# A schema's classes do not change while the program runs; resolving their string annotations
# again at every read was most of the time a config or runbook took to load.
_type_hints = functools.cache(typing.get_type_hints)


def build(cls: type[T], data: Any, path: Path | str, key: str = "") -> T:
    """Build dataclass `cls` from a parsed TOML table, checking every key and type."""
    if not isinstance(data, dict):
        raise SchemaError(path, key, f"expected a table, got {_describe(data)}")
    hints = _type_hints(cls)
    fields = {
        f.name: f
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.init and not f.metadata.get("internal")
    }
    for name in data:
        if name not in fields:
            hint = getattr(cls, "unknown_key_hints", {}).get(name)
            known = ", ".join(sorted(fields))
            problem = hint or f"unknown key; known keys here: {known}"
            raise SchemaError(path, _join(key, name), problem)
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        child = _join(key, name)
        if name in data:
            values[name] = _convert(hints[name], data[name], path, child)
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise SchemaError(path, child, "missing required value")
    try:
        return cls(**values)
    except Invalid as exc:  # a dataclass's own __post_init__ check
        raise SchemaError(path, _join(key, exc.field), exc.problem) from None


def _convert(hint: Any, value: Any, path: Path | str, key: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _convert(options[0], value, path, key)
    if origin is tuple:
        if not isinstance(value, list):
            raise SchemaError(path, key, f"expected a list, got {_describe(value)}")
        return tuple(_convert(args[0], item, path, f"{key}[{i}]") for i, item in enumerate(value))
    if origin is dict:  # a table of free keys, e.g. alarm names to severities
        if not isinstance(value, dict):
            raise SchemaError(path, key, f"expected a table, got {_describe(value)}")
        return {
            str(name): _convert(args[1], item, path, _join(key, name))
            for name, item in value.items()
        }
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path, key)
    if hint is timedelta:
        if not isinstance(value, str):
            problem = f'expected a duration such as "10m", got {_describe(value)}'
            raise SchemaError(path, key, problem)
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise SchemaError(path, key, str(exc)) from None
    if hint is bool:
        if not isinstance(value, bool):
            raise SchemaError(path, key, f"expected true or false, got {_describe(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(path, key, f"expected a whole number, got {_describe(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SchemaError(path, key, f"expected a number, got {_describe(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise SchemaError(path, key, f"expected a string, got {_describe(value)}")
        return value
    raise TypeError(f"typedtoml cannot read {hint!r} at {key}")  # a bug in a schema, not in a file


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"string {value!r}"
    return f"{type(value).__name__} {value!r}"
