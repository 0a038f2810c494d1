"""The package's import graph: no cycles, lower layers never import higher ones.

Built from the source with :mod:`ast` (nothing is imported): every ``import`` and
``from ... import`` that runs at import or call time, that is everything except
blocks under ``if TYPE_CHECKING:`` (annotations only).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "stencilgen"

#: Third-party packages that may be imported inside functions: optional ones
#: (plots, sparse matrices), loaded only by the feature that needs them.
OPTIONAL = {"matplotlib", "scipy"}

#: The calculation layer: notation and engine.
CALCULATION = {
    "stencilgen.notation",
    "stencilgen.errors",
    "stencilgen.expr",
    "stencilgen.taylor",
    "stencilgen.stencil",
    "stencilgen.steps",
}
#: Presentation and everything above it.
HIGHER = (
    "stencilgen.display",
    "stencilgen.explain",
    "stencilgen.printing",
    "stencilgen.kernel",
    "stencilgen.spec",
    "stencilgen.kinds",
    "stencilgen.render",
    "stencilgen.verify",
    "stencilgen.outputs",
    "stencilgen.build",
    "stencilgen.header",
    "stencilgen.inputs",
    "stencilgen.cli",
    "stencilgen.commands",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST, modules: set[str]) -> list[tuple[str, bool]]:
    """(imported module, inside a function) for the runtime imports of ``tree``."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child):
                for sub in child.orelse:
                    visit(sub, in_function)
                continue
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef
            )
            if isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.append((child.module, inside))
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    if sub in modules:
                        found.append((sub, inside))
            visit(child, inside)

    visit(tree, False)
    return found


def graph() -> tuple[dict[str, set[str]], dict[str, list[tuple[str, bool]]]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    edges: dict[str, set[str]] = {}
    raw: dict[str, list[tuple[str, bool]]] = {}
    for path in paths:
        name = module_name(path)
        found = imports(ast.parse(path.read_text(encoding="utf-8")), modules)
        raw[name] = found
        targets = set()
        for target, _ in found:
            if target in modules:
                parts = target.split(".")
                # Importing a submodule runs its parent packages first.
                targets |= {".".join(parts[:k]) for k in range(1, len(parts) + 1)}
        edges[name] = targets - {name}
    return edges, raw


def test_the_import_graph_has_no_cycle() -> None:
    edges, _ = graph()
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                walk(target, [*stack, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node, [node])


def test_function_level_imports_are_only_optional_packages() -> None:
    _, raw = graph()
    hidden = sorted(
        (module, target)
        for module, found in raw.items()
        for target, inside in found
        if inside and target.split(".")[0] not in OPTIONAL
    )
    assert hidden == []


def test_the_calculation_layer_never_imports_presentation_or_generation() -> None:
    edges, _ = graph()
    for module in CALCULATION:
        # Whole module names: stencilgen.spectrum is not stencilgen.spec.
        bad = sorted(
            t
            for t in edges[module]
            if any(t == h or t.startswith(h + ".") for h in HIGHER)
        )
        assert bad == [], f"{module} imports {bad}"


def test_the_graph_sees_the_imports_it_should() -> None:
    # Guards the test itself: known edges are found, TYPE_CHECKING ones are not.
    edges, _ = graph()
    assert "stencilgen.notation" in edges["stencilgen.display"]
    assert "stencilgen.kinds._operator_checks" in edges["stencilgen.kinds.operator"]
    assert "stencilgen.kinds.operator" not in edges["stencilgen.kinds._operator_checks"]
    assert "stencilgen.kinds" in edges["stencilgen.spec"]
    assert "stencilgen.spec" not in edges["stencilgen.kinds"]
