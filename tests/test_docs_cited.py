"""Every design page the code cites is in the repository (docs/), none is cited from outside."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITED = re.compile(r"docs/[\w./-]+\.md")


def _code_files() -> list[Path]:
    return sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")])


def test_cited_docs_pages_exist() -> None:
    cited = {m for path in _code_files() for m in CITED.findall(path.read_text(encoding="utf-8"))}
    assert "docs/methods/mose.md" in cited  # the scan sees the citations
    missing = sorted(c for c in cited if not (ROOT / c).is_file())
    assert not missing, f"cited but not in the repository: {missing}"


def test_no_docstring_cites_a_design_file_outside_the_repository() -> None:
    outside = "DESIGN" + ".md"  # spelled in two parts so this file does not cite it itself
    citing = [
        p.relative_to(ROOT).as_posix() for p in _code_files() if outside in p.read_text("utf-8")
    ]
    assert not citing


def test_methods_index_links_every_page() -> None:
    index = (ROOT / "docs" / "methods" / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in (ROOT / "docs" / "methods").glob("*.md")} - {"README.md"}
    assert pages and all(f"({page})" in index for page in pages)
