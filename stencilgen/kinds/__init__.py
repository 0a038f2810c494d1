"""The kinds of generated module, and the protocol every kind module follows.

A spec entry's ``kind`` key (default ``"operator"``) names a *kind*: a module in
this package that validates the entry, renders the module source and verifies the
rendered module numerically. The build pipeline (:mod:`stencilgen.build`) knows
nothing else about kinds. Kind modules are imported lazily, so a kind whose module
is missing or broken only affects spec entries of that kind.

The protocol
------------
A kind module ``stencilgen/kinds/<kind>.py`` defines, at module level:

``KIND: str``
    Its name, the spec's ``kind`` value (``"operator"``, ``"gradient"``,
    ``"callables"``).

``KEYS: Mapping[str, str]``
    Every key the entry may have besides the common ``kind``, each mapped to a
    one-line, user-facing description (docs/generate.md lists them; the spec loader
    rejects any other key with a "did you mean" suggestion before ``parse`` is
    called).

``TEMPLATE: str``
    The module template, ``templates/<TEMPLATE>`` (``"operator.j2"``); it may
    import macros and include runtime files (see docs/architecture.md).

Every entry goes through the same four steps, in this order, once each
(:func:`stencilgen.build.generate` spells them out):

``parse(fields: stencilgen.spec.Fields) -> Config``
    Validation only, cheap (it runs on every ``build --check``). ``fields.name``
    is the entry name (the module is ``<name>.py``); read keys with
    ``fields.integer``, ``fields.string``, ``fields.choice``,
    ``fields.boolean``, ``fields.number``, ``fields.number_list``,
    ``fields.raw`` (all raise a one-line :class:`~stencilgen.errors.SpecError`
    naming file, entry and key), and raise ``fields.error(key, "what is wrong;
    how to fix it")`` for anything else. Return a frozen dataclass that carries
    the entry name; the loader stores it as :attr:`stencilgen.spec.Entry.config`.

``derive(config) -> Plan``
    All SymPy work, once: exact stencils, accuracies, error terms and the
    kernel plan (:mod:`stencilgen.kernel`) the templates render. Return a
    frozen dataclass (the kind's ``Plan``), plain data: no printed text.

``context(entry: stencilgen.spec.Entry, plan) -> dict[str, Any]``
    Printing only: every number and expression becomes text through
    :mod:`stencilgen.printing` (exact ``p / q`` literals or 17-digit floats)
    and :func:`stencilgen.kernel.kernel_context`; the result is the context of
    ``TEMPLATE`` (``StrictUndefined``: every name the template uses must be
    there). ``entry.toml`` is the entry's TOML text, for the docstring. The
    rendered text (after the header the pipeline adds) must be deterministic,
    end with one newline, be standalone (numpy + standard library) and pass
    ``ruff check`` and ``ruff format --check`` as rendered.

``verify(plan, module: types.ModuleType) -> list[VerifyRow]``
    Run the freshly rendered module (imported in memory, never written) and
    return one :class:`stencilgen.verify.VerifyRow` per function or variant
    checked: claimed accuracy, measured convergence order in the interior and at
    the boundary, worst polynomial error, pass/fail and a short note. Use the
    helpers of :mod:`stencilgen.verify`. Any exception escaping ``verify``
    counts as a failure of that entry. Keep it under ~0.2 s per entry.

Optional: ``SOURCES: tuple[str, ...]`` — extra stencilgen module names (e.g.
``"stencilgen.kinds.operator"``) whose source the kind depends on; together with
the kind module, ``templates/<kind>*.j2`` and the shared code generator they form
the input hash that lets ``build --check`` skip unchanged entries.

Optional: ``DEFINES: tuple[str, ...]`` — the module-level names the rendered
module derives from the entry name, as ``str.format`` templates with ``{name}``
(default ``("{name}",)``; the operator kind has ``("{name}", "{name}_weights",
"{name}_apply")``, the callables kind ``()`` because its functions have fixed
names).

Optional: ``RESERVED: frozenset[str]`` — every *other* public module-level name
the rendered module binds (constants, classes, helper functions, names it
imports), e.g. ``{"Weights", "NamedTuple", "math", "np", "operator"}``. The spec
loader refuses an entry when one of its ``DEFINES`` names is reserved (one-line
:class:`~stencilgen.errors.SpecError`); names starting with ``_`` are refused for
every entry, so private helpers need not be listed. As a safety net for a
forgotten name, :func:`stencilgen.build.generate` refuses a rendered module that
binds one of the entry's ``DEFINES`` names twice, and the tests check each kind's
``RESERVED`` against what it renders.

Registering a kind is one line in :data:`KINDS` below.
"""

