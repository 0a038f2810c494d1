r"""Read and validate a spec file (``stencils.toml``) into frozen dataclasses.

A spec is a TOML file whose top-level tables are *entries*; each entry becomes one
module ``<name>.py`` in the output folder::

    [d2_central8]
    derivative = 2
    accuracy = 8

The key ``kind`` (default ``"operator"``) picks the kind of module; every other
key belongs to that kind (see :mod:`stencilgen.kinds`). Validation is strict and
every error is one line naming the file, the entry and the key:
``stencils.toml: entry [d1], key 'acuracy': unknown key; did you mean 'accuracy'?``

Examples
--------
>>> spec = parse_spec('[d1]\nderivative = 1\naccuracy = 2\n', "stencils.toml")
>>> [(e.name, e.kind) for e in spec.entries]
[('d1', 'operator')]
"""

from __future__ import annotations

import keyword
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stencilgen import kinds
from stencilgen.errors import SpecError, closest
from stencilgen.kinds import COMMON_KEYS
from stencilgen.limits import check_spec_offsets, read_limited
from stencilgen.printing import entry_toml
from stencilgen.taylor import as_exact

__all__ = [
    "COMMON_KEYS",
    "Entry",
    "Fields",
    "Spec",
    "load_spec",
    "parse_spec",
]

_MISSING: Any = object()


@dataclass(frozen=True)
class Entry:
    """One validated spec entry.

    Attributes
    ----------
    name : str
        The table name: the module is ``<name>.py``.
    kind : str
        The kind of module (a key of :data:`stencilgen.kinds.KINDS`).
    table : Mapping
        The entry's keys and values as written (``kind`` included only if given).
    config : object
        What the kind's ``parse`` returned (a frozen dataclass of its own).
    """

    name: str
    kind: str
    table: Mapping[str, Any] = field(compare=False, hash=False)
    config: Any

    @property
    def toml(self) -> str:
        """The entry as TOML text (for docstrings)."""
        return entry_toml(self.name, self.table)


@dataclass(frozen=True)
class Spec:
    """A validated spec: where it came from and its entries, in file order."""

    path: Path
    entries: tuple[Entry, ...]


class Fields:
    """Typed, validated access to one entry's keys, for a kind's ``parse``.

    Every accessor raises :class:`SpecError` with a one-line message naming the
    file, the entry and the key.

    Examples
    --------
    >>> f = Fields("s.toml", "d1", {"derivative": 1, "stencil": "centre"})
    >>> f.integer("derivative", minimum=0)
    1
    >>> f.integer("accuracy", default=2)
    2
    >>> f.choice("stencil", ["central", "forward"])
    Traceback (most recent call last):
    ...
    stencilgen.errors.SpecError: s.toml: entry [d1], key 'stencil': unknown value 'centre'; use one of "central", "forward"; did you mean 'central'?
    """  # noqa: E501

    def __init__(self, path: str, name: str, table: Mapping[str, Any]) -> None:
        self.path = path
        self.name = name
        self.table = table

    def error(self, key: str | None, message: str) -> SpecError:
        """A :class:`SpecError` about ``key`` (or the whole entry when None)."""
        where = f"{self.path}: entry [{self.name}]"
        if key is not None:
            where += f", key '{key}'"
        return SpecError(f"{where}: {message}")

    def has(self, key: str) -> bool:
        """Whether the entry gives ``key``."""
        return key in self.table

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """The value as written, or ``default``; missing and no default: error."""
        if key in self.table:
            return self.table[key]
        if default is _MISSING:
            raise self.error(key, "missing; this entry needs it")
        return default

    def integer(
        self, key: str, *, default: Any = _MISSING, minimum: int | None = None
    ) -> int:
        """A whole number (TOML integer), optionally at least ``minimum``."""
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, got {_show(value)}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def string(self, key: str, *, default: Any = _MISSING) -> str:
        """A string."""
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, got {_show(value)}")
        return value

    def boolean(self, key: str, *, default: Any = _MISSING) -> bool:
        """``true`` or ``false``."""
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {_show(value)}")
        return value

    def choice(
        self, key: str, choices: Sequence[str], *, default: Any = _MISSING
    ) -> str:
        """One of ``choices`` (with a "did you mean" for near misses)."""
        value = self.string(key, default=default)
        if value not in choices:
            options = ", ".join(f'"{c}"' for c in choices)
            raise self.error(
                key,
                f"unknown value {value!r}; use one of {options}"
                + closest(value, choices),
            )
        return value

    def number(self, key: str, *, default: Any = _MISSING) -> Any:
        """A number: TOML integer or float, or a string such as ``"1/2"``.

        Strings go through the restricted parser (never ``eval``); the result is
        exact (:func:`stencilgen.taylor.as_exact`).
        """
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(
                key, f'must be a number such as 1 or "1/2", got {_show(value)}'
            )
        try:
            exact = as_exact(value, key)
        except SpecError:
            raise
        except ValueError as error:
            raise self.error(key, str(error)) from None
        if exact.free_symbols:
            raise self.error(key, f"must be a number, got the expression {value!r}")
        return exact

    def number_list(self, key: str, *, default: Any = _MISSING) -> tuple[Any, ...]:
        """A list of numbers (see :meth:`number`), exact."""
        value = self.raw(key, default)
        if not isinstance(value, list) or not value:
            raise self.error(
                key, f"must be a non-empty list such as [-1, 0, 1], got {_show(value)}"
            )
        items = Fields(
            self.path, self.name, {f"{key}[{i}]": v for i, v in enumerate(value)}
        )
        return check_spec_offsets(
            (items.number(f"{key}[{i}]") for i in range(len(value))),
            lambda message: self.error(key, message),
        )


