"""The Jinja2 environment that turns a kind's context into module text.

Templates live in ``templates/`` at the repository root during development and in
``stencilgen/templates`` inside an installed wheel (``pyproject.toml``
force-includes them); :func:`stencilgen.inputs.template_dir` finds whichever
exists. The environment uses ``StrictUndefined`` (a missing context value is an
error, never an empty string) and keeps whitespace as written, so a template's
output is exactly the text it shows. Templates own statements and indentation;
the Python side hands them pre-rendered strings (see :mod:`stencilgen.printing`),
and fixed helpers come verbatim from ``templates/runtime/*.py``
(:meth:`Renderer.runtime`). The header is added by :mod:`stencilgen.header`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from stencilgen import printing
from stencilgen.inputs import template_dir

__all__ = ["RUNTIME_MARKER", "Renderer"]

#: The line of a runtime file (``templates/runtime/*.py``) after which its code is
#: included in generated modules (above it: docstring, imports, ``__all__``).
RUNTIME_MARKER = "# ---- included in generated modules from here ----"


class Renderer:
    r"""Renders templates by name with plain-string contexts.

    Examples
    --------
    >>> Renderer().render_string("x = {{ value }}\n", value="1 / 3")
    'x = 1 / 3\n'
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or template_dir()
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.directory)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.globals["runtime"] = self.runtime
        self.environment.filters["fit"] = printing.fit
        self.environment.filters["fit_sequence"] = printing.fit_sequence

    def runtime(self, name: str) -> str:
        """The code of ``templates/runtime/<name>.py`` after its marker line.

        Runtime helpers are real Python files (linted and tested as they are);
        templates include them verbatim with ``{{ runtime("blocks") }}``. The
        text starts with the two blank lines that separate top-level code.
        """
        text = (self.directory / "runtime" / f"{name}.py").read_text()
        _, marker, body = text.partition(RUNTIME_MARKER)
        if not marker:
            raise ValueError(f"templates/runtime/{name}.py lacks {RUNTIME_MARKER!r}")
        return body.rstrip("\n").removeprefix("\n")

    def render(self, template: str, /, **context: Any) -> str:
        """Render ``templates/<template>`` with ``context``."""
        return self.environment.get_template(template).render(**context)

    def render_string(self, source: str, /, **context: Any) -> str:
        """Render template text given inline (for tests and tiny snippets)."""
        return self.environment.from_string(source).render(**context)
