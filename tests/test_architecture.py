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


# Tasks live beside their services, with one import direction in every app: tasks.py
# imports its app's services (a task takes ids and calls a service), and a service imports a
# task only inside the function that hands it to enqueue(), to run after the commit. No
# other module imports tasks.
ENQUEUERS = {"enqueue", "enqueue_now"}


def _names_of_tasks(node: ast.AST, apps: set[str]) -> list[str]:
    """The names an import binds to one of our tasks modules, or to tasks in one."""
    if isinstance(node, ast.Import):
        return [
            alias.asname or alias.name.partition(".")[0]
            for alias in node.names
            if alias.name.partition(".")[0] in apps and alias.name.endswith(".tasks")
        ]
    if not isinstance(node, ast.ImportFrom):
        return []
    module = node.module or ""
    if node.level == 0 and module.partition(".")[0] not in apps:
        return []
    if module.rpartition(".")[2] == "tasks":
        return [alias.asname or alias.name for alias in node.names]
    return [alias.asname or alias.name for alias in node.names if alias.name == "tasks"]


def _apps_whose_services(node: ast.AST) -> set[str]:
    """The apps whose services an import brings in."""
    if isinstance(node, ast.Import):
        return {
            alias.name.partition(".")[0] for alias in node.names if alias.name.endswith(".services")
        }
    if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
        return set()
    if node.module.endswith(".services") or any(a.name == "services" for a in node.names):
        return {node.module.partition(".")[0]}
    return set()


def _used_only_to_enqueue(function: ast.AST, names: list[str]) -> list[str]:
    """Each use of the imported tasks in `function` that is not `enqueue(task, ...)`."""
    parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
    wrong = []
    for use in ast.walk(function):
        if not (isinstance(use, ast.Name) and use.id in names and isinstance(use.ctx, ast.Load)):
            continue
        task = parents[use] if isinstance(parents[use], ast.Attribute) else use  # tasks.x
        call = parents.get(task)
        enqueued = (
            isinstance(call, ast.Call)
            and call.args[:1] == [task]
            and getattr(call.func, "id", getattr(call.func, "attr", None)) in ENQUEUERS
        )
        if not enqueued:
            wrong.append(f"{use.lineno} uses {use.id} other than to enqueue it")
    return wrong


def task_imports_the_wrong_way(root: Path) -> list[str]:
    """Every import that breaks the direction, as `file:line why`."""
    apps = our_apps(root)
    found = []
    for app in sorted(apps):
        for path in sorted((root / app).rglob("*.py")):
            where = path.relative_to(root)
            if "migrations" in where.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
            # Outer functions come first in the walk, so each node maps to its innermost one.
            inside = {node: f for f in functions for node in ast.walk(f) if node is not f}
            is_services = where.name == "services.py" or "services" in where.parts[1:-1]
            if where == Path(app, "tasks.py"):
                if not any(app in _apps_whose_services(n) for n in tree.body):
                    found.append(
                        f"{where}:1 does not import {app}.services at the top: "
                        "a task calls a service"
                    )
                for node in ast.walk(tree):
                    for other in sorted(_apps_whose_services(node) & apps - {app}):
                        found.append(
                            f"{where}:{node.lineno} imports {other}.services: a task calls its "
                            "own app's service, which may call others"
                        )
            for node in ast.walk(tree):
                names = _names_of_tasks(node, apps)
                if not names:
                    continue
                if not is_services:
                    found.append(
                        f"{where}:{node.lineno} imports tasks: only services hand work over"
                    )
                elif node not in inside:
                    found.append(
                        f"{where}:{node.lineno} imports tasks at the top: tasks import services, "
                        "so a service imports a task inside the function that enqueues it"
                    )
                else:
                    found += [
                        f"{where}:{why}" for why in _used_only_to_enqueue(inside[node], names)
                    ]
    return found


def test_tasks_and_services_import_each_other_one_way_in_every_app():
    found = task_imports_the_wrong_way(ROOT)
    assert not found, "Tasks and services import the wrong way:\n" + "\n".join(found)


def test_it_finds_a_task_import_going_the_wrong_way(tmp_path):
    """The check itself, on a made-up app: the right shape passes, each wrong one is named."""
    for app in ("billing", "shop"):
        (tmp_path / app / "migrations").mkdir(parents=True)
        (tmp_path / app / "__init__.py").write_text("")
    shop = tmp_path / "shop"
    (shop / "tasks.py").write_text(
        "from shop import services\n\n\ndef send(order_id):\n"
        "    services.order_email(order_id=order_id)\n"
    )
    (shop / "services.py").write_text(
        "from background.services import enqueue\n\n\ndef order_place(order):\n"
        "    from shop.tasks import send\n\n    enqueue(send, order.pk)\n"
    )
    (shop / "migrations" / "0002.py").write_text("from shop.tasks import send\n")
    assert task_imports_the_wrong_way(tmp_path) == []

    (shop / "services.py").write_text(
        "from shop import tasks\n\n\ndef order_place(order):\n    tasks.send.delay(order.pk)\n"
    )
    (shop / "views.py").write_text("from shop.tasks import send\n")
    (shop / "tasks.py").write_text(
        "from billing.services import bill\n\n\ndef send(order_id):\n    bill(order_id)\n"
    )
    assert task_imports_the_wrong_way(tmp_path) == [
        "shop/services.py:1 imports tasks at the top: tasks import services, so a service "
        "imports a task inside the function that enqueues it",
        "shop/tasks.py:1 does not import shop.services at the top: a task calls a service",
        "shop/tasks.py:1 imports billing.services: a task calls its own app's service, which "
        "may call others",
        "shop/views.py:1 imports tasks: only services hand work over",
    ]

    (shop / "services.py").write_text(
        "def order_place(order):\n    from shop.tasks import send\n\n    send(order.pk)\n"
    )
    assert "shop/services.py:4 uses send other than to enqueue it" in (
        task_imports_the_wrong_way(tmp_path)
    )
