"""Entry point of the frozen app (PyInstaller): the same ``main`` as the ``recovery-desk``
command of a source checkout."""

import sys

from recovery_desk.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
