"""Dependencies point one way: app → kb pipelines → ingest → kb.text / kb.schema.

A module may import its own layer and the layers below it, never one above; this keeps the
read side of the index free of the write side's callers, and the text toolkit free of
everything else. Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. A dotted prefix names a layer; the longest matching prefix wins.
LAYERS = {
    "kb.text": 0,
    "kb.schema": 0,
    "kb.config": 0,
    "kb.profile": 0,
    "kb": 0,  # kb/__init__.py: the telemetry switches only
    "ingest": 1,
    "kb.registry": 2,
    "kb.index": 3,
    "kb.search": 4,
    "kb.answer": 5,
    "kb.training": 6,
    "kb.evaluation": 7,
    "app": 8,
}


def layer(module: str) -> int | None:
    best = None
    for prefix, rank in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, rank)
    return best[1] if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, package: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names)  # `from kb.index import store`
    return names


def sources() -> list[Path]:
    return sorted(p for d in ("kb", "ingest", "app") for p in (ROOT / d).rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert all(layer(module_name(p)) is not None for p in sources())


def test_imports_point_down() -> None:
    wrong = []
    for path in sources():
        mod = module_name(path)
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        own = layer(mod)
        for name in imported(ast.parse(path.read_text(encoding="utf-8")), package):
            dep = layer(name)
            if dep is not None and dep > own:
                wrong.append(f"{mod} (layer {own}) imports {name} (layer {dep})")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The check itself: a text-layer module importing the answerer is reported."""
    tree = ast.parse("from kb.answer.extractive import extractive_answer\n")
    deps = {layer(n) for n in imported(tree, "kb.text")}
    assert max(d for d in deps if d is not None) > layer("kb.text.sentences")
