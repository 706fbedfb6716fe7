"""What a verify found in one collection: its counts, and samples of each kind of problem."""

from dataclasses import dataclass, field
from typing import Any

SAMPLE = 20


@dataclass
class CollectionParity:
    documents: int = 0  # every Mongo document read, whatever its _id: nothing goes uncounted
    compared: int = 0
    ranges: int = 0
    ranges_differing: int = 0
    missing_in_postgres: list[str] = field(default_factory=list)
    missing_in_mongo: list[str] = field(default_factory=list)
    differing: dict[str, list[str]] = field(default_factory=dict)
    unreadable_in_mongo: dict[str, str] = field(default_factory=dict)
    id_clashes: dict[str, list[str]] = field(default_factory=dict)  # normalized id -> the _ids sharing it
    acknowledged: list[str] = field(default_factory=list)  # rejects a user accepted stay out of Postgres
    # The independent check (cutover.backfill.renderback): id -> the keys where the record rendered back
    # differs from its stored document.
    render_differs: dict[str, list] = field(default_factory=dict)
    in_flight: list[str] = field(default_factory=list)  # differing while a mirror entry is pending: informational
    implausible: dict[str, list] = field(default_factory=dict)  # what -> [count, sample ids]: informational

    @property
    def passed(self) -> bool:
        return not (
            self.missing_in_postgres
            or self.missing_in_mongo
            or self.differing
            or self.unreadable_in_mongo
            or self.id_clashes
            or self.render_differs
        )

    def rendered_back(self, differing: dict[str, list], odd: dict[str, list]) -> None:
        """Take a range's render-back differences and implausible values."""
        self.render_differs.update(differing)
        for what, (count, ids) in odd.items():
            entry = self.implausible.setdefault(what, [0, []])
            entry[0] += count
            entry[1] = (entry[1] + ids)[:SAMPLE]

    def counts(self) -> dict[str, int]:
        return {
            "documents": self.documents,
            "compared": self.compared,
            "ranges": self.ranges,
            "ranges_differing": self.ranges_differing,
            "missing_in_postgres": len(self.missing_in_postgres),
            "missing_in_mongo": len(self.missing_in_mongo),
            "differing": len(self.differing),
            "unreadable_in_mongo": len(self.unreadable_in_mongo),
            "id_clashes": len(self.id_clashes),
            "render_differs": len(self.render_differs),
            "in_flight": len(self.in_flight),
            "acknowledged": len(self.acknowledged),
            "implausible": sum(count for count, _ in self.implausible.values()),
        }

    def samples(self) -> dict[str, Any]:
        return {
            "missing_in_postgres": self.missing_in_postgres[:SAMPLE],
            "missing_in_mongo": self.missing_in_mongo[:SAMPLE],
            "differing": dict(list(self.differing.items())[:SAMPLE]),
            "unreadable_in_mongo": dict(list(self.unreadable_in_mongo.items())[:SAMPLE]),
            "id_clashes": dict(list(self.id_clashes.items())[:SAMPLE]),
            "render_differs": dict(list(self.render_differs.items())[:SAMPLE]),
            "in_flight": self.in_flight[:SAMPLE],
            "acknowledged": self.acknowledged[:SAMPLE],
            "implausible": {what: {"count": count, "ids": ids} for what, (count, ids) in self.implausible.items()},
        }
