"""The rules the package's layout promises, read from the source's import statements (every one,
at any depth, `if TYPE_CHECKING:` included unless a rule says otherwise): who may import gradio,
plotly and the web page, which folder may use which, and that no import cycle exists."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import explorer

PACKAGE = Path(explorer.__file__).parent
FOLDERS = ("arch", "render", "models", "inspect", "demo", "experiments", "web", "tools", "deploy",
           "batch")  # fmt: skip
# What each folder's __init__ says it must not import (the top-level modules are free to all).
FORBIDDEN = {
    "arch": {"render", "models", "inspect", "demo", "experiments", "web", "tools"},
    "render": {"models", "inspect", "demo", "experiments", "web", "tools"},
    "models": {"inspect", "demo", "experiments", "web", "tools"},
    "inspect": {"demo", "experiments", "web", "tools"},
    "demo": {"experiments", "web", "tools"},
    "experiments": {"inspect", "web", "tools"},
    "web": {"tools"},
    "tools": set(),
    "deploy": {"inspect", "demo", "experiments", "tools", "batch"},
    "batch": {"web", "tools", "deploy", "experiments"},
}
# The entry points that start the web page, besides app.py (outside the package).
WEB_ENTRY_POINTS = {"explorer.cli"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _in_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


@cache
def imports() -> dict[str, set[tuple[str, bool]]]:
    """module → {(imported module, only under TYPE_CHECKING)} for every module of the package."""
    found: dict[str, set[tuple[str, bool]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text("utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        targets: set[tuple[str, bool]] = set()
        for node in ast.walk(tree):
            typing_only = _in_type_checking(node, parents)
            if isinstance(node, ast.Import):
                targets |= {(alias.name, typing_only) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets.add((module, typing_only))
                # `from . import pages` imports the module explorer.web.pages
                for alias in node.names:
                    candidate = f"{module}.{alias.name}"
                    if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").is_file():
                        targets.add((candidate, typing_only))
        found[name] = targets
    return found


def _importers(prefix: str) -> set[str]:
    return {
        module
        for module, targets in imports().items()
        if any(t == prefix or t.startswith(prefix + ".") for t, _ in targets)
    }


def _folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "explorer" and len(parts) > 1 and parts[1] in FOLDERS else None


def test_the_reader_sees_the_whole_package():
    assert {"explorer.arch.registry", "explorer.web.page", "explorer.cli"} <= set(imports())
    assert ("explorer.arch.registry", False) in imports()["explorer.arch.analysis"]
    assert ("explorer.web.pages", False) in imports()["explorer.web.shared"]  # a local import
    assert ("explorer.arch.analysis", True) in imports()["explorer.render.report"]  # TYPE_CHECKING


def test_only_the_web_folder_imports_gradio():
    outside = {m for m in _importers("gradio") if _folder(m) != "web"}
    assert not outside, outside
    assert "explorer.web.page" in _importers("gradio")


def test_only_one_module_imports_plotly():
    assert _importers("plotly") == {"explorer.web.figures"}


def test_nothing_outside_web_imports_web_but_the_entry_points_and_tools():
    outside = {m for m in _importers("explorer.web")
               if _folder(m) not in ("web", "tools", "deploy")}  # fmt: skip
    assert outside == WEB_ENTRY_POINTS


def test_the_registry_does_not_import_the_demo():
    """The demo architecture is a registry spec; demo/ depends on the registry, never the
    reverse, so the registry (and everything it pulls in) stays clear of training and data."""
    seen, todo = set(), ["explorer.arch.registry"]
    while todo:
        module = todo.pop()
        if module in seen or module not in imports():
            continue
        seen.add(module)
        todo.extend(target for target, _ in imports()[module])
    assert not {m for m in seen if m.startswith("explorer.demo")}
    assert "explorer.arch.registry" in {t for t, _ in imports()["explorer.demo.data"]}


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_imports_only_what_its_init_allows(folder):
    said = (PACKAGE / folder / "__init__.py").read_text("utf-8")
    assert said.startswith('"""') and 2 <= said.split('"""')[1].strip().count("\n") + 1 <= 4
    broken = {
        (module, target)
        for module, targets in imports().items()
        if _folder(module) == folder
        for target, _ in targets
        if _folder(target) in FORBIDDEN[folder]
    }
    assert not broken, broken


def test_no_import_cycles():
    """No module reaches itself through the imports that run (TYPE_CHECKING ones never do)."""
    graph = {
        # `from . import part` in a package's __init__ names the package itself: not an edge
        module: {t for t, only in targets if t in imports() and not only and t != module}
        for module, targets in imports().items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
