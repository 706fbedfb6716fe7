"""Docs never lie: a package docstring claims exactly the modules it has, and no comment, docstring or document
names a file the repository does not have (tests/architecture/claims.py says how each is read)."""

import importlib

import pytest

from tests.architecture.claims import (
    ROOT,
    claimed_modules,
    dangling_file_references,
    package_modules,
    tracked_files,
)

PACKAGES = sorted(
    path.parent
    for path in (ROOT / "cutover").glob("*/__init__.py")
    if "Owns" in (importlib.import_module(f"cutover.{path.parent.name}").__doc__ or "")
)


def test_the_cutover_packages_say_what_they_own():
    assert {package.name for package in PACKAGES} >= {
        "backfill",
        "mirror",
        "models",
        "modes",
        "operations",
        "scheduled",
        "store",
    }


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_a_package_docstring_claims_every_module_it_has_and_no_other(package):
    claimed = claimed_modules(importlib.import_module(f"cutover.{package.name}").__doc__)
    actual = package_modules(package)
    assert not claimed - actual, f"cutover/{package.name}/__init__.py claims modules it does not have"
    assert not actual - claimed, f"cutover/{package.name}/__init__.py does not say it owns these"


def test_a_stale_owns_paragraph_is_caught(tmp_path):
    (tmp_path / "kept.py").write_text("")
    (tmp_path / "unclaimed.py").write_text("")
    claimed = claimed_modules("Owns the kept part (kept) and the gone part (gone). Imports nothing.")
    assert claimed - package_modules(tmp_path) == {"gone"}
    assert package_modules(tmp_path) - claimed == {"unclaimed"}
    with pytest.raises(ValueError, match="not a module name"):
        claimed_modules("Owns a part (described in prose, not named). Imports nothing.")


def test_no_comment_or_document_names_a_file_the_repository_does_not_have():
    assert dangling_file_references(ROOT, tracked_files()) == []


def test_a_planted_dangling_reference_is_caught(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("See docs/other.md and GONE.md; `kinds.py` is fine.\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "kinds.py").write_text('"""Reads pkg/kinds.py and pkg/gone.py; calls answer.json()."""\n')
    files = ["docs/guide.md", "pkg/kinds.py"]
    assert dangling_file_references(tmp_path, files) == [
        "docs/guide.md:1: docs/other.md",
        "docs/guide.md:1: GONE.md",
        "pkg/kinds.py:1: pkg/gone.py",
    ]
