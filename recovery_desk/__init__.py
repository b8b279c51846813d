"""Recovery Desk: offline-first case management for disaster recovery across sectors."""

__version__ = "0.1.0"
