"""The packages depend one way, and so do the rooms inside them.

app -> survey -> model and audio; audio takes only ``model.music`` (MIDI reading and its limits). Inside ``model``
and ``survey`` each subpackage has a floor and imports nothing from a floor above it, so the order below is the
order a reader can learn the code in. Generation runs without Keras: no module of ``model.generation`` imports,
at any depth and even inside a function, Keras, TensorFlow, JAX or ``model.training``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "model": {"model"},
    "audio": {"audio", "model.music"},
    "survey": {"survey", "model", "audio"},
    "app": {"app", "survey", "model", "audio"},
}
FLOORS = {
    "model": [["model.presets", "model.music"], ["model.encoding", "model.evaluation"],
              ["model.families", "model.data", "model.generation"], ["model.training"],
              ["model.models", "model.pieces"], ["model.__main__"]],
    "survey": [["survey.errors"], ["survey.store"], ["survey.design"], ["survey.collect", "survey.clips"],
               ["survey.analysis"], ["survey.__main__"]],
}
HEAVY = ("keras", "tensorflow", "jax", "model.training")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, roots: tuple[str, ...]) -> set[str]:
    """Every module under ``roots`` that ``path`` imports, at any depth of the file (functions included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n.split(".")[0] in roots}
    return found


def lab_files() -> Iterator[Path]:
    for package in ALLOWED:
        yield from (ROOT / package).rglob("*.py")


@cache
def graph() -> dict[str, set[str]]:
    """Module -> the lab modules it imports, each import named by its longest prefix that is a module."""
    modules = {module_name(p): p for p in lab_files()}
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports(path, tuple(ALLOWED)):
            while imported not in modules and "." in imported:
                imported = imported.rsplit(".", 1)[0]
            if imported != name and imported in modules:
                targets.add(imported)
        edges[name] = targets
    return edges


def floor(module: str, package: str) -> int | None:
    for level, rooms in enumerate(FLOORS[package]):
        if any(module == room or module.startswith(f"{room}.") for room in rooms):
            return level
    return None


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_import_runs_back_up(package: str) -> None:
    wrong = {}
    for path in (ROOT / package).rglob("*.py"):
        bad = {name for name in imports(path, tuple(ALLOWED))
               if not any(name == ok or name.startswith(f"{ok}.") for ok in ALLOWED[package])
               and not any(ok.startswith(f"{name}.") for ok in ALLOWED[package])}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong, f"{package} imports against the layering: {wrong}"


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_each_room_imports_only_its_own_floor_and_those_below(package: str) -> None:
    """A module at the package's top level (other than ``__init__``) must be named in FLOORS: a new room is placed."""
    unplaced = [m for m in graph() if m.startswith(f"{package}.") and floor(m, package) is None]
    assert not unplaced, f"modules with no floor in FLOORS[{package!r}]: {unplaced}"
    upward = {m: sorted(t for t in targets
                        if t.startswith(f"{package}.") and (floor(t, package) or 0) > (floor(m, package) or 0))
              for m, targets in graph().items() if m.startswith(f"{package}.")}
    assert not {m: t for m, t in upward.items() if t}, "imports from a floor above"


def test_no_two_modules_import_each_other_even_through_others() -> None:
    edges, index, low, stack, cycles = graph(), {}, {}, [], []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles


def test_generation_never_reaches_keras_tensorflow_jax_or_training() -> None:
    modules = {module_name(p): p for p in lab_files()}
    reached: dict[str, str] = {}
    todo = [m for m in modules if m.startswith("model.generation")]
    seen = set(todo)
    while todo:
        current = todo.pop()
        for name in imports(modules[current], (*ALLOWED, "keras", "tensorflow", "jax")):
            if name.startswith(HEAVY):
                reached[current] = name
            target = name
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target not in seen:
                seen.add(target)
                todo.append(target)
    assert not reached, f"generation's imports reach {reached}"


def test_the_top_levels_hold_few_modules() -> None:
    for package in ("model", "survey"):
        modules = [p.name for p in (ROOT / package).glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= 12, f"{package}/ holds {sorted(modules)}"


def test_the_audio_package_copies_pop909s_track_names_exactly() -> None:
    from audio.presentation import MELODY_TRACK
    from audio.settings import POP909_TRACKS
    from model.music.pop909 import MELODY_TRACK as MODEL_MELODY_TRACK
    from model.music.pop909 import TRACKS

    assert POP909_TRACKS == TRACKS and MELODY_TRACK == MODEL_MELODY_TRACK


def test_no_page_prints_a_stray_string() -> None:
    """Streamlit writes every bare expression of a page module on the page ("magic"): a docstring under a constant
    appeared at the top of the Studio. Only the module's own docstring may be a bare string."""
    stray = {}
    for path in (ROOT / "app" / "views").glob("*.py"):
        body = ast.parse(path.read_text()).body
        strings = [node.lineno for node in body[1:] if isinstance(node, ast.Expr)
                   and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
        if strings:
            stray[path.name] = strings
    assert not stray, f"bare strings Streamlit would print: {stray}"
