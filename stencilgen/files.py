"""Reading a user's file with a cap: regular files only, bounded size and lines.

Kept apart from :mod:`stencilgen.limits` (which needs SymPy) so that the fast
``build --check`` path (:func:`stencilgen.inputs.up_to_date`) reads the spec the
same guarded way without importing SymPy: a FIFO or ``/dev/zero`` given as the
spec must not hang or exhaust memory there either.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from stencilgen.errors import StencilgenError

__all__ = ["MAX_FILE_BYTES", "MAX_LINE_CHARS", "read_limited"]

#: Largest spec file or ``analyze --file`` formula file, in bytes.
MAX_FILE_BYTES = 1 << 20

#: Longest line of such a file, in characters (the formula parser's own limit).
MAX_LINE_CHARS = 10_000


def read_limited(path: Path, error: type[StencilgenError], what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most :data:`MAX_FILE_BYTES`.

    Devices (``/dev/zero``), FIFOs, sockets and folders are refused with
    ``error`` (one line) without reading: a FIFO is opened non-blocking, so a
    missing writer cannot hang the call. A file over the size limit is refused
    after reading one byte past it, so a file that grows while read is bounded
    too. Lines longer than :data:`MAX_LINE_CHARS` are refused.
    ``OSError`` (not found, permission) propagates for the caller to word.

    Examples
    --------
    >>> read_limited(Path("/dev/zero"), StencilgenError, "spec")
    Traceback (most recent call last):
    ...
    stencilgen.errors.StencilgenError: /dev/zero: the spec is a character device, not a regular file; give the path of a regular file
    """  # noqa: E501
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
    except BaseException:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise error(
            f"{path}: the {what} is {_file_type(mode)}, not a regular file; "
            "give the path of a regular file"
        )
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise error(
            f"{path}: the {what} is larger than the limit of {MAX_FILE_BYTES} bytes "
            "(MAX_FILE_BYTES); split it into smaller files"
        )
    for number, line in enumerate(data.split(b"\n"), start=1):
        # Bytes bound characters from above: only long byte lines need decoding.
        if len(line) > MAX_LINE_CHARS and (
            len(line.decode("utf-8", "replace")) > MAX_LINE_CHARS
        ):
            raise error(
                f"{path}:{number}: the line is longer than the limit of "
                f"{MAX_LINE_CHARS} characters (MAX_LINE_CHARS); break it up"
            )
    return data


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
