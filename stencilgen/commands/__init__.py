"""One module per ``stencilgen`` subcommand; see :mod:`stencilgen.cli`."""
