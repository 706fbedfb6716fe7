"""The README's promises as sentences, and the tests named for them (the map is tests/readme_claims.py).

A scope is either a heading's section (`### Title` down to the next heading) or one list item found by how its
text starts (`- Mode preconditions.`, `  - **Permissions.**`), its nested items included. Fenced code is left out.

Splitting rule, kept simple on purpose:
- every list item starts a new sentence;
- code spans (`…`) are never split inside;
- bold marks (`**`) are dropped first;
- elsewhere a sentence ends at `.`, `!` or `?` (with any closing `)`, `*` or `"`) followed by a space and an
  upper-case letter or a code span; the abbreviations in ABBREVIATIONS never end one;
- a "sentence" of fewer than four words is a title (`**Identity.**`, `Mode preconditions.`), not a claim.
A map key is a fragment of one sentence (whitespace runs compare as one space); a sentence has exactly one key.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.")
_CODE = re.compile(r"`[^`\n]*`")
_ITEM = re.compile(r"^(\s*)(?:[-*]|\d+\.)\s+")
_END = re.compile(r"""(?<=[.!?])[)*"]*\s+(?=[A-Z]|\x00)""")
_HEADING = re.compile(r"^#+\s")


@dataclass(frozen=True)
class Scope:
    """A heading's section (`heading`), or a list item whose text, bold marks aside, starts with `item`."""

    heading: str = ""
    item: str = ""


def scope_lines(readme: str, scope: Scope) -> list[str]:
    lines = _prose_lines(readme)
    if scope.heading:
        starts = [n for n, line in enumerate(lines) if _HEADING.match(line) and line.lstrip("# ") == scope.heading]
        if not starts:
            raise LookupError(f"README has no heading {scope.heading!r}")
        end = next((n for n in range(starts[0] + 1, len(lines)) if _HEADING.match(lines[n])), len(lines))
        return lines[starts[0] + 1 : end]
    for number, line in enumerate(lines):
        item = _ITEM.match(line)
        if item and line[item.end() :].replace("**", "").startswith(scope.item):
            indent = len(item.group(1))
            end = next((n for n in range(number + 1, len(lines)) if _ends_item(lines[n], indent)), len(lines))
            return lines[number:end]
    raise LookupError(f"README has no list item starting {scope.item!r}")


def sentences(lines: list[str]) -> list[str]:
    """The claims of some README lines, by the splitting rule above."""
    found = []
    for block in _items(lines):
        spans = _CODE.findall(block)
        masked = _CODE.sub("\x00", block).replace("**", "")
        for abbreviation in ABBREVIATIONS:
            masked = masked.replace(abbreviation, abbreviation.replace(".", "\x01"))
        for piece in _END.split(masked):
            text = piece.replace("\x01", ".")
            while "\x00" in text:
                text = text.replace("\x00", spans.pop(0), 1)
            if len(text.split()) >= 4:
                found.append(text.strip())
    return found


def normalized(text: str) -> str:
    return " ".join(text.split())


def unmapped(claims: list[str], keys) -> list[str]:
    """Each sentence that no key, or more than one key, is a fragment of."""
    return [claim for claim in claims if sum(normalized(key) in claim for key in keys) != 1]


def stale(claims: list[str], keys) -> list[str]:
    """Each key that is a fragment of no sentence, or of more than one."""
    return [key for key in keys if sum(normalized(key) in claim for claim in claims) != 1]


def missing_tests(root: Path, node_ids) -> list[str]:
    """Each `path::name` or `path::Class::name` node id whose file does not define that test, or marks it xfail
    or skip (such a test cannot fail, so it pins nothing)."""
    missing = []
    for node_id in sorted(set(node_ids)):
        path, _, name = node_id.partition("::")
        if not name.split("::")[-1].startswith("test") or name not in _test_names(root / path):
            missing.append(node_id)
    return missing


def _test_names(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _can_fail(node):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and _can_fail(node):
            names |= {
                f"{node.name}::{inner.name}"
                for inner in node.body
                if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and _can_fail(inner)
            }
    return names


def _can_fail(node: ast.AST) -> bool:
    return not any(re.search(r"\b(xfail|skip|skipif)\b", ast.unparse(mark)) for mark in node.decorator_list)


def _prose_lines(readme: str) -> list[str]:
    lines, fenced = [], False
    for line in readme.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _ends_item(line: str, indent: int) -> bool:
    if _HEADING.match(line) or not line.strip():
        return True
    item = _ITEM.match(line)
    return bool(item) and len(item.group(1)) <= indent


def _items(lines: list[str]) -> list[str]:
    """The text of each list item (and of each paragraph outside one), its lines joined."""
    blocks: list[list[str]] = []
    for line in lines:
        item = _ITEM.match(line)
        if item or not line.strip() or not blocks:
            blocks.append([])
        blocks[-1].append(line[item.end() :] if item else line.strip())
    return [normalized(" ".join(block)) for block in blocks if normalized(" ".join(block))]
