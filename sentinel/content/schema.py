"""Read a YAML mapping into a model dataclass, reporting every problem with its position.

One generic reader serves every kind of file: it takes the field names, types and defaults of
the dataclass as the schema, so there is no load-check-raise block per file type.
"""
from __future__ import annotations

import dataclasses
import re
import sys
import types
import typing
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Literal, Union

from sentinel.content.model import NAME, NAME_RULE, Name, Origin
from sentinel.problems import Problems, Where, did_you_mean
from sentinel.content.yamlsafe import Located

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?|[+-]?\d+(\.\d+)?")  # 10,174 and 58.5
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # outside this, a date is a typo


class Invalid(Exception):
    """One value is wrong; the message says what would be right."""


@lru_cache(maxsize=None)
def _fields(cls) -> tuple:
    hints = typing.get_type_hints(cls)
    return tuple((f, hints[f.name]) for f in dataclasses.fields(cls) if f.metadata.get("yaml", True))


@lru_cache(maxsize=None)
def _known(cls) -> frozenset:
    return frozenset(f.name for f, _ in _fields(cls))


@lru_cache(maxsize=None)
def _has_origin(cls) -> bool:
    return "origin" in {f.name for f in dataclasses.fields(cls)}


def _required(f) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def build(cls, data: Any, doc: Located, path: tuple, problems: Problems, **extra):
    """Build `cls` from `data` (a dict from the loader). Returns None if any problem was found."""
    where = doc.at(path)
    if not isinstance(data, dict):
        problems.add(where, f"expected a set of 'key: value' lines here, found {_describe(data)}")
        return None
    before = len(problems)
    known = _known(cls)
    for key in data:
        if key not in known:
            problems.add(doc.key_at(path + (key,)), _unknown_key(key, known))
    values: dict[str, Any] = {}
    positions: list = []  # name, line, col, name, line, col, ... (see Origin.placed)
    for f, hint in _fields(cls):
        if f.name not in data or data[f.name] is None:
            if _required(f):
                problems.add(where, f"missing required key '{f.name}'")
            continue
        vpath = path + (f.name,)
        positions += _pos(f.name, doc.at(vpath))
        try:
            value = _reader(hint)(data[f.name], doc, vpath, problems)
        except Invalid as err:
            problems.add(doc.at(vpath), f"'{f.name}': {err}")
            continue
        rule = f.metadata.get("check")
        message = rule(value) if rule and value is not None else None
        if message:
            problems.add(doc.at(vpath), f"'{f.name}': {message}")
            continue
        values[f.name] = value
        # Items of lists and keys of mappings get their own positions, for cross-checks.
        if isinstance(value, tuple):
            for i in range(len(value)):
                positions += _pos(f"{f.name}.{i}", doc.at(vpath + (i,)))
        elif isinstance(value, dict):
            for k in value:
                positions += _pos(f"{f.name}.{k}", doc.key_at(vpath + (k,)))
    if _has_origin(cls):
        extra["origin"] = Origin.placed(where, positions)
    if len(problems) != before:
        # Still return what can be built (wrong optional values left at their defaults), so the
        # cross-checks can report the rest of the entry's problems in the same run. Nothing is
        # written when there is any problem, so this object never reaches an output.
        if any(_required(f) and f.name not in values for f, _ in _fields(cls)):
            return None
    return cls(**values, **extra)


def _pos(name: str, where: Where) -> tuple[str, int, int]:
    # Interned: the names repeat in every entry, and a cached file then stores each name once.
    return (sys.intern(name), where.line, where.col)


@lru_cache(maxsize=None)
def _reader(hint) -> Callable[[Any, Located, tuple, Problems], Any]:
    """How a value is read for `hint`, worked out once per type, not for every field of every
    entry (the type's origin and arguments looked up again and again were a sixth of reading a
    month file). Raises Invalid, with what would be right, for a value that does not fit."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return _reader(next(a for a in typing.get_args(hint) if a is not type(None)))
    if origin is Literal:
        choices = typing.get_args(hint)

        def choice(value, doc, path, problems):
            if value not in choices:
                raise Invalid(_choice_message(value, choices))
            return value
        return choice
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        read_item, single = _reader(item_hint), item_hint in (str, Name)

        def items(value, doc, path, problems):
            if not isinstance(value, list):
                if isinstance(value, str) and single:
                    value = [value]  # a single item may be written without the list brackets
                else:
                    raise Invalid(f"expected a list (lines starting with '- '), found {_describe(value)}")
            out = []
            for i, item in enumerate(value):
                try:
                    converted = read_item(item, doc, path + (i,), problems)
                except Invalid as err:
                    problems.add(doc.at(path + (i,)), f"item {i + 1}: {err}")
                    continue
                if converted is not None:
                    out.append(converted)
            return tuple(out)
        return items
    if hint is dict or origin is dict:
        def mapping(value, doc, path, problems):
            if not isinstance(value, dict):
                raise Invalid(f"expected a set of 'key: value' lines, found {_describe(value)}")
            return dict(value)
        return mapping
    if dataclasses.is_dataclass(hint):
        short = getattr(hint, "SHORT", None)

        def nested(value, doc, path, problems):
            if isinstance(value, str) and short:
                value = {short: value}  # `- Solihull LPU` for `- name: Solihull LPU`
            return build(hint, value, doc, path, problems)
        return nested
    parse = _SCALARS.get(hint)
    if parse is None:
        raise TypeError(f"no reader for {hint!r}")  # a programming error, not a content one

    def scalar(value, doc, path, problems):
        if not isinstance(value, str):
            raise Invalid(f"expected a single value, found {_describe(value)}")
        return parse(value)
    return scalar


def _name(value: str) -> str:
    if not NAME.fullmatch(value):
        raise Invalid(f"'{value}' cannot be a name: write it in {NAME_RULE}")
    return value


def _bool(value: str) -> bool:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise Invalid(f"expected true or false, found '{value}'")


def _int(value: str) -> int:
    if _INT.fullmatch(value.strip()):
        return int(value)
    raise Invalid(f"expected a whole number, found '{value}'")


def _datetime(value: str) -> datetime:
    if not _DATETIME.fullmatch(value.strip()):
        raise Invalid(f"expected a date and time like 2013-09-06T09:30, found '{value}'")
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError as err:
        raise Invalid(f"'{value}' is not a real date and time ({err})") from None


def parse_number(value: str) -> float:
    """A figure as people write it: 983, 10,174 or 58.5."""
    if not _NUMBER.fullmatch(value.strip()):
        raise Invalid(f"expected a number like 983, 10,174 or 58.5, found '{value}'")
    return float(value.strip().replace(",", ""))


def parse_date(value: str) -> date:
    if not _DATE.fullmatch(value.strip()):
        raise Invalid(f"expected a date like 2013-08-15 (year-month-day), found '{value}'")
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"'{value}' is not a real date") from None
    if not EARLIEST <= d <= LATEST:
        raise Invalid(f"{d.isoformat()} is outside {EARLIEST.year}-{LATEST.year}: is the year mistyped?")
    return d


#: How a single value is read, by the field's type.
_SCALARS = {str: str, Name: _name, bool: _bool, int: _int, float: parse_number, date: parse_date, datetime: _datetime}


def _unknown_key(key: str, known: frozenset[str]) -> str:
    return f"unknown key '{key}'" + did_you_mean(key, sorted(known), f"the keys allowed here are {', '.join(sorted(known))}")


def _choice_message(value, choices) -> str:
    return f"'{value}' is not one of {', '.join(map(str, choices))}" + did_you_mean(value, choices)


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"
