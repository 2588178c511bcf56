#!/usr/bin/env python3
"""Checks that the library's module graph is the one CMake declares, and that it flows one way.

For every module M (a folder src/M with a CMakeLists.txt calling metasift_add_module(M ...)):
  * every `#include "metasift/N/..."` in src/M/ or include/metasift/M/ with N != M must name a
    module that M's CMake target declares as a dependency (DEPENDS, PRIVATE_DEPENDS or a
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
    "math": {"io", "review", "plot", "report", "pipeline", "run", "batch", "analyses", "models", "effects", "synthesis"},
    "effects": {"io", "review", "plot", "report", "pipeline", "run", "batch", "analyses", "models", "synthesis"},
    "models": {"io", "review", "plot", "report", "pipeline", "run", "batch", "analyses", "synthesis"},
    "analyses": {"io", "review", "plot", "report", "pipeline", "run", "batch", "synthesis"},
    "io": {"math", "effects", "models", "analyses", "review", "plot", "report", "pipeline", "run", "batch", "synthesis"},
    "batch": {"review", "plot", "report", "pipeline", "run", "synthesis"},
    "review": {"models", "analyses", "report", "pipeline", "run", "batch", "synthesis"},
    "plot": {"review", "pipeline", "run", "batch", "report"},
    "report": {"review", "plot", "pipeline", "run", "batch"},
    "pipeline": {"review", "plot", "run", "batch", "synthesis"},
    # Synthesis without meta-analysis works on study rows, not on pooled models; the figures and the
    # report draw its results, so it must not know them.
    "synthesis": {"effects", "models", "analyses", "plot", "report", "pipeline", "run", "batch"},
    "run": set(),
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]metasift/([a-z_]+)/', re.M)
MODULE_RE = re.compile(r"metasift_add_module\(\s*([a-z_]+)(.*?)\)", re.S)
LINK_RE = re.compile(r"target_link_libraries\(\s*metasift_([a-z_]+)(.*?)\)", re.S)
DEP_RE = re.compile(r"metasift::([a-z_]+)")


def declared_graph(src: pathlib.Path) -> dict:
    graph = {}
    for cmake in sorted(src.glob("*/CMakeLists.txt")):
        text = re.sub(r"#[^\n]*", "", cmake.read_text(encoding="utf-8"))
        for m in MODULE_RE.finditer(text):
            graph.setdefault(m.group(1), set()).update(d for d in DEP_RE.findall(m.group(2)) if d != "options")
        for m in LINK_RE.finditer(text):
            graph.setdefault(m.group(1), set()).update(d for d in DEP_RE.findall(m.group(2)) if d != "options")
    return graph


def used_graph(root: pathlib.Path, modules) -> dict:
    used = {}
    for mod in modules:
        edges = {}
        for folder in (root / "src" / mod, root / "include" / "metasift" / mod):
            if not folder.is_dir():
                continue
            for f in sorted(folder.rglob("*")):
                if f.suffix not in (".cpp", ".hpp", ".h", ".inl"):
                    continue
                for n in INCLUDE_RE.findall(f.read_text(encoding="utf-8", errors="replace")):
                    if n != mod:
                        edges.setdefault(n, f.relative_to(root).as_posix())
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
    declared = declared_graph(root / "src")
    used = used_graph(root, declared)
    problems = []
    for mod in sorted(declared):
        for dep, where in sorted(used[mod].items()):
            if dep not in declared:
                problems.append(f"{where}: includes metasift/{dep}/, which is not a module")
            elif dep not in declared[mod]:
                problems.append(f"{where}: module '{mod}' includes metasift/{dep}/ but its CMake target does not declare metasift::{dep}")
        for dep in sorted(declared[mod]):
            banned = FORBIDDEN.get(mod, set())
            if "*" in banned or dep in banned:
                problems.append(f"src/{mod}/CMakeLists.txt: module '{mod}' must not depend on '{dep}' (layering in tools/check_layers.py)")
        if mod not in FORBIDDEN:
            problems.append(f"src/{mod}/CMakeLists.txt: module '{mod}' has no layering entry in tools/check_layers.py")
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
