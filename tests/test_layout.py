"""The code's shape, read with ``ast`` from the files (nothing is imported or run).

- Size: no module of santa_lib/, tools/ or bench/ over 300 lines, no function (methods and nested
  functions included) over 60 lines.
- Imports among santa_lib's modules (those inside functions too) form no circle, and point one
  way: ``internals`` imports nothing of santa_lib outside itself; ``sources`` imports only
  ``sources`` and ``internals``; ``sweeps`` (machinery, like ``cli``) imports only ``sweeps``,
  ``sources`` and ``internals``; ``cli`` imports only ``sweeps``, ``sources`` and ``internals``.
- Files land in one step in one place only: nothing but santa_lib/internals/files.py calls
  ``os.replace``, ``os.rename`` or ``tempfile.mkstemp`` (the rest uses its ``atomic_write``).

Each failure names the file, the function (or "module level") and the line or the count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("santa_lib", "tools", "bench")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
ATOMIC_HOME = Path("santa_lib/internals/files.py")
FORBIDDEN_CALLS = {("os", "replace"), ("os", "rename"), ("tempfile", "mkstemp")}


def python_files(folder: str) -> list[Path]:
    """The ``.py`` files under ``folder``, relative to the repository root."""
    return sorted(path.relative_to(ROOT) for path in (ROOT / folder).rglob("*.py")
                  if "__pycache__" not in path.parts)


def parse(path: Path) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=str(path))


def walk_scoped(tree: ast.AST, scope: str = "") -> Iterator[tuple[ast.AST, str]]:
    """Every node with the qualified name of the function or class around it ("" at module
    level): ``StopOnSignals.held``, ``run_one.execute``."""
    for child in ast.iter_child_nodes(tree):
        yield child, scope
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from walk_scoped(child, f"{scope}.{child.name}" if scope else child.name)
        else:
            yield from walk_scoped(child, scope)


def where(path: Path, scope: str, line: int) -> str:
    return f"{path}:{line} ({f'in {scope}' if scope else 'module level'})"


# ---------------------------------------------------------------------------------------- size


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_module_over_300_lines(folder):
    too_long = [f"{path}: {lines} lines"
                for path in python_files(folder)
                if (lines := len((ROOT / path).read_text(encoding="utf-8").splitlines()))
                > MAX_MODULE_LINES]
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(too_long)


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_function_over_60_lines(folder):
    too_long = []
    for path in python_files(folder):
        for node, scope in walk_scoped(parse(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                name = f"{scope}.{node.name}" if scope else node.name
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{path}:{node.lineno} function {name}: {lines} lines")
    assert not too_long, (f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(too_long))


# ------------------------------------------------------------------------- santa_lib's imports


def module_name(path: Path) -> str:
    """``santa_lib/sources/folder.py`` -> ``santa_lib.sources.folder``; a package's
    ``__init__.py`` is the package."""
    parts = list(path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in python_files("santa_lib")}


@dataclass(frozen=True)
class Import:
    """One santa_lib module importing another, and where."""

    source: str
    target: str
    path: Path
    scope: str
    line: int

    def __str__(self) -> str:
        return f"{where(self.path, self.scope, self.line)} imports {self.target}"


def resolve(name: str) -> str | None:
    """The santa_lib module ``name`` is or lies in (its longest known prefix), or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    return None


