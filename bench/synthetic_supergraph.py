"""A generated join/v0.3 supergraph of many subgraphs and entity types, and queries that cross them.

Shape (``generate_supergraph(subgraphs=50, types=500)``): entity types ``T0``…``T499`` keyed by ``id``. Type ``Ti``
lives in a *home* subgraph (``i`` mod the subgraph count) that owns ``name``, ``score``, ``link1`` (one ``T``) and
the root field ``t{i}(id: ID!)``; two *contributor* subgraphs resolve ``Ti`` by key too and own ``c1``/``link2``
and ``c2``/``link3`` (a list). A subgraph that returns a type it does not resolve knows it by a non-resolvable key
(``resolvable: false``), as composers emit for Fed 2 subgraphs that only reference an entity. So almost every
step from one type to the next is an entity jump into another subgraph — the expensive case for a planner.

``representative_queries()`` walks those links from a root field to depth 3, 4 and 5, picking at each level fields
of the home and of both contributors, plus one wide query of several such walks.
"""

from __future__ import annotations

from dataclasses import dataclass

from join_header import HEADER


@dataclass(frozen=True, slots=True)
class EntityShape:
    """Where one generated type lives: ``home`` owns name/score/link1, ``contributors`` own c1/link2, c2/link3."""

    index: int
    home: int
    contributors: tuple[int, int]
    links: tuple[int, int, int]  # target type of link1, link2, link3


def _shapes(subgraphs: int, types: int) -> list[EntityShape]:
    if subgraphs < 3:
        raise ValueError("at least three subgraphs: a home and two contributors per type")
    shapes = []
    for i in range(types):
        home = i % subgraphs
        first = (home + 1 + (i * 7) % (subgraphs - 1)) % subgraphs  # never the home
        second = (first + 1 + (i * 13) % (subgraphs - 2)) % subgraphs
        if second == home:
            second = (second + 1) % subgraphs
        links = ((i * 17 + 1) % types, (i * 31 + 5) % types, (i * 43 + 11) % types)
        shapes.append(EntityShape(i, home, (first, second), links))
    return shapes


def _graph(index: int) -> str:
    return f"S{index}"


def generate_supergraph(subgraphs: int = 50, types: int = 500, url: str = "http://127.0.0.1:9/graphql") -> str:
    """The supergraph SDL text (every subgraph at ``url``: the planner never calls it)."""
    shapes = _shapes(subgraphs, types)
    # Which subgraphs reference each type without resolving it: the owners of fields that return it.
    referencing: list[set[int]] = [set() for _ in range(types)]
    for shape in shapes:
        owners = (shape.home, *shape.contributors)
        for owner, target in zip(owners, shape.links, strict=True):
            referencing[target].add(owner)
    graphs = "\n".join(
        f'  {_graph(g).upper()} @join__graph(name: "{_graph(g).lower()}", url: "{url}")' for g in range(subgraphs)
    )
    parts = [HEADER, f"enum join__Graph {{\n{graphs}\n}}\n"]
    for shape in shapes:
        resolvable = (shape.home, *shape.contributors)
        directives = [f'  @join__type(graph: {_graph(g)}, key: "id")' for g in resolvable]
        directives += [
            f'  @join__type(graph: {_graph(g)}, key: "id", resolvable: false)'
            for g in sorted(referencing[shape.index] - set(resolvable))
        ]
        home, (first, second) = _graph(shape.home), (_graph(c) for c in shape.contributors)
        link1, link2, link3 = shape.links
        parts.append(
            f"type T{shape.index}\n"
            + "\n".join(directives)
            + "\n{\n  id: ID!\n"
            + f"  name: String @join__field(graph: {home})\n"
            + f"  score: Int @join__field(graph: {home})\n"
            + f"  link1: T{link1} @join__field(graph: {home})\n"
            + f"  c1: String @join__field(graph: {first})\n"
            + f"  link2: T{link2} @join__field(graph: {first})\n"
            + f"  c2: String @join__field(graph: {second})\n"
            + f"  link3: [T{link3}] @join__field(graph: {second})\n"
            + "}\n"
        )
    query_types = "\n".join(f"  @join__type(graph: {_graph(g)})" for g in range(subgraphs))
    root_fields = "\n".join(f"  t{s.index}(id: ID!): T{s.index} @join__field(graph: {_graph(s.home)})" for s in shapes)
    parts.append(f"type Query\n{query_types}\n{{\n{root_fields}\n}}\n")
    return "\n".join(parts)


def _walk(shapes: list[EntityShape], index: int, depth: int, indent: str) -> str:
    """A selection on ``T{index}`` that goes ``depth`` object levels further, alternating which link it follows so
    every level needs fields from the home and from both contributors."""
    shape = shapes[index]
    if depth == 0:
        return f"{indent}name c1 c2"
    link = ("link1", "link2", "link3")[depth % 3]
    target = shape.links[depth % 3]
    inner = _walk(shapes, target, depth - 1, indent + "  ")
    return f"{indent}name c1 c2\n{indent}{link} {{\n{inner}\n{indent}}}"


def representative_queries(subgraphs: int = 50, types: int = 500) -> dict[str, str]:
    """Named queries of depth 3–5 (levels of object fields below the root field) and one wide one."""
    shapes = _shapes(subgraphs, types)
    queries = {}
    for depth, start in ((3, 0), (4, 123 % types), (5, 321 % types)):
        queries[f"depth {depth}"] = f'{{\n  t{start}(id: "1") {{\n{_walk(shapes, start, depth - 1, "    ")}\n  }}\n}}'
    wide = "\n".join(
        f'  r{n}: t{start}(id: "{n}") {{\n{_walk(shapes, start, 3, "    ")}\n  }}'
        for n, start in enumerate(i % types for i in (7, 77, 177, 277, 377, 477))
    )
    queries["wide: 6 roots × depth 4"] = f"{{\n{wide}\n}}"
    return queries
