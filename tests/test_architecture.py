"""The shape of the package, read from its source (ARCHITECTURE.md): the stages import only
downwards, no module imports itself round a circle, WeasyPrint is imported only in layout/
and only inside functions, and no room or function has grown past its limit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "guidegen"

# Lowest first. A module may import from its own layer and the layers below it, never above.
LAYERS = [
    (  # the foundation every stage uses
        "guidegen",
        "guidegen.errors",
        "guidegen.paths",
        "guidegen.clock",
        "guidegen.processes",
        "guidegen.output",
        "guidegen.inputs",
        "guidegen.spec",
        "guidegen.theme",
    ),
    ("guidegen.content", "guidegen.labels"),  # 1. load and validate (labels are YAML too)
    ("guidegen.posting", "guidegen.select", "guidegen.importers"),  # 2. select; import
    ("guidegen.book",),  # 3. the Book and its HTML
    # 4-5. layout with WeasyPrint, then finishing with pikepdf; finishing works on PDF bytes
    # and knows nothing of layout, and layout's join uses its fonts and structure tree
    ("guidegen.pdf",),
    ("guidegen.layout",),
    ("guidegen.cards",),  # an output variant built from the stages
    ("guidegen.workbook",),  # the one render path
    ("guidegen.builders",),  # every output, in a registry
    ("guidegen.build", "guidegen.batch", "guidegen.preview"),
    # the front ends: the command line, and the web page that builds the same specs
    ("guidegen.cli", "guidegen.serve", "guidegen.__main__"),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    best, found = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    assert found is not None, f"{module} is in no layer of tests/test_architecture.py"
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> list[tuple[str, int, bool, bool]]:
    """(imported module, line, only for type checking, inside a function) for each import of
    guidegen or weasyprint in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, typing_only: bool, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for inner in child.body:
                    visit_one(inner, True, in_function)
                for inner in child.orelse:
                    visit_one(inner, typing_only, in_function)
            else:
                visit_one(child, typing_only, in_function)

    def visit_one(node: ast.AST, typing_only: bool, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, node.lineno, typing_only, in_function))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # ``from guidegen.cards import decks`` imports a module
                sub = f"{node.module}.{alias.name}"
                target = sub if sub in MODULES else node.module
                found.append((target, node.lineno, typing_only, in_function))
        inner_function = in_function or isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        visit(node, typing_only, inner_function)

    visit(tree, False, False)
    return [item for item in found if item[0].split(".")[0] in ("guidegen", "weasyprint")]


IMPORTS = {module: _imports(module) for module in MODULES}


def test_every_import_goes_down_the_stages():
    upward = [
        f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {module} imports {target}"
        for module, imports in IMPORTS.items()
        for target, line, _, _ in imports
        if target in MODULES and _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_import_circles():
    """Among the imports that run (at a module's top or inside a function)."""
    graph = {
        module: {
            target
            for target, _, typing_only, _ in imports
            if target in MODULES and not typing_only and target != module
        }
        for module, imports in IMPORTS.items()
    }
    circles, state = [], dict.fromkeys(graph, 0)  # 0 new, 1 on the path, 2 done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state[target] == 1:
                circles.append(" -> ".join(path[path.index(target) :] + [node, target]))
            elif state[target] == 0:
                walk(target, path + [node])
        state[node] = 2

    for module in sorted(graph):
        if state[module] == 0:
            walk(module, [])
    assert circles == []


def test_weasyprint_is_imported_only_inside_layout_functions():
    wrong = [
        f"{module}:{line}" + ("" if in_function else " (at the module's top)")
        for module, imports in IMPORTS.items()
        for target, line, typing_only, in_function in imports
        if target.split(".")[0] == "weasyprint"
        and not typing_only
        and not (module.startswith("guidegen.layout.") and in_function)
    ]
    assert wrong == []


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_package_or_top_level_module_holds_over_a_quarter_of_the_lines():
    rooms: dict[str, int] = {}
    for path in MODULES.values():
        top = path.relative_to(PACKAGE).parts[0]
        rooms[top] = rooms.get(top, 0) + _lines(path)
    total = sum(rooms.values())
    assert {room: lines for room, lines in rooms.items() if lines > total / 4} == {}


def test_no_function_is_over_120_lines():
    long = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > 120:
                    long.append(f"{module}.{node.name}: {length} lines")
    assert long == []


@pytest.mark.parametrize(
    "name", ["workbook", "booklet", "print-shop", "html", "cards", "anki", "tsv"]
)
def test_every_output_is_a_registered_builder(name):
    from guidegen.builders import BUILDERS, builder

    made = builder(name)
    assert type(made) is BUILDERS[name] and made.name == name