def _show(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    kinds = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    kind = kinds.get(type(value), type(value).__name__)
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind} ({text})" if not isinstance(value, dict) else kind


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _check_name(path: str, name: str) -> None:
    if not _IDENTIFIER.match(name):
        raise SpecError(
            f"{path}: entry [{name}]: the name must be a Python identifier (letters, "
            "digits and underscores, not starting with a digit); it names the module"
        )
    if keyword.iskeyword(name):
        raise SpecError(
            f"{path}: entry [{name}]: the name is a Python keyword; rename it, "
            f"e.g. [{name}_op]"
        )
    if name.startswith("_"):
        raise SpecError(
            f"{path}: entry [{name}]: the name may not start with an underscore "
            "(those are the generated module's private helpers); rename it"
        )
    if name in _SHADOWED or name in sys.stdlib_module_names:
        raise SpecError(
            f"{path}: entry [{name}]: a module or function named {name!r} would "
            "shadow the module of that name (the generated code imports numpy and "
            f"the standard library); rename it, e.g. [{name}_op]"
        )


#: Names the generated modules import (besides the standard library's).
_SHADOWED = frozenset({"np", "numpy"})


def parse_spec(text: str, path: str | Path = "stencils.toml") -> Spec:
    """Validate spec text; ``path`` is only used in messages and :attr:`Spec.path`.

    Raises
    ------
    SpecError
        One line naming file, entry and key.
    """
    label = Path(path).as_posix()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = re.search(r"at line (\d+)", message)
        where = f"line {line.group(1)}: " if line else ""
        declared = re.search(r"Cannot declare \((.*)\) twice", message)
        if declared:
            name = ".".join(re.findall(r"'([^']*)'", declared.group(1)))
            raise SpecError(
                f"{label}: {where}duplicate entry [{name}]; every entry name must "
                "be unique"
            ) from None
        if "Cannot overwrite" in message:
            entry = ""
            for text_line in text.splitlines()[: int(line.group(1)) if line else 0]:
                header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", text_line)
                entry = f"entry [{header.group(1)}], " if header else entry
            raise SpecError(
                f"{label}: {where}{entry}duplicate key; every key of an entry must "
                "be unique"
            ) from None
        raise SpecError(f"{label}: invalid TOML: {message}") from None
    if not data:
        raise SpecError(
            f"{label}: the spec has no entries; add one such as "
            "[d1] with derivative = 1 and accuracy = 2"
        )
    entries = []
    seen: dict[str, str] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise SpecError(
                f"{label}: top-level key '{name}' must be a table [{name}] of keys; "
                "put it inside an entry"
            )
        _check_name(label, name)
        folded = name.lower()
        if folded in seen:
            raise SpecError(
                f"{label}: entry [{name}]: duplicate of [{seen[folded]}] (module "
                "names differing only in case clash on some file systems); rename it"
            )
        seen[folded] = name
        fields = Fields(label, name, table)
        kind_name, config = kinds.parse_entry(fields)
        entries.append(Entry(name, kind_name, table, config))
    return Spec(Path(path), tuple(entries))


def load_spec(path: str | Path) -> Spec:
    """Read and validate the spec file at ``path``.

    Raises
    ------
    SpecError
        When the file cannot be read or is invalid (one line, naming the file).
    """
    path = Path(path)
    try:
        data = read_limited(path, SpecError, "spec")
    except FileNotFoundError:
        raise SpecError(
            f"{path}: spec file not found; give the path of a TOML spec such as "
            "stencils.toml"
        ) from None
    except OSError as error:
        raise SpecError(f"{path}: cannot read the spec ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{path}: the spec is not UTF-8 text") from None
    return parse_spec(text, path)
