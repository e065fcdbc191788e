"""Which directive names mean what in one subgraph: its ``@link`` imports and renames.

Spec: https://specs.apollo.dev/link/v1.0 — a linked feature's elements are reachable as ``@<namespace>__<name>``
(the namespace is the spec's name, or ``as:``), imported ones by their bare name or by ``import: [{name:, as:}]``;
a directive named like its spec (``@inaccessible`` in ``inaccessible/v0.2``) is reachable as ``@<namespace>``.
A subgraph with no link to the federation spec is a Federation 1 subgraph: every federation directive has its
bare name there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphql import ConstDirectiveNode, ListValueNode, ObjectValueNode, StringValueNode, ValueNode

__all__ = ["FEDERATION_DIRECTIVES", "Link", "LinkedNames", "read_links"]

FEDERATION_DIRECTIVES = frozenset(
    {
        "key", "external", "requires", "provides", "shareable", "override", "inaccessible", "tag",
        "interfaceObject", "composeDirective", "authenticated", "requiresScopes", "policy", "extends",
        "context", "fromContext", "cost", "listSize",
    }
)  # fmt: skip
_SECURITY_SPECS = frozenset({"inaccessible", "tag", "authenticated", "requiresScopes", "policy"})
_URL = re.compile(r"/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$")


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    name: str  # the spec's name, from its url
    imports: Mapping[str, str]  # local directive name -> name in the spec (without @)


@dataclass(frozen=True, slots=True)
class LinkedNames:
    """A subgraph's directive vocabulary: local name -> canonical federation name."""

    canonical: Mapping[str, str]
    federation_minor: int | None  # None for a Federation 1 subgraph
    links: tuple[Link, ...] = ()
    local: Mapping[str, str] = field(default_factory=dict)  # canonical -> local

    @property
    def fed2(self) -> bool:
        return self.federation_minor is not None


def _string(value: ValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _imports(value: ValueNode | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if not isinstance(value, ListValueNode):
        return found
    for item in value.values:
        if isinstance(item, StringValueNode):
            found[item.value.lstrip("@")] = item.value.lstrip("@")
        elif isinstance(item, ObjectValueNode):
            entries = {f.name.value: _string(f.value) for f in item.fields}
            name = entries.get("name")
            if name is not None:
                found[(entries.get("as") or name).lstrip("@")] = name.lstrip("@")
    return found


def read_links(directives: Iterable[ConstDirectiveNode]) -> LinkedNames:
    canonical: dict[str, str] = {}
    links: list[Link] = []
    minor: int | None = None
    for directive in directives:
        if directive.name.value != "link":
            continue
        args = {arg.name.value: arg.value for arg in directive.arguments or ()}
        url = _string(args.get("url")) or ""
        match = _URL.search(url)
        if match is None:
            continue
        spec = match.group("name")
        namespace = _string(args.get("as")) or spec
        imports = _imports(args.get("import"))
        links.append(Link(url=url, name=spec, imports=imports))
        if spec == "federation":
            minor = int(match.group("minor")) if match.group("major") == "2" else 0
            for name in FEDERATION_DIRECTIVES:
                canonical[f"{namespace}__{name}"] = name
            for local, original in imports.items():
                if original in FEDERATION_DIRECTIVES:
                    canonical[local] = original
        elif spec in _SECURITY_SPECS:
            canonical[namespace] = spec
            for local, original in imports.items():
                if original == spec:
                    canonical[local] = spec
    if minor is None:
        canonical = {name: name for name in FEDERATION_DIRECTIVES}
    return LinkedNames(
        canonical=canonical,
        federation_minor=minor,
        links=tuple(links),
        local={value: key for key, value in canonical.items()},
    )
