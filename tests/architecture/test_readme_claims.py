"""Docs never lie: every sentence of the README's promises names the tests that pin it (tests/readme_claims.py),
every entry there still quotes the README, and every test it names exists. The splitting rule is in
tests/architecture/readme_sentences.py."""

import shutil

import pytest

from tests.architecture.claims import ROOT
from tests.architecture.readme_sentences import (
    Scope,
    missing_tests,
    scope_lines,
    sentences,
    stale,
    unmapped,
)
from tests.readme_claims import CLAIMS, SCOPES


def promises(readme: str, scopes=SCOPES) -> list[str]:
    return [sentence for scope in scopes for sentence in sentences(scope_lines(readme, scope))]


README = (ROOT / "README.md").read_text(encoding="utf-8")
NODE_IDS = [node_id for node_ids in CLAIMS.values() for node_id in node_ids]


def test_every_promise_of_the_readme_names_its_tests():
    found = promises(README)
    assert len(found) >= 60, "the scopes lost their sentences: is the splitting rule broken?"
    assert unmapped(found, CLAIMS) == [], "map each sentence to its tests in tests/readme_claims.py"
    assert stale(found, CLAIMS) == [], "each entry of tests/readme_claims.py quotes one README sentence"
    assert missing_tests(ROOT, NODE_IDS) == [], "tests/readme_claims.py names tests that do not exist"
    assert all(CLAIMS.values()), "an entry names no test"


def test_a_planted_sentence_is_caught():
    heading = "### What the cutover guarantees about your data\n"
    planted = README.replace(heading, heading + "Every payout is also mailed to the seller.\n")
    assert planted != README
    assert unmapped(promises(planted), CLAIMS) == ["Every payout is also mailed to the seller."]


def test_an_entry_whose_sentence_is_gone_or_reworded_is_caught():
    reworded = README.replace("leave it below zero is refused.", "leave it below zero is queued.")
    assert stale(promises(reworded), CLAIMS) == ["A payout that would leave it below zero is refused."]


def test_a_renamed_test_is_caught(tmp_path):
    """In a copy of the test file, one test the map names is renamed: the map no longer finds it."""
    node_id = CLAIMS["A payout that would leave it below zero is refused."][0]
    path, _, name = node_id.partition("::")
    (tmp_path / path).parent.mkdir(parents=True)
    shutil.copy(ROOT / path, tmp_path / path)
    assert missing_tests(tmp_path, [node_id]) == []
    source = (tmp_path / path).read_text()
    (tmp_path / path).write_text(source.replace(f"def {name}(", f"def {name}_renamed("))
    assert missing_tests(tmp_path, [node_id]) == [node_id]
    unknown = [path + "::helper_that_is_no_test", "gone.py::test_x"]
    assert missing_tests(tmp_path, unknown) == sorted(unknown)


def test_class_methods_count_as_tests_and_xfail_or_skip_ones_do_not(tmp_path):
    (tmp_path / "test_x.py").write_text(
        "import pytest\n"
        "class TestA:\n    def test_b(self):\n        pass\n"
        "@pytest.mark.xfail(strict=True)\ndef test_c():\n    pass\n"
        "class TestD:\n    @pytest.mark.skip\n    def test_e(self):\n        pass\n"
    )
    assert missing_tests(tmp_path, ["test_x.py::TestA::test_b"]) == []
    unpinning = ["test_x.py::TestD::test_e", "test_x.py::test_b", "test_x.py::test_c"]
    assert missing_tests(tmp_path, unpinning) == unpinning


def test_the_splitting_rule():
    readme = """# T
### Promises
Intro, e.g. this one, keeps `a. B` whole. Second sentence here (`x`).
- **Short.** A claim with `code. Not a split` in it! `cmd` starts one too.
  1. Nested step one is here.
```sh
echo fenced. Not a claim at all
```
### Next
- Other item. Its second sentence is out of scope.
"""
    assert promises(readme, [Scope(heading="Promises")]) == [
        "Intro, e.g. this one, keeps `a. B` whole.",
        "Second sentence here (`x`).",
        "A claim with `code. Not a split` in it!",
        "`cmd` starts one too.",
        "Nested step one is here.",
    ]
    assert promises(readme, [Scope(item="Other item.")]) == ["Its second sentence is out of scope."]
    with pytest.raises(LookupError):
        promises(readme, [Scope(heading="Missing")])
