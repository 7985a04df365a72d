"""Packages import downwards only: the package-level import graph of ``src/emoreason`` (every
``import`` of every module, lazy ones inside functions included) has no cycle, and importing
the assets never loads the CLI."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "emoreason"

#: Known upward edges, each with the modules allowed to make it (none may be added). None left:
#: the perception models' fitting modules, which read the evaluation loaders and metrics, live in
#: ``emoreason.fitting`` above both.
KNOWN_UPWARD: dict[tuple[str, str], set[str]] = {}


def _unit(module: str) -> str:
    """The graph node of a dotted module name: its first level below ``emoreason``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<root>"


def _imported(tree: ast.AST, here: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("emoreason."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = here.split(".")[: -node.level]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "emoreason":
                found.update(f"emoreason.{a.name}" for a in node.names)
            elif module.startswith("emoreason."):
                found.add(module)
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], set[str]]]:
    """(node -> nodes it imports, (from, to) -> the files making that edge)."""
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        dotted = ".".join(("emoreason", *relative.with_suffix("").parts))
        here = _unit(dotted.removesuffix(".__init__"))
        for target in _imported(ast.parse(path.read_text(encoding="utf-8")), dotted):
            there = _unit(target)
            if there != here:
                edges[here].add(there)
                where[(here, there)].add(relative.as_posix())
    return edges, where


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a node list, or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        trail.pop()
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_cycle_finder_against_small_graphs() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_package_import_graph_is_acyclic() -> None:
    edges, where = import_graph()
    assert {"perception", "reasoning", "formats", "cli"} <= set(edges)  # the walk saw imports
    for (source, target), allowed in KNOWN_UPWARD.items():
        extra = where.get((source, target), set()) - allowed
        assert not extra, f"new {source} -> {target} imports in {sorted(extra)}"
        edges[source].discard(target)
    cycle = find_cycle(edges)
    detail = (
        [f"{a} -> {b}: {sorted(where[(a, b)])}" for a, b in itertools.pairwise(cycle)]
        if cycle
        else []
    )
    assert cycle is None, "import cycle between packages:\n" + "\n".join(detail)


def test_lower_layers_never_import_upper_ones() -> None:
    _, where = import_graph()
    low = {"errors", "schema", "formats", "config", "prompts", "sentence_encoder", "chat_client"}
    high = {"cli", "serve", "pipeline", "evaluation", "training", "reasoning", "perception"}
    upward = sorted((a, b) for a, b in where if a in low and b in high)
    assert not upward, f"low-level modules import upwards: {upward}"


def test_importing_assets_loads_no_cli() -> None:
    code = (
        "import sys, emoreason.assets; "
        "print(sorted(m for m in sys.modules if m.startswith('emoreason.cli')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
