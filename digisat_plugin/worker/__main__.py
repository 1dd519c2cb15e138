"""`python -m digisat_plugin.worker [--idle SECONDS]`: serve jobs from stdin (see the package docstring)."""

import sys

from .server import main

sys.exit(main(sys.argv[1:]))
