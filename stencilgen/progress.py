r"""A one-line progress display on a terminal's stderr, for long runs.

Only when stderr is a terminal, and only once a run has taken longer than
:data:`DELAY` seconds: short runs, pipes, files and CI logs never see it. The line
is redrawn in place (``\r``) and erased before any other output, so it never
mixes with the rows on stdout. One counter and one line do not justify a
dependency such as ``tqdm``, whose bar would also have to be kept off pipes.

Examples
--------
>>> import io
>>> progress = Progress(10, "analyze", stream=io.StringIO())
>>> progress.update(3)  # not a terminal: draws nothing
>>> progress.stream.getvalue()
''
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["DELAY", "Progress"]

#: Seconds a run must take before the progress line appears.
DELAY = 1.0


class Progress:
    r"""Progress of ``total`` steps of ``label``, drawn on ``stream`` (stderr).

    ``force`` draws even when ``stream`` is not a terminal (for tests).

    Examples
    --------
    >>> import io
    >>> progress = Progress(4, "analyze", stream=io.StringIO(), force=True, delay=0)
    >>> progress.update(1)
    >>> progress.clear()
    >>> progress.stream.getvalue().split("\r")[1]
    'analyze: 1/4 (25%), 0:00 elapsed'
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        stream: TextIO | None = None,
        force: bool = False,
        delay: float = DELAY,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.start = time.monotonic()
        self.delay = delay
        self.shown = 0  # length of the line on screen; 0 when none
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = force or bool(isatty is not None and isatty())

    def update(self, done: int) -> None:
        """Show that ``done`` of the steps are finished (after the delay)."""
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        if elapsed < self.delay:
            return
        minutes, seconds = divmod(int(elapsed), 60)
        percent = 100 * done // self.total if self.total else 100
        line = (
            f"{self.label}: {done}/{self.total} ({percent}%), "
            f"{minutes}:{seconds:02d} elapsed"
        )
        padding = " " * max(self.shown - len(line), 0)
        self.stream.write(f"\r{line}{padding}")
        self.stream.flush()
        self.shown = len(line)

    def clear(self) -> None:
        """Erase the line, if one is shown (before other output)."""
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0
