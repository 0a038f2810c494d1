"""``python -m stencilgen`` runs the command line."""

import sys

from stencilgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
