"""The package has the shape of the pipeline (STYLE.md, "Stages stand side by side"):
the commands on top, the pipeline under them, a row of stages, the data layer below.

Read from the source with `ast`, every import the code makes, wherever it sits (in a
function, under TYPE_CHECKING): a stage that reached into another stage only for a
type would still be read with it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "portal"
STAGES = ("content", "site", "output", "weather", "search")
COMMANDS = "commands"
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The portal modules `path` imports, by dotted name."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            if node.module is None:  # from . import x: x is a module or a name in the package
                found.update(f"{base}.{alias.name}" for alias in node.names)
            found.add(base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module.split(".")[0] == "portal"}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name}
            for name, path in modules.items()}


def _floor(module: str) -> str:
    """"commands", "pipeline", a stage's name, or "data"."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in (*STAGES, COMMANDS)):
        return parts[1]
    return "pipeline" if module == "portal.pipeline" else "data"


def _allowed(importer: str, imported: str) -> bool:
    here, there = _floor(importer), _floor(imported)
    if there == "data":
        return True  # everything stands on the data layer
    if here == COMMANDS:
        return there in (COMMANDS, "pipeline")
    if here == "pipeline":
        return there in STAGES
    return here == there  # a stage's own modules; never another stage, the pipeline or a command


def test_no_stage_imports_another_stage():
    wrong = sorted(f"{importer} -> {imported}" for importer, imported_modules in _graph().items()
                   for imported in imported_modules if not _allowed(importer, imported))
    assert not wrong, "\n".join(wrong)


def test_the_data_layer_imports_no_stage_and_has_no_cycle():
    graph = {module: {m for m in imports if _floor(m) == "data"}
             for module, imports in _graph().items() if _floor(module) == "data"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, "cycle: " + " -> ".join((*path, module))
        if module in done:
            return
        for imported in graph[module]:
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_the_pipeline_is_the_hub_every_stage_hangs_from():
    called = {_floor(module) for module in _graph()["portal.pipeline"]}
    assert set(STAGES) <= called


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_300_lines(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)}: {lines} lines"
