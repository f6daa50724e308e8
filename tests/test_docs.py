"""The code cites the repository's own notes: docs/domain.md's sections by name, never notes kept
elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    path
    for folder in ("kiosk", "photo", "printing", "tests", "scripts", "bench")
    for path in (ROOT / folder).rglob("*")
    if path.is_file() and path.suffix in {".py", ".html", ".js", ".toml", ".md", ""} and "__pycache__" not in path.parts
    if path != Path(__file__).resolve()  # its patterns are not citations
]
# "docs/domain.md "Calendar"", "docs/domain.md, "Temporary ID"", "... "Escalation" and "Commitments""
CITATION = re.compile(r'docs/domain\.md,? ((?:"[^"]+"(?: and |, )?)+)')


def _sections() -> set[str]:
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    return {line.removeprefix("## ").strip() for line in text.splitlines() if line.startswith("## ")}


def test_every_cited_section_of_the_domain_notes_exists():
    sections, cited = _sections(), {}
    for path in SOURCES:
        for match in CITATION.finditer(path.read_text(encoding="utf-8", errors="replace")):
            for name in re.findall(r'"([^"]+)"', match[1]):
                cited.setdefault(name, path.relative_to(ROOT))
    assert len(cited) >= 10, cited  # the pattern still finds the citations
    assert {name: path for name, path in cited.items() if name not in sections} == {}


def test_no_notes_outside_the_repository_are_cited():
    outside = re.compile("|".join(f"{name}\\.md" for name in ("DOMAIN", "DESIGN", "MISSION")))
    paths = [*SOURCES, ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    citing = [path.relative_to(ROOT) for path in paths if outside.search(path.read_text("utf-8", "replace"))]
    assert citing == []
