"""docs/legacy-collections.md is the project's description of the legacy collections: its domain table
must match the registry (issue 12). Fails when a collection has no domain, a registered domain has no
collection in the table, a legacy flag governs no domain, or the table's order is not the backfill's."""

import re
from pathlib import Path

from cutover.modes.registry import domain_names, domain_spec, domains_in_dependency_order

DOC = Path(__file__).resolve().parent.parent / "docs" / "legacy-collections.md"
HEADER = "| order | collection | domain | legacy flag | app | Postgres table(s) | status |"
# Domains another branch registers: their rows must exist, the registry checks wait for the merge.
# At merge, the lead removes a domain from here (the test below says when to).


def _rows(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    start = lines.index(HEADER) + 2  # the header and its |---| line
    names = [cell.strip() for cell in HEADER.strip("|").split("|")]
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


ROWS = _rows(DOC.read_text(encoding="utf-8"))
ACTIVE = ROWS  # every legacy collection has a registered domain now


def test_the_table_is_read():
    assert len(ROWS) >= 21 and {row["status"] for row in ROWS} <= {"registered", "pending"}
    assert [int(row["order"]) for row in ROWS] == list(range(1, len(ROWS) + 1))


def test_every_collection_has_a_registered_domain_that_owns_it():
    for row in ACTIVE:
        assert row["domain"] in domain_names(), f"{row['collection']}: domain {row['domain']!r} is not registered"
        assert row["collection"] in domain_spec(row["domain"]).collections, row
        assert row["status"] == "registered", row


def test_every_registered_domain_and_collection_is_in_the_table():
    listed = {(row["domain"], row["collection"]) for row in ROWS}
    for name in domain_names():
        collections = domain_spec(name).collections
        assert collections, f"domain {name!r} has no collection"
        for collection in collections:
            assert (name, collection) in listed, f"{name}/{collection} is missing from {DOC.name}"


def test_every_legacy_flag_governs_a_domain_and_the_table_agrees():
    for row in ACTIVE:
        assert domain_spec(row["domain"]).flag == row["legacy flag"], row
    for row in ROWS:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*_STORE|REPO_[A-Z0-9_]+", row["legacy flag"]), row


def test_the_table_is_in_backfill_order():
    registry_order = [(spec.name, c) for spec in domains_in_dependency_order() for c in spec.collections]
    assert [(row["domain"], row["collection"]) for row in ACTIVE] == registry_order


def test_the_readme_points_here_not_outside_the_repository():
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/legacy-collections.md" in readme
    assert "../shared" not in readme


def _collection_sections(text: str) -> dict[str, str]:
    """Each `### <collection> (<domain>)` section's text, by collection."""
    parts = re.split(r"^### (\w+) \(.*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_document_says_which_keys_are_folded():
    """The README sends readers here for which keys are compared by their folded key (cutover/store/folded_keys.py):
    a collection's section says "folded key" beside exactly the keys its map folds."""
    sections = _collection_sections(DOC.read_text(encoding="utf-8"))
    folded_anywhere = set()
    for name in domain_names():
        for record_map in domain_spec(name).load_port().MAPS:
            if getattr(record_map, "embedded_in", None) is not None:
                continue
            folded = {f.key for f in record_map.fields if f.kind.name.startswith("folded_")}
            said = set(re.findall(r"`(\w+)`[^`]*?\bfolded key", sections[record_map.collection]))
            assert said == folded, f"{record_map.collection}: the document says {said} are folded, the map {folded}"
            folded_anywhere |= {(record_map.collection, key) for key in folded}
    assert {("users", "email"), ("tempverifications", "email")} <= folded_anywhere
