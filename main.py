"""Entry point: ``python main.py …`` behaves exactly like ``recovery-desk …``."""

from recovery_desk.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