from __future__ import annotations

import ast
import importlib
from collections import Counter
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

from stencilgen.errors import SpecError, closest

if TYPE_CHECKING:
    from stencilgen.spec import Entry, Fields
    from stencilgen.verify import VerifyRow

__all__ = [
    "COMMON_KEYS",
    "KINDS",
    "Kind",
    "available_kinds",
    "bound_twice",
    "check_bindings",
    "default_kind",
    "defined_names",
    "get_kind",
    "parse_entry",
]

#: Spec ``kind`` value → module implementing it (imported on first use).
KINDS: Mapping[str, str] = {
    "operator": "stencilgen.kinds.operator",
    "gradient": "stencilgen.kinds.gradient",
    "callables": "stencilgen.kinds.callables",
    "nd": "stencilgen.kinds.nd",
    "compact": "stencilgen.kinds.compact",
}


#: Keys every entry may have, whatever its kind.
COMMON_KEYS: Mapping[str, str] = {
    "kind": 'which kind of module the entry builds: "operator" (default), "nd" '
    "(default when the entry has an expression), "
    '"gradient" or "callables"',
}


class Kind(Protocol):
    """What a kind module provides (see the module docstring)."""

    KIND: str
    KEYS: Mapping[str, str]

    TEMPLATE: str

    def parse(self, fields: Fields) -> Any:
        """Validate the entry; return the kind's frozen config."""

    def derive(self, config: Any) -> Any:
        """All SymPy work: the kind's plan."""

    def context(self, entry: Entry, plan: Any) -> dict[str, Any]:
        """The template's context: printed strings only."""

    def verify(self, plan: Any, module: ModuleType) -> list[VerifyRow]:
        """Check the imported module numerically."""


def _load(name: str) -> ModuleType | None:
    target = KINDS[name]
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as error:
        if error.name == target:
            return None
        raise


def available_kinds() -> tuple[str, ...]:
    """The registered kinds whose module is present, in registry order.

    Examples
    --------
    >>> "operator" in available_kinds()
    True
    """
    return tuple(name for name in KINDS if _load(name) is not None)


def get_kind(name: str, fields: Fields | None = None) -> Kind:
    """The kind module for ``name``.

    Raises
    ------
    SpecError
        Unknown or unavailable kind (via ``fields.error("kind", ...)`` when given).
    """

    def fail(message: str) -> SpecError:
        return fields.error("kind", message) if fields else SpecError(message)

    if name not in KINDS:
        raise fail(
            f"unknown kind {name!r}; use one of "
            + ", ".join(f'"{k}"' for k in KINDS)
            + closest(name, KINDS)
        )
    module = _load(name)
    if module is None:
        raise fail(f"kind {name!r} is not available in this version of stencilgen")
    return cast("Kind", module)


def default_kind(table: Mapping[str, Any]) -> str:
    """The kind of an entry without a ``kind`` key.

    An entry with an operator ``expression`` (``u_xx + u_yy``) is an N-D operator,
    any other an operator. Used by the spec loader and by the hash-only fast path
    of ``build --check``, which must agree.

    Examples
    --------
    >>> default_kind({"expression": "u_xx + u_yy"}), default_kind({"derivative": 1})
    ('nd', 'operator')
    """
    return "nd" if "expression" in table else "operator"


