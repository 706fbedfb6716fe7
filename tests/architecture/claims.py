"""What the repository's own words claim, read so a test can check it against the files.

- A package docstring's "Owns …" paragraph names its modules in parentheses: `(run)`, `(service, runner)`,
  or, after prose, `(relay; one per app process: relay_child)`: within a group, parts separated by `;`, the
  names after a part's last `:`, separated by `,`.
- A comment, docstring or document names a file by a relative path (`cutover/store/kinds.py`,
  `docs/legacy-collections.md`) or, for documents, by a bare `NAME.md`.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

_OWNS = re.compile(r"\bOwns\b(.*?)(?:\bImports\b|\bMay import\b|$)", re.S)
_GROUP = re.compile(r"\(([^()]*)\)")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def claimed_modules(docstring: str) -> set[str]:
    """The module names an "Owns …" paragraph claims; a group that is not a list of names raises ValueError."""
    found = _OWNS.search(docstring or "")
    if not found:
        return set()
    names = set()
    for group in _GROUP.findall(found.group(1)):
        for part in group.split(";"):
            for name in (piece.strip() for piece in part.rsplit(":", 1)[-1].split(",")):
                if not _NAME.fullmatch(name):
                    raise ValueError(f"({group}): {name!r} is not a module name")
                names.add(name)
    return names


def package_modules(package: Path) -> set[str]:
    """The modules and subpackages of a package directory, as an "Owns" paragraph would name them."""
    modules = {path.stem for path in package.glob("*.py") if path.name != "__init__.py"}
    return modules | {path.parent.name for path in package.glob("*/__init__.py")}


_EXTENSIONS = r"(?:py|md|sh|txt|toml|html|json|png|cfg|ini|ya?ml|css|js)"
_PATH = re.compile(
    r"(?<![\w/.$:-])((?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_-][A-Za-z0-9_.-]*\." + _EXTENSIONS + r")(?![\w/(])"
    r"|(?<![\w/.$:-])([A-Za-z0-9_-]+\.md)(?![\w/(])"
)
# Paths that name something outside the repository on purpose: Django's own admin templates and static files
# (a template extends them), and what a run writes under .data/ or .venv/.
_OUTSIDE = ("admin/", ".data/", ".venv/")
# Records of the past name files as they were then; the checker's own examples name files that are not there.
_EXEMPT = ("CHANGELOG.md", "tests/architecture/claims.py", "tests/architecture/test_docs_truthful.py")
_TEXT = re.compile(r"(\.(py|md|sh|toml|html|txt|cfg|ini)|^\.ci/run)$")


def tracked_files(root: Path = ROOT) -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def dangling_file_references(root: Path, files: list[str]) -> list[str]:
    """`file:line: path` for each file a text file of `files` names that is not among `files`."""
    known = set(files)
    dangling = []
    for name in files:
        if not _TEXT.search(name) or name.endswith(_EXEMPT) or not (root / name).is_file():
            continue
        text = (root / name).read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in _PATH.finditer(line):
                path = match.group(1) or match.group(2)
                if not _exists(path, name, known):
                    dangling.append(f"{name}:{number}: {path}")
    return dangling


def _exists(path: str, referrer: str, known: set[str]) -> bool:
    if path.startswith(_OUTSIDE) or "://" in path:
        return True
    beside = str(Path(referrer).parent / path)
    return path in known or beside in known or any(file.endswith("/" + path) for file in known)
