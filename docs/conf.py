"""Sphinx configuration of stencilgen's documentation site.

Build it (warnings are errors, as in CI)::

    .venv/bin/sphinx-build -W --keep-going -q docs docs/_build/html

Pages are the Markdown files ``docs/*.md`` (MyST); ``index.md`` lists them with a
glob, so a new page ``docs/<topic>.md`` appears without editing anything here. The
API page is written from the package's numpydoc docstrings (autodoc + napoleon).
Figures and the command-line reference are produced from the sources when the site
is built (see :data:`FIGURES` and :func:`_write_sources`); nothing generated is
committed.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

#: Figures drawn from the sources at build time: ``file name: stencilgen command``
#: (its arguments, without the output option), or ``file name: function`` for a
#: figure drawn in Python (called with the path to write). The file lands in
#: ``docs/_figures/``; a page shows it with ``![alt text](_figures/NAME.png)``.
#: To add a figure, add one line here.
FIGURES: dict[str, list[str] | Callable[[Path], object]] = {
    "callables_error.png": [
        "plot-error", "-d", "1", "--offsets=-1,0,1", "--function", "sin(x)", "--at", "1"
    ],
}  # fmt: skip

project = "stencilgen"
author = "stencilgen developers"
copyright = "stencilgen developers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "_figures", ".venv"]
# Links such as [text](gradient.md#same-errors) reach a heading on another page.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
# ```console and ```text blocks are shown as they are; no lexer warnings for them.
highlight_language = "none"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False

html_theme = "alabaster"
html_title = "stencilgen"
html_theme_options = {"description": "Exact finite-difference stencils"}


def _run_stencilgen(arguments: list[str]) -> str:
    """Run ``stencilgen ARGUMENTS`` in this process and return what it printed."""
    from stencilgen.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            code = main(arguments)
        except SystemExit as done:  # --help exits through argparse
            code = int(done.code or 0)
    if code != 0:
        raise ExtensionError(
            f"stencilgen {' '.join(arguments)} exited {code}: {printed.getvalue()}"
        )
    return printed.getvalue()


def _write_if_changed(path: Path, text: str) -> None:
    """Write text unless the file already holds it (keeps incremental builds quick)."""
    path.parent.mkdir(exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _command_reference() -> str:
    """Every command's ``--help``, in the order ``stencilgen --help`` lists them."""
    from stencilgen.cli import COMMANDS

    sections = ["```text\n" + _run_stencilgen(["--help"]) + "```\n"]
    for name in COMMANDS:
        help_text = _run_stencilgen([name, "--help"])
        sections.append(f"## `stencilgen {name}`\n\n```text\n{help_text}```\n")
    return "\n".join(sections)


def _generated_reference() -> str:
    """The docstrings of every module in ``generated/``, as plain text.

    Generated docstrings are written for ``help()`` and for readers of the file, not
    as reStructuredText, so they are shown verbatim rather than parsed.
    """
    import importlib.util
    import inspect

    sections = []
    for path in sorted((ROOT / "generated").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"_docs_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        docstring = inspect.cleandoc(module.__doc__ or "")
        parts = [f"## `generated/{path.name}`\n", "```text", docstring]
        for name in module.__all__:
            value = getattr(module, name)
            try:
                signature = str(inspect.signature(value))
            except (TypeError, ValueError):
                signature = ""
            kind = "class" if inspect.isclass(value) else "def"
            parts.append(f"\n\n{kind} {name}{signature}\n")
            parts.append(inspect.getdoc(value) or "")
        sections.append("\n".join(parts) + "\n```\n")
    return "\n".join(sections)


def _write_sources(app: Sphinx) -> None:
    """Draw the figures and write the generated reference pages' text."""
    figures = DOCS / "_figures"
    figures.mkdir(exist_ok=True)
    for name, draw in FIGURES.items():
        if callable(draw):
            draw(figures / name)
        else:
            _run_stencilgen([*draw, "--output", str(figures / name)])
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps --help to the terminal width
    try:
        commands = _command_reference()
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    _write_if_changed(DOCS / "_generated" / "commands.md", commands)
    _write_if_changed(DOCS / "_generated" / "generated.md", _generated_reference())


def setup(app: Sphinx) -> None:
    """Hook the generated sources into the build."""
    app.connect("builder-inited", _write_sources)
