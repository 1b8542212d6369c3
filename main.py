"""OneStop Desk entry point: no arguments → the desktop app; a subcommand → the CLI."""

import sys

from desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
