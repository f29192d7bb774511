"""The apps are layered (docs/ARCHITECTURE.md): counting every import, including those
inside functions that import-linter's contracts also see, no app depends on itself through
another. Tests, benchmarks and migrations are left out: they may import anything."""

import ast
from pathlib import Path

import networkx as nx

from tests.project import ROOT, our_apps


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def app_import_graph(root: Path) -> nx.DiGraph:
    """An edge from each app to every other app it imports anywhere in its code, with the
    files and lines that do it."""
    apps = our_apps(root)
    graph = nx.DiGraph()
    graph.add_nodes_from(apps)
    for app in apps:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                for module in _imported(node):
                    other = module.partition(".")[0]
                    if other in apps and other != app:
                        if not graph.has_edge(app, other):
                            graph.add_edge(app, other, where=[])
                        graph.edges[app, other]["where"].append(
                            f"{path.relative_to(root)}:{node.lineno} imports {module}"
                        )
    return graph


def circles(graph: nx.DiGraph) -> list[str]:
    """One circle for each group of apps that depend on each other, with the line behind
    each step."""
    found = []
    for group in nx.strongly_connected_components(graph):
        if len(group) < 2:
            continue
        steps = nx.find_cycle(graph.subgraph(group))
        found.append(
            " -> ".join([a for a, _ in steps] + [steps[0][0]])
            + "".join(f"\n    {graph.edges[a, b]['where'][0]}" for a, b in steps)
            + f"\n  (in one tangle: {', '.join(sorted(group))})"
        )
    return found


def test_no_app_imports_itself_through_another():
    found = circles(app_import_graph(ROOT))
    assert not found, "Apps import each other in a circle:\n" + "\n".join(found)


def test_it_finds_a_circle_hidden_inside_a_function(tmp_path):
    """The check itself: an import inside a function counts, and a migration does not."""
    for app in ("lower", "upper"):
        (tmp_path / app / "migrations").mkdir(parents=True)
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "upper" / "views.py").write_text("from lower.models import Thing\n")
    (tmp_path / "lower" / "models.py").write_text("class Thing:\n    pass\n")
    (tmp_path / "lower" / "migrations" / "0001.py").write_text("import upper.views\n")
    assert circles(app_import_graph(tmp_path)) == []

    (tmp_path / "lower" / "services.py").write_text(
        "def later():\n    from upper import views\n\n    return views\n"
    )
    [circle] = circles(app_import_graph(tmp_path))
    assert "lower/services.py:2 imports upper" in circle
    assert "upper/views.py:1 imports lower.models" in circle


# One lock helper: core/locks.py is the only module that asks for SELECT ... FOR UPDATE, so
# every lock is refused outside a transaction, even on SQLite where a lock does nothing.
LOCK_HELPER = Path("core/locks.py")


def hand_written_locks(root: Path) -> list[str]:
    """Every use of `select_for_update` in our code outside the lock helper."""
    found = []
    for app in sorted(our_apps(root)):
        for path in sorted((root / app).rglob("*.py")):
            where = path.relative_to(root)
            if "migrations" in where.parts or where == LOCK_HELPER:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                    found.append((str(where), node.lineno))
    return [f"{where}:{line}" for where, line in sorted(found)]


def test_rows_are_locked_only_through_the_lock_helper():
    found = hand_written_locks(ROOT)
    assert not found, "Lock rows with core.locks.lock or lock_row, not by hand:\n" + "\n".join(
        found
    )


def test_it_finds_a_lock_written_by_hand(tmp_path):
    """The check itself: the helper and migrations may lock; any other module may not."""
    for app in ("core", "shop"):
        (tmp_path / app / "migrations").mkdir(parents=True)
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "core" / "locks.py").write_text(
        "def lock(qs):\n    return qs.select_for_update()\n"
    )
    (tmp_path / "shop" / "migrations" / "0002.py").write_text("Order.objects.select_for_update()\n")
    assert hand_written_locks(tmp_path) == []

    (tmp_path / "shop" / "services.py").write_text(
        "def pay(order):\n    Order.objects.select_for_update().get(pk=order.pk)\n"
    )
    assert hand_written_locks(tmp_path) == ["shop/services.py:2"]
