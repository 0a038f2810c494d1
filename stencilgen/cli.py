"""The ``stencilgen`` command line: argument parsing and exit codes.

Every subcommand lives in its own module under :mod:`stencilgen.commands` and
exposes ``register(subparsers)``, which adds its parser and sets ``run`` to a
function ``run(args) -> int``. This module is the single place that maps outcomes
to exit codes:

* 0 — success;
* 1 — a check failed (the command returned 1: stale files, a formula that does
  not verify);
* 2 — bad input or usage: one line on stderr, no traceback;
* 130 — interrupted by Ctrl-C (SIGINT): one line on stderr, no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from stencilgen import __version__
from stencilgen.errors import StencilgenError

__all__ = ["COMMANDS", "build_parser", "main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (
    "weights",
    "explain",
    "step",
    "analyze",
    "plot-error",
    "spectrum",
    "design",
    "stability",
    "rank",
    "build",
    "verify",
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        if message.endswith("expected one argument"):
            # argparse reads a value such as -1,0,1 as an option of its own.
            message += "; for a value that starts with '-', write --option=VALUE"
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser for ``commands`` (default: all subcommands).

    Each subcommand's module is imported only when it is registered, so that a
    command that needs neither SymPy nor NumPy (``build --check`` when the
    hashes decide) does not load them.

    Examples
    --------
    >>> build_parser().parse_args(["weights", "-d", "1", "--offsets=-1,0,1"]).derivative
    1
    """
    parser = _Parser(
        prog="stencilgen",
        description="Exact finite-difference stencils and verified NumPy code.",
    )
    parser.add_argument(
        "--version", action="version", version=f"stencilgen {__version__}"
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser
    )
    subparsers.required = True
    for name in commands:
        module = importlib.import_module(
            f"stencilgen.commands.{name.replace('-', '_')}"
        )
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Examples
    --------
    >>> main(["weights", "-d", "3", "--offsets=0,1"])
    2
    """
    command = "stencilgen"
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        chosen = [w for w in words[:1] if w in COMMANDS]  # the command, if it leads
        args = build_parser(chosen or COMMANDS).parse_args(words)
        command = f"stencilgen {args.command}"
        code: int = args.run(args)
    except StencilgenError as error:
        print(f"{command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `stencilgen weights ... | head`
        return 0
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's code for SIGINT
        # Writes are atomic (staging files, then os.replace), so an interrupted
        # build leaves every target whole; a later build removes its staging files.
        print(f"\n{command}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
