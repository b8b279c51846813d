"""What one operation changed: views refresh only what it touched."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


def _ids() -> defaultdict[str, set[str]]:
    return defaultdict(set)


@dataclass
class Changes:
    operation: str = ""
    operation_id: str = ""  # the audit trail's operation_id: what undo reverts
    created: defaultdict[str, set[str]] = field(default_factory=_ids)
    updated: defaultdict[str, set[str]] = field(default_factory=_ids)
    deleted: defaultdict[str, set[str]] = field(default_factory=_ids)
    case_ids: set[str] = field(default_factory=set)
    # The entity the caller asked about (the new case, the moved task…).
    primary_id: str | None = None

    def touches(self, *entities: str) -> bool:
        return any(e in self.created or e in self.updated or e in self.deleted for e in entities)

    def ids(self, entity: str) -> set[str]:
        return self.created.get(entity, set()) | self.updated.get(entity, set()) | self.deleted.get(entity, set())

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def merge(self, other: Changes) -> Changes:
        for mine, theirs in ((self.created, other.created), (self.updated, other.updated), (self.deleted, other.deleted)):
            for entity, ids in theirs.items():
                mine[entity] |= ids
        self.case_ids |= other.case_ids
        return self
