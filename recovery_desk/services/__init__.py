"""Qt-free services: every create / update / delete / transition of the product.

The CLI, the desktop UI, the importers and the tests all call these functions. Each one
runs in one transaction through :class:`~recovery_desk.services.operation.Operation`,
which writes the audit trail, and returns a :class:`~recovery_desk.services.changes.Changes`
value so that views refresh only what was touched (style.md 2).
"""
