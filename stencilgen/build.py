"""The build pipeline, from spec file to verified modules in the output folder.

::

    stencils.toml ─load_spec─▶ Spec ─generate (per entry)─▶ Module
        (derive ─▶ context ─▶ render, in the entry's kind) ─verify─▶ VerifyRow
    ─compare─▶ [Change] ─write_changes / report─▶ generated/*.py | diff + exit code

:func:`build` spells the chain out; only its two ends touch the disk
(:func:`stencilgen.spec.load_spec` and :mod:`stencilgen.outputs`). An entry whose
input hash (see :mod:`stencilgen.inputs`) matches the one recorded in an intact
existing file is neither re-derived nor re-verified; ``build --check`` decides
even earlier, without importing this module, when every hash matches
(:func:`stencilgen.inputs.up_to_date`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from stencilgen.header import add_header, read_header, regenerate_command
from stencilgen.inputs import entry_inputs as _entry_inputs
from stencilgen.kinds import check_bindings, get_kind
from stencilgen.outputs import Change, compare, read_folder, write_changes
from stencilgen.render import Renderer
from stencilgen.spec import Entry, Spec, load_spec
from stencilgen.verify import VerifyReport, VerifyRow, load_module

__all__ = [
    "BuildResult",
    "Module",
    "build",
    "entry_inputs",
    "generate",
    "render_body",
    "run_checks",
    "verify_files",
]


@dataclass(frozen=True)
class Module:
    """One module of the build: its file name, text, plan and verification rows.

    ``plan`` is the kind's derived plan, ``None`` (and ``rows`` empty) when the
    module was reused unchanged (neither derived nor re-verified).
    """

    name: str
    source: str
    rows: tuple[VerifyRow, ...]
    reused: bool
    plan: Any = None


@dataclass(frozen=True)
class BuildResult:
    """What a build found and did."""

    spec: Spec
    out: Path
    modules: tuple[Module, ...]
    changes: tuple[Change, ...]
    report: VerifyReport
    written: bool


def entry_inputs(entry: Entry, command: str) -> str:
    """The input hash of one entry (see :func:`stencilgen.inputs.entry_inputs`)."""
    return _entry_inputs(entry.kind, entry.name, entry.table, command)


def generate(
    entry: Entry, renderer: Renderer, *, spec_name: str, command: str, inputs: str
) -> Module:
    """Entry ─derive─▶ plan ─context─▶ dict ─template─▶ source ─verify─▶ rows.

    Pure: nothing touches the disk. Every kind goes through the same steps
    (``parse`` already ran when the spec was loaded: ``entry.config``).

    Raises
    ------
    SpecError
        The rendered module binds a name of the entry twice (a clash with a
        module-level name its kind forgot to list in ``RESERVED``).
    """
    plan, body = render_body(entry, renderer)
    check_bindings(entry.kind, entry.name, body, spec_name)
    source = add_header(
        body, entry=entry.name, spec_name=spec_name, command=command, inputs=inputs
    )
    rows = run_checks(entry, source, plan)  # import in memory, measure
    return Module(f"{entry.name}.py", source, tuple(rows), reused=False, plan=plan)


def render_body(entry: Entry, renderer: Renderer | None = None) -> tuple[Any, str]:
    r"""(plan, module text after the header) of an entry: derive, context, template.

    Examples
    --------
    >>> from stencilgen.spec import parse_spec
    >>> entry = parse_spec("[d]\nderivative = 1\naccuracy = 2\n").entries[0]
    >>> plan, body = render_body(entry)
    >>> plan.interior.weights, "def d(f, h=1.0, axis=-1, out=None):" in body
    ((-1/2, 0, 1/2), True)
    """
    kind = get_kind(entry.kind)
    plan = kind.derive(entry.config)  # all SymPy work, once
    strings = kind.context(entry, plan)  # printing only
    body = (renderer or Renderer()).render(kind.TEMPLATE, **strings)  # statements
    return plan, body


def run_checks(entry: Entry, source: str, plan: Any = None) -> list[VerifyRow]:
    """Import ``source`` in memory and run its kind's checks against ``plan``.

    ``plan`` is derived when not given (``stencilgen verify`` of written
    files). A module that fails to import, or whose checks raise, gives one
    failed row.
    """
    kind = get_kind(entry.kind)
    try:
        if plan is None:
            plan = kind.derive(entry.config)
        module: ModuleType = load_module(source, entry.name)
        rows = list(kind.verify(plan, module))
    except Exception as error:
        message = f"{type(error).__name__}: {error}".splitlines()[0][:100]
        return [
            VerifyRow(entry.name, entry.name, None, None, None, None, False, message)
        ]
    if not rows:
        return [
            VerifyRow(
                entry.name, entry.name, None, None, None, None, False, "no checks"
            )
        ]
    return rows


def _reusable(text: str, inputs: str) -> bool:
    """Whether ``text`` is intact and records the input hash ``inputs``."""
    header = read_header(text)
    return header.intact is True and header.inputs == inputs


def build(
    spec_path: Path, out: Path, *, write: bool, force: bool = False
) -> BuildResult:
    """Run the pipeline; write the changes only when ``write`` and all verified.

    Raises
    ------
    SpecError, OutputError
        Bad spec, protected file without ``force`` (hand-edited, not written by
        stencilgen, or a module of another spec), an output folder that is a
        file, unwritable folder.
    """
    command = regenerate_command(spec_path, out)  # refuses unsafe names first
    spec = load_spec(spec_path)  # disk ─▶ Spec
    current = read_folder(out)  # disk ─▶ existing texts
    renderer = Renderer()
    modules = []
    for entry in spec.entries:
        inputs = entry_inputs(entry, command)
        old = current.get(f"{entry.name}.py")
        if old is not None and _reusable(old, inputs):
            modules.append(Module(f"{entry.name}.py", old, (), reused=True))
            continue
        modules.append(
            generate(
                entry,
                renderer,
                spec_name=spec_path.name,
                command=command,
                inputs=inputs,
            )
        )
    report = VerifyReport(tuple(row for m in modules for row in m.rows))
    changes = compare({m.name: m.source for m in modules}, current, spec=spec_path.name)
    written = write and report.ok and bool(changes)
    if written:
        write_changes(out, changes, force=force)  # ─▶ disk
    return BuildResult(spec, out, tuple(modules), tuple(changes), report, written)


def verify_files(spec_path: Path, out: Path) -> tuple[VerifyReport, list[str]]:
    """Re-verify the modules in ``out`` for every entry of the spec.

    Returns the report and the names of modules that are missing.
    """
    spec = load_spec(spec_path)
    current = read_folder(out)
    rows: list[VerifyRow] = []
    missing = []
    for entry in spec.entries:
        text = current.get(f"{entry.name}.py")
        if text is None:
            missing.append(f"{entry.name}.py")
            continue
        rows += run_checks(entry, text)
    return VerifyReport(tuple(rows)), missing