def parse_entry(fields: Fields) -> tuple[str, Any]:
    """``(kind name, config)`` of one spec entry: the kind's keys, names, config.

    Finds the entry's kind, refuses names its module reserves and keys it does
    not know (with a "did you mean"), then runs the kind's ``parse``.

    Raises
    ------
    SpecError
        One line naming file, entry and key.
    """
    kind_name = fields.string("kind", default=default_kind(fields.table))
    kind = get_kind(kind_name, fields)
    _check_reserved(fields.path, fields.name, kind_name, kind)
    allowed = {**COMMON_KEYS, **kind.KEYS}
    for key in fields.table:
        if key not in allowed:
            hint = closest(key, allowed)
            raise fields.error(
                key,
                f"unknown key for kind {kind_name!r}"
                + (hint or f"; allowed keys: {', '.join(sorted(allowed))}"),
            )
    return kind_name, kind.parse(fields)


def defined_names(kind: Any, name: str) -> tuple[str, ...]:
    """The module-level names that an entry ``name`` of ``kind`` generates.

    From the kind's optional ``DEFINES`` templates (default ``("{name}",)``; see
    :mod:`stencilgen.kinds`).

    Examples
    --------
    >>> from stencilgen.kinds import get_kind
    >>> defined_names(get_kind("gradient"), "grad")
    ('grad', 'grad_weights')
    """
    templates = getattr(kind, "DEFINES", ("{name}",))
    return tuple(template.format(name=name) for template in templates)


def _check_reserved(path: str, name: str, kind_name: str, kind: Any) -> None:
    """Refuse an entry whose generated names clash with the kind's own names."""
    reserved: frozenset[str] = getattr(kind, "RESERVED", frozenset())
    for defined in defined_names(kind, name):
        if defined in reserved:
            function = (
                "the name" if defined == name else f"the function {defined!r} it makes"
            )
            raise SpecError(
                f"{path}: entry [{name}]: {function} would clash with the "
                f"{defined!r} that every {kind_name!r} module defines for itself "
                f"(reserved: {', '.join(sorted(reserved))}); rename the entry, "
                f"e.g. [{name}_op]"
            )


_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _count_bindings(node: ast.AST, bound: Counter[str]) -> None:
    """Count the names ``node`` binds in its own scope (not in nested scopes)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _SCOPES):
            name = getattr(child, "name", None)
            if name is not None:
                bound[name] += 1
        elif isinstance(child, ast.Import | ast.ImportFrom):
            for alias in child.names:
                bound[(alias.asname or alias.name).split(".")[0]] += 1
        else:
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                bound[child.id] += 1
            _count_bindings(child, bound)


def bound_twice(source: str, names: tuple[str, ...]) -> str | None:
    r"""The first of ``names`` that ``source`` binds twice at module level, if any.

    Examples
    --------
    >>> bound_twice("class W:\n    pass\n\n\ndef W():\n    pass\n", ("W",))
    'W'
    >>> bound_twice("import math\nx = [x for x in range(3)]\n", ("x",)) is None
    True
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # verification reports it
    bound: Counter[str] = Counter()
    _count_bindings(tree, bound)
    return next((name for name in names if bound[name] > 1), None)


def check_bindings(kind_name: str, entry: str, body: str, spec_name: str) -> None:
    """Refuse a rendered module that binds one of the entry's names twice.

    The safety net behind ``RESERVED``: a kind that forgot to list one of its
    module-level names would otherwise shadow the entry's function silently.

    Raises
    ------
    SpecError
        Naming the entry and the clashing name.
    """
    clash = bound_twice(body, defined_names(get_kind(kind_name), entry))
    if clash:
        raise SpecError(
            f"{spec_name}: entry [{entry}]: the generated {kind_name!r} module "
            f"defines its own {clash!r}, which this entry's name would clash with; "
            f"rename the entry, e.g. [{entry}_op]"
        )
