"""Frozen dataclass trees to canonical JSON and back, driven by the dataclasses' own type hints.

A draft version stores the document's figures this way. Nothing here names a field: a field
added to a dataclass later is written by the next snapshot without any change here, and an
older snapshot that lacks it loads with the field's default (or None when it has none).
"""

import dataclasses
import datetime
import functools
import hashlib
import json
import types
import typing
from decimal import Decimal


def to_plain(value):
    """Dataclasses to dicts, Decimals to strings, dates to ISO text; tuples become lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    return value


def canonical_json(plain) -> str:
    """One spelling per content, so equal content has an equal SHA-256."""
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def from_plain(kind, plain):
    """Rebuild a value of type ``kind`` (a dataclass, Decimal, tuple[...], X | None, ...)."""
    if plain is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return from_plain(options[0], plain) if len(options) == 1 else plain
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], item) for item in plain)
        return tuple(from_plain(a, item) for a, item in zip(args, plain, strict=True))
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        return [from_plain(item_kind, item) for item in plain]
    if origin is dict:
        key_kind, item_kind = typing.get_args(kind)
        return {key_kind(k): from_plain(item_kind, v) for k, v in plain.items()}
    if dataclasses.is_dataclass(kind):
        return _dataclass_from_plain(kind, plain)
    if kind is Decimal:
        return Decimal(plain)
    if kind is datetime.datetime:
        return datetime.datetime.fromisoformat(plain)
    if kind is datetime.date:
        return datetime.date.fromisoformat(plain)
    return plain


def _dataclass_from_plain(cls, plain: dict):
    hints = _hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name in plain:
            values[f.name] = from_plain(hints[f.name], plain[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = None  # a field added after this snapshot was taken
    return cls(**values)