def imported_names(node: ast.Import | ast.ImportFrom, module: str, path: Path) -> list[str]:
    """The dotted names an import statement reaches: ``from a.b import c`` gives ``a.b.c``
    (which :func:`resolve` maps to ``a.b.c`` when it is a module, else to ``a.b``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from the module's own package, up level - 1 packages
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[:len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    return [f"{base}.{alias.name}" if alias.name != "*" else base for alias in node.names]


def santa_lib_imports() -> list[Import]:
    """Every import of a santa_lib module by a santa_lib module, at any depth in the file."""
    found = []
    for module, path in MODULES.items():
        for node, scope in walk_scoped(parse(path)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in imported_names(node, module, path):
                    target = resolve(name)
                    if target is not None and target != module:
                        found.append(Import(module, target, path, scope, node.lineno))
    return found


def import_circles(imports: list[Import]) -> list[list[Import]]:
    """One circle of imports through each group of modules that import one another."""
    edges: dict[str, dict[str, Import]] = {}
    for edge in imports:
        edges.setdefault(edge.source, {}).setdefault(edge.target, edge)
    circles, done = [], set()
    for start in sorted(edges):
        if start in done:
            continue
        circle = _circle_from(start, edges)
        if circle:
            circles.append(circle)
            done.update(edge.source for edge in circle)
    return circles


def _circle_from(start: str, edges: dict[str, dict[str, Import]]) -> list[Import] | None:
    """A shortest path of imports from ``start`` back to itself (breadth first), or None."""
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for target, edge in sorted(edges.get(module, {}).items()):
            if target == start:
                return [*paths[module], edge]
            if target not in paths:
                paths[target] = [*paths[module], edge]
                queue.append(target)
    return None


def test_santa_lib_imports_form_no_circle():
    circles = import_circles(santa_lib_imports())
    assert not circles, "import circles among santa_lib's modules:\n" + "\n".join(
        " -> ".join([circle[0].source, *(edge.target for edge in circle)])
        + "".join(f"\n    {edge}" for edge in circle) for circle in circles)


def layer(module: str) -> str:
    """``internals``, ``sources``, ``sweeps``, ``cli`` or ``lesson`` (the top-level lesson modules
    and the package itself)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("internals", "sources", "sweeps", "cli"):
        return parts[1]
    return "lesson"


ALLOWED = {"internals": {"internals"}, "sources": {"sources", "internals"},
           "sweeps": {"sweeps", "sources", "internals"},
           "cli": {"sweeps", "sources", "internals"}}
"""What each layer may import from santa_lib (the lesson modules may import anything)."""


def test_santa_lib_imports_point_one_way():
    wrong = [f"{edge} (a {layer(edge.source)} module may import only "
             f"{' and '.join(sorted(ALLOWED[layer(edge.source)]))})"
             for edge in santa_lib_imports()
             if layer(edge.source) in ALLOWED
             and layer(edge.target) not in ALLOWED[layer(edge.source)]]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_the_layout_checks_see_santa_libs_imports():
    """The checks above read something: the package's modules import one another."""
    imports = santa_lib_imports()
    assert {"santa_lib.internals", "santa_lib.sources", "santa_lib.sweeps",
            "santa_lib.cli"} <= set(MODULES)
    assert any(edge.target.startswith("santa_lib.internals.") for edge in imports)
    assert import_circles([Import("a", "b", Path("a.py"), "", 1),
                           Import("b", "a", Path("b.py"), "f", 2)])


# ------------------------------------------------------------------------------ atomic writes


def forbidden_calls(path: Path) -> list[str]:
    """Calls of ``os.replace``, ``os.rename``, ``tempfile.mkstemp`` (and imports of those names)
    in one file."""
    found = []
    for node, scope in walk_scoped(parse(path)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in FORBIDDEN_CALLS):
            found.append(f"{where(path, scope, node.lineno)} calls "
                         f"{node.func.value.id}.{node.func.attr}")
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names
                     if (node.module, alias.name) in FORBIDDEN_CALLS]
            found += [f"{where(path, scope, node.lineno)} imports {node.module}.{name}"
                      for name in names]
    return found


@pytest.mark.parametrize("folder", FOLDERS)
def test_files_land_only_through_atomic_write(folder):
    found = [line for path in python_files(folder) if path != ATOMIC_HOME
             for line in forbidden_calls(path)]
    assert not found, ("write through santa_lib.internals.files.atomic_write instead:\n"
                       + "\n".join(found))
