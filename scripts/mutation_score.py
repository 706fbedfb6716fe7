"""The mutation score of the last scripts/mutation.sh run, per module, from mutmut's result files.

usage: python scripts/mutation_score.py [NAME-PATTERN ...]            the score (no pattern: every mutant)
       python scripts/mutation_score.py --pending [NAME-PATTERN ...]  the mutants still to run: no verdict yet, or
                                                                     survived and not listed as equivalent

Survivors listed in scripts/mutation_equivalent.txt (one name a line, then its reason after a #) are equivalent
mutants: they change no behaviour, so no test can kill them; they are counted apart, not as misses.
"""

import fnmatch
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mutmut's exit codes (mutmut.stats.status_by_exit_code); a timeout (the tests ran 15x longer) counts as detected.
STATUS = {1: "killed", 3: "killed", 0: "survived", None: "not checked", 5: "no tests", 33: "no tests", 34: "skipped"}
STATUS |= dict.fromkeys((36, 24, -24, 152, 255), "timeout")
COLUMNS = ("killed", "survived", "equivalent", "timeout", "no tests", "not checked", "other")


def equivalent_mutants() -> dict[str, str]:
    listed = {}
    for line in (ROOT / "scripts" / "mutation_equivalent.txt").read_text().splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            listed[name.strip()] = reason.strip()
    return listed


def results(patterns: list[str]) -> dict[str, Counter]:
    equivalent = equivalent_mutants()
    by_module: dict[str, Counter] = defaultdict(Counter)
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        for name, exit_code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if patterns and not any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                continue
            status = STATUS.get(exit_code, "other")
            if status == "survived" and name in equivalent:
                status = "equivalent"
            by_module[str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")][status] += 1
    return by_module


def pending(patterns: list[str]) -> list[str]:
    """`mutmut run` with a name pattern reruns every mutant it matches; naming only these keeps earlier kills."""
    equivalent = equivalent_mutants()
    names = []
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        for name, exit_code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if patterns and not any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                continue
            if STATUS.get(exit_code) in (None, "not checked", "survived", "no tests") and name not in equivalent:
                names.append(name)
    return names


def main(patterns: list[str]) -> None:
    by_module = results(patterns)
    print(f"{'module':45}" + "".join(f"{c:>12}" for c in COLUMNS) + f"{'score':>8}")
    total: Counter = Counter()
    for module, counts in sorted(by_module.items()):
        total += counts
        print(f"{module:45}" + "".join(f"{counts[c]:>12}" for c in COLUMNS) + f"{_score(counts):>8}")
    print(f"{'all':45}" + "".join(f"{total[c]:>12}" for c in COLUMNS) + f"{_score(total):>8}")
    print("score = (killed + timeout) / (killed + survived + timeout + no tests); equivalent mutants left out")


def _score(counts: Counter) -> str:
    tested = counts["killed"] + counts["survived"] + counts["timeout"] + counts["no tests"]
    return f"{100 * (counts['killed'] + counts['timeout']) / tested:.1f}%" if tested else "-"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pending"]:
        print("\n".join(pending(sys.argv[2:])))
    else:
        main(sys.argv[1:])
