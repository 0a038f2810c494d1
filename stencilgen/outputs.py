r"""Compare with, or write, the output folder: changed, missing, orphaned files.

The build convention of ``ruff format --check`` and ``cog --check``:

* a file the spec produces and the folder lacks is *missing*;
* one whose text differs is *changed*;
* a file stencilgen wrote earlier (its header has a checksum line) that the spec no
  longer produces is *orphaned* and is deleted by a build;
* a file that a person edited (checksum no longer matches) or that stencilgen did
  not write is never overwritten or deleted without ``force``
  (:class:`OutputError`, exit 2);
* writes are atomic: every new text first goes to a temporary file in the same
  folder, and only when all of them are written does each replace its target
  (``os.replace``), so no module is ever half-written.

Examples
--------
>>> changes = compare({"a.py": "new\n"}, {"a.py": "old\n", "b.txt": "x"})
>>> [(c.name, c.status) for c in changes]
[('a.py', 'changed')]
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from stencilgen.errors import StencilgenError
from stencilgen.render import read_header

__all__ = [
    "Change",
    "OutputError",
    "compare",
    "protected",
    "read_folder",
    "unified_diff",
    "write_changes",
]

Status = Literal["missing", "changed", "orphaned"]


class OutputError(StencilgenError):
    """The output folder cannot be written, or holds a file we must not touch."""


@dataclass(frozen=True)
class Change:
    """One file that differs from what the spec produces.

    ``new`` is ``None`` for an orphan (to delete), ``old`` ``None`` when missing.
    """

    name: str
    status: Status
    old: str | None
    new: str | None


def read_folder(folder: Path) -> dict[str, str]:
    """The ``*.py`` files directly in ``folder`` by name (empty if no folder)."""
    if not folder.is_dir():
        return {}
    files = {}
    for path in sorted(folder.glob("*.py")):
        if path.is_file():
            try:
                files[path.name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                files[path.name] = ""  # unreadable: treated as not ours
    return files


def _ours(text: str) -> bool:
    """Whether stencilgen wrote ``text`` (it carries a checksum line)."""
    return read_header(text)[1] is not None


def compare(expected: Mapping[str, str], current: Mapping[str, str]) -> list[Change]:
    """The changes that make ``current`` equal ``expected``, sorted by name.

    Files in ``current`` that stencilgen did not write and the spec does not
    produce are none of our business and are left out.
    """
    changes = []
    for name in sorted(set(expected) | set(current)):
        old = current.get(name)
        new = expected.get(name)
        if new is None:
            if old is not None and _ours(old):
                changes.append(Change(name, "orphaned", old, None))
        elif old is None:
            changes.append(Change(name, "missing", None, new))
        elif old != new:
            changes.append(Change(name, "changed", old, new))
    return changes


def protected(change: Change) -> str | None:
    """Why ``change`` must not be applied without ``--force``, or ``None``."""
    if change.old is None:
        return None
    intact = read_header(change.old)[1]
    if intact is None:
        return "was not written by stencilgen"
    if not intact:
        return "was edited by hand (its checksum no longer matches)"
    return None


def unified_diff(change: Change, folder: Path) -> str:
    """A unified diff of one change, with paths relative to ``folder``'s parent."""
    path = (folder / change.name).as_posix()
    lines = difflib.unified_diff(
        (change.old or "").splitlines(keepends=True),
        (change.new or "").splitlines(keepends=True),
        fromfile=f"a/{path}" if change.old is not None else "/dev/null",
        tofile=f"b/{path}" if change.new is not None else "/dev/null",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def write_changes(folder: Path, changes: Sequence[Change], *, force: bool) -> None:
    """Apply ``changes`` to ``folder`` atomically.

    Raises
    ------
    OutputError
        A protected file without ``force`` (nothing is written), or a folder
        that cannot be written (no target is touched).
    """
    if not force:
        for change in changes:
            reason = protected(change)
            if reason:
                raise OutputError(
                    f"{folder / change.name} {reason}; stencilgen will not "
                    f"{'delete' if change.new is None else 'overwrite'} it. Move it "
                    "away, or run with --force"
                )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the output folder {folder} ({error.strerror}); "
            "choose another with --out"
        ) from None
    mask = os.umask(0)
    os.umask(mask)
    staged: list[tuple[str, Path]] = []
    try:
        for change in changes:
            if change.new is None:
                continue
            handle, staging = tempfile.mkstemp(
                prefix=f".{change.name}.", suffix=".tmp", dir=folder
            )
            staged.append((change.name, Path(staging)))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(change.new)
            os.chmod(staging, 0o666 & ~mask)
    except OSError as error:
        for _, path in staged:
            path.unlink(missing_ok=True)
        raise OutputError(
            f"cannot write to the output folder {folder} ({error.strerror}); "
            "check its permissions or choose another with --out"
        ) from None
    for name, path in staged:
        os.replace(path, folder / name)
    for change in changes:
        if change.new is None:
            (folder / change.name).unlink(missing_ok=True)
