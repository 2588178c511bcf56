#!/usr/bin/env python3
"""Checks that the library's module graph is the one CMake declares, and that it flows one way.

For every module M (a folder src/<dir> with a CMakeLists.txt calling metasift_add_module(M ...)):
  * M's files are its sources (src/<dir>/) and its headers: the HEADERS its metasift_add_module
    call lists (paths under include/metasift/, for a module that shares another's folder, as
    plot_scene shares include/metasift/plot/), or else include/metasift/M/ less the headers
    another module lists;
  * every `#include "metasift/..."` in M's files that names a header of another module N must name
    a module that M's CMake target declares as a dependency (DEPENDS, PRIVATE_DEPENDS or a
    target_link_libraries(metasift_M ...) line), so the build graph is the real graph;
  * the declared graph has no cycle;
  * no module depends on a module listed as forbidden for it below (the layering the
    architecture document describes).

Usage: check_layers.py SOURCE_DIR [--dot]   (exit 0: clean, 1: violations listed one per line)
"""
import pathlib
import re
import sys

# Edges that must never exist, whatever CMake says: the importers and the screening pipeline
# know nothing of statistics or drawing, and the numerical core knows nothing of files.
FORBIDDEN = {
    "core": {"*"},
    "math": {"io", "review", "diagrams", "plot_scene", "plot", "report", "pipeline", "run", "batch", "analyses", "models", "effects"},
    "effects": {"io", "review", "diagrams", "plot_scene", "plot", "report", "pipeline", "run", "batch", "analyses", "models"},
    "models": {"io", "review", "diagrams", "plot_scene", "plot", "report", "pipeline", "run", "batch", "analyses"},
    "analyses": {"io", "review", "diagrams", "plot_scene", "plot", "report", "pipeline", "run", "batch"},
    "io": {"math", "effects", "models", "analyses", "review", "diagrams", "plot_scene", "plot", "report", "pipeline", "run", "batch"},
    "batch": {"review", "diagrams", "plot_scene", "plot", "report", "pipeline", "run"},
    # The screening pipeline draws nothing: its figures live in diagrams, which depends on it.
    "review": {"models", "analyses", "report", "pipeline", "run", "batch", "plot", "plot_scene", "diagrams"},
    # The review's figures: through the scene, and the forest plot for the risk-of-bias columns.
    "diagrams": {"report", "pipeline", "run", "batch"},
    # The scene and its backends know nothing of statistics or of the charts drawn with them.
    "plot_scene": {"math", "effects", "models", "analyses", "review", "diagrams", "plot", "report", "pipeline", "run", "batch"},
    "plot": {"review", "diagrams", "pipeline", "run", "batch", "report"},
    "report": {"review", "diagrams", "plot_scene", "plot", "pipeline", "run", "batch"},
    "pipeline": {"review", "diagrams", "plot_scene", "plot", "run", "batch"},
    "run": set(),
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]metasift/([a-z_]+/[^">]+)[">]', re.M)
MODULE_RE = re.compile(r"metasift_add_module\(\s*([a-z_]+)(.*?)\)", re.S)
LINK_RE = re.compile(r"target_link_libraries\(\s*metasift_([a-z_]+)(.*?)\)", re.S)
DEP_RE = re.compile(r"metasift::([a-z_]+)")
HEADERS_RE = re.compile(r"\bHEADERS\b(.*?)(?:\b(?:SOURCES|DEPENDS|PRIVATE_DEPENDS)\b|$)", re.S)


def read_modules(src: pathlib.Path):
    """(declared graph, source folder of each module, explicitly listed headers of each module)."""
    graph, folders, headers = {}, {}, {}
    for cmake in sorted(src.glob("*/CMakeLists.txt")):
        text = re.sub(r"#[^\n]*", "", cmake.read_text(encoding="utf-8"))
        for m in MODULE_RE.finditer(text):
            graph.setdefault(m.group(1), set()).update(d for d in DEP_RE.findall(m.group(2)) if d != "options")
            folders[m.group(1)] = cmake.parent
            h = HEADERS_RE.search(m.group(2))
            if h:
                headers[m.group(1)] = set(h.group(1).split())
        for m in LINK_RE.finditer(text):
            graph.setdefault(m.group(1), set()).update(d for d in DEP_RE.findall(m.group(2)) if d != "options")
    return graph, folders, headers


def owner_of(header: str, listed: dict):
    """The module a header under include/metasift/ belongs to ("plot/scene.hpp" -> "plot_scene")."""
    for mod, hs in listed.items():
        if header in hs:
            return mod
    return header.split("/", 1)[0]


def files_of(root: pathlib.Path, mod: str, folders: dict, listed: dict):
    inc = root / "include" / "metasift"
    files = [f for f in sorted(folders[mod].rglob("*"))]
    if mod in listed:
        files += [inc / h for h in sorted(listed[mod])]
    elif (inc / mod).is_dir():
        files += [f for f in sorted((inc / mod).rglob("*")) if owner_of(f.relative_to(inc).as_posix(), listed) == mod]
    return [f for f in files if f.is_file() and f.suffix in (".cpp", ".hpp", ".h", ".inl")]


def used_graph(root: pathlib.Path, folders: dict, listed: dict) -> dict:
    used = {}
    for mod in folders:
        edges = {}
        for f in files_of(root, mod, folders, listed):
            for header in INCLUDE_RE.findall(f.read_text(encoding="utf-8", errors="replace")):
                n = owner_of(header, listed)
                if n != mod:
                    edges.setdefault(n, (f.relative_to(root).as_posix(), header))
        used[mod] = edges
    return used


def find_cycle(graph: dict):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if state.get(d) is None:
                c = visit(d)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if state.get(n) is None:
            c = visit(n)
            if c:
                return c
    return None


def main(argv) -> int:
    if len(argv) < 2:
        print("usage: check_layers.py SOURCE_DIR [--dot]", file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1]).resolve()
    declared, folders, listed = read_modules(root / "src")
    used = used_graph(root, folders, listed)
    problems = []
    inc = root / "include" / "metasift"
    for mod, hs in sorted(listed.items()):
        for h in sorted(hs):
            if not (inc / h).is_file():
                problems.append(f"src/{folders[mod].name}/CMakeLists.txt: module '{mod}' lists header {h}, which does not exist")
    for mod in sorted(declared):
        for dep, (where, header) in sorted(used[mod].items()):
            if dep not in declared:
                problems.append(f"{where}: includes metasift/{header}, which belongs to no module")
            elif dep not in declared[mod]:
                problems.append(f"{where}: module '{mod}' includes metasift/{header} (module '{dep}') but its CMake target does not declare metasift::{dep}")
        for dep in sorted(declared[mod]):
            banned = FORBIDDEN.get(mod, set())
            if "*" in banned or dep in banned:
                problems.append(f"src/{folders[mod].name}/CMakeLists.txt: module '{mod}' must not depend on '{dep}' (layering in tools/check_layers.py)")
        if mod not in FORBIDDEN:
            problems.append(f"src/{folders[mod].name}/CMakeLists.txt: module '{mod}' has no layering entry in tools/check_layers.py")
    cycle = find_cycle(declared)
    if cycle:
        problems.append("dependency cycle: " + " -> ".join(cycle))
    if "--dot" in argv:
        print("digraph metasift {")
        for mod in sorted(declared):
            for dep in sorted(declared[mod]):
                print(f"  {mod} -> {dep};")
        print("}")
    for p in problems:
        print(p)
    if not problems and "--dot" not in argv:
        print(f"check_layers: {len(declared)} modules, {sum(len(v) for v in declared.values())} declared edges, no violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
