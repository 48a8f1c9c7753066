"""The layout holds: no import cycles, and imports run one way between rooms.

The import graph is read from the source with ast, so a function-local import
counts as much as one at the top of a module: hiding a cycle inside a function
still makes two modules that cannot be understood, or changed, one without the
other. docs/architecture.md draws the same map in words.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "questions", "quiz", "config")

# Modules that wire the rooms together (routing, admin registration, app start-up)
# may import any room; nothing else may import a room against the arrows.
WIRING = {"quiz.urls", "quiz.admin", "quiz.apps", "config.urls"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules that `name` imports anywhere in its body."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from quiz.reports import charts` imports the module quiz.reports.charts
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = _project_modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_cycle_finder_sees_a_cycle_hidden_in_a_function(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("import b\n")
    b = tmp_path / "b.py"
    b.write_text("def f():\n    from a import x\n")
    graph = {
        "a": _imports("a", a, {"a", "b"}),
        "b": _imports("b", b, {"a", "b"}),
    }
    assert find_cycles(graph) == [["a", "b"]]


def test_the_graph_sees_function_local_imports(graph):
    # quiz.models imports the rooms' models at the top; sanity check the reader.
    assert "quiz.attempts.models" in graph["quiz.models"]
    assert "quiz.certificates.models" in graph["quiz.models"]


def test_no_import_cycles(graph):
    assert find_cycles(graph) == []


def _violations(graph, source_prefix, target_prefix, allowed=()):
    return sorted(
        (source, target)
        for source, targets in graph.items()
        if source.startswith(source_prefix) and source not in allowed
        for target in targets
        if target.startswith(target_prefix)
    )


def test_questions_and_accounts_never_import_quiz(graph):
    assert _violations(graph, "questions", "quiz") == []
    assert _violations(graph, "accounts", "quiz") == []
    assert _violations(graph, "accounts", "questions") == []


def test_reports_are_read_by_nothing_but_the_wiring(graph):
    outside = {name for name in graph if not name.startswith("quiz.reports")}
    assert (
        sorted(
            (source, target)
            for source in outside - WIRING
            for target in graph[source]
            if target.startswith("quiz.reports")
        )
        == []
    )


def test_certificates_never_import_attempt_services_or_reports(graph):
    assert _violations(graph, "quiz.certificates", "quiz.reports") == []
    # Attempts call certificates (a pass issues one), never the other way round.
    # The certificate list grades overdue attempts first, through the service.
    offenders = [
        (source, target)
        for source, target in _violations(graph, "quiz.certificates", "quiz.attempts")
        if target != "quiz.attempts.models"
        and (source, target) != ("quiz.certificates.views", "quiz.attempts.services")
    ]
    assert offenders == []


def test_the_programme_sits_below_attempts(graph):
    """Attempts ask the programme what a trainee has on a quiz (effective.py);
    the programme never asks back, nor reads certificates beyond their models."""
    assert _violations(graph, "quiz.programme", "quiz.attempts") == []
    assert [
        (source, target)
        for source, target in _violations(graph, "quiz.programme", "quiz.certificates")
        if target != "quiz.certificates.models"
    ] == []
    # What quiz.models and quiz.attempts.models import (effective.py, the
    # programme's models) imports no model module of the app in turn.
    for low in ("quiz.programme.effective", "quiz.programme.models"):
        assert not {
            t for t in graph[low] if t.startswith("quiz.") and "programme" not in t
        } - {"quiz.bounds"}


def test_assessment_never_imports_practice(graph):
    """Practice is kept apart from assessment: attempts and certificates never
    read it, and practice writes nothing of theirs (it reads their models and
    selectors, and marks with the same grading arithmetic)."""
    assert _violations(graph, "quiz.attempts", "quiz.practice") == []
    assert _violations(graph, "quiz.certificates", "quiz.practice") == []
    assert _violations(graph, "quiz.practice", "quiz.attempts.services") == []
    assert _violations(graph, "quiz.practice", "quiz.certificates") == []


def test_views_are_imported_only_by_url_confs(graph):
    offenders = sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if target.rpartition(".")[2] == "views"
        and source not in {"quiz.urls", "config.urls", "accounts.urls"}
        and not source.startswith("tests")
    )
    assert offenders == []


@pytest.mark.parametrize(
    "old",
    [
        "certificates.py",
        "certificate_pdf.py",
        "views_certificates.py",
        "reports.py",
        "views_reports.py",
        "statistics.py",
        "charts.py",
        "csv_export.py",
    ],
)
def test_rooms_hold_their_modules(old):
    assert not (ROOT / "quiz" / old).exists()


def test_each_room_is_a_package():
    for room in ("attempts", "certificates", "reports", "practice", "programme"):
        assert (ROOT / "quiz" / room / "__init__.py").is_file()


# "About 30 lines": a view or admin method longer than this does a service's or a
# form's work itself.
MAX_VIEW_LINES = 35


def test_views_and_admin_methods_are_short():
    long_ones = []
    for name, path in _project_modules().items():
        if path.name not in ("views.py", "admin.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_VIEW_LINES:
                    long_ones.append((f"{name}.{node.name}", length))
    assert long_ones == []
