"""Header propagation: which client headers go to which subgraph, and which subgraph headers come back.

Configured in a TOML file (``MINYI_GATEWAY_HEADERS_FILE``), after Apollo Router's ``headers`` section::

    [all]                                   # every subgraph
    request = [
      { named = "Accept-Language" },
      { matching = "^x-city-" },            # a regular expression, searched in the lower-case name
    ]

    [subgraphs.hotline]
    request = [{ named = "X-Tenant", rename = "X-Hotline-Tenant", default = "330100" }]
    response = [{ named = "X-Legacy-Latency" }, { matching = "^x-hotline-" }]

A ``request`` rule copies the client's header to the subgraph (``rename``: under another name; ``default``: the
value sent when the client sent none). A ``response`` rule copies a subgraph's response header into the client's
response (``rename`` too); when several subgraph calls of one request send the same header, the client gets their
distinct values joined by ``", "`` in sorted order, so the answer does not depend on which call finished first.
``rename`` and ``default`` need ``named``. The gateway's own headers are never taken from a client nor handed
back from a subgraph (:data:`RESERVED_REQUEST`, :data:`RESERVED_RESPONSE`): the internal token replaces the
user's ``Authorization``, and cookies, framing and trace context stay the gateway's. A rule that names one of them
is refused when the file is read. Pure: the file is read by :func:`load_header_rules`, the rules applied by
:meth:`HeaderRules.to_subgraph` and :meth:`HeaderRules.from_subgraph`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "NO_RULES",
    "RESERVED_REQUEST",
    "RESERVED_RESPONSE",
    "HeaderRule",
    "HeaderRules",
    "HeaderRulesError",
    "load_header_rules",
    "merge_response_headers",
    "parse_header_rules",
]

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
RESERVED_REQUEST = _HOP_BY_HOP | {
    "authorization", "cookie", "host", "content-length", "content-type", "content-encoding", "accept",
    "accept-encoding", "expect", "traceparent", "tracestate", "baggage", "idempotency-key",
}  # fmt: skip
RESERVED_RESPONSE = _HOP_BY_HOP | {
    "set-cookie", "content-length", "content-type", "content-encoding", "date", "server", "x-request-id",
    "www-authenticate", "retry-after",
}  # fmt: skip
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class HeaderRulesError(ValueError):
    """A header rules file that cannot be used, with where and why."""


@dataclass(frozen=True, slots=True)
class HeaderRule:
    named: str | None = None  # lower case
    matching: re.Pattern[str] | None = None
    rename: str | None = None
    default: str | None = None

    def apply(self, headers: Sequence[tuple[str, str]], reserved: frozenset[str]) -> list[tuple[str, str]]:
        """The headers this rule passes on, from ``headers`` (lower-case names, in order)."""
        if self.named is not None:
            values = [value for name, value in headers if name == self.named]
            if not values and self.default is not None:
                values = [self.default]
            return [(self.rename or self.named, value) for value in values]
        assert self.matching is not None
        return [(name, value) for name, value in headers if name not in reserved and self.matching.search(name)]


@dataclass(frozen=True, slots=True)
class HeaderRules:
    """Rules for every subgraph (``"*"``) and per subgraph name."""

    request: Mapping[str, tuple[HeaderRule, ...]] = field(default_factory=dict)
    response: Mapping[str, tuple[HeaderRule, ...]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.request or self.response)

    @property
    def wants_client_headers(self) -> bool:
        return bool(self.request)

    @property
    def wants_response_headers(self) -> bool:
        return bool(self.response)

    def to_subgraph(self, subgraph: str, client_headers: Sequence[tuple[str, str]]) -> dict[str, str]:
        """The headers to add to a request to ``subgraph``; several values of one name are joined by ``", "``."""
        rules = (*self.request.get("*", ()), *self.request.get(subgraph, ()))
        found: dict[str, list[str]] = {}
        for rule in rules:
            for name, value in rule.apply(client_headers, RESERVED_REQUEST):
                values = found.setdefault(name, [])
                if value not in values:
                    values.append(value)
        return {name: ", ".join(values) for name, values in found.items()}

    def from_subgraph(self, subgraph: str, response_headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        rules = (*self.response.get("*", ()), *self.response.get(subgraph, ()))
        passed: list[tuple[str, str]] = []
        for rule in rules:
            passed += rule.apply(response_headers, RESERVED_RESPONSE)
        return passed


NO_RULES = HeaderRules()


def merge_response_headers(collected: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Several subgraph calls' headers for the client: one header per name, distinct values sorted and joined."""
    values: dict[str, set[str]] = {}
    for name, value in collected:
        values.setdefault(name, set()).add(value)
    return [(name, ", ".join(sorted(found))) for name, found in sorted(values.items())]


def _rule(raw: Any, where: str, reserved: frozenset[str]) -> HeaderRule:
    if not isinstance(raw, dict):
        raise HeaderRulesError(f'{where}: a rule is a table such as {{ named = "Accept-Language" }}')
    unknown = set(raw) - {"named", "matching", "rename", "default"}
    if unknown:
        raise HeaderRulesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    named, matching, rename, default = (raw.get(k) for k in ("named", "matching", "rename", "default"))
    if (named is None) == (matching is None):
        raise HeaderRulesError(f"{where}: give either `named` or `matching`")
    for key, value in (("named", named), ("rename", rename)):
        if value is not None and (not isinstance(value, str) or not _TOKEN.fullmatch(value)):
            raise HeaderRulesError(f"{where}: `{key}` must be a header name, not {value!r}")
        if isinstance(value, str) and value.lower() in reserved:
            raise HeaderRulesError(f"{where}: {value} is the gateway's own header and is never propagated")
    if default is not None and (not isinstance(default, str) or any(c in default for c in "\r\n\x00")):
        raise HeaderRulesError(f"{where}: `default` must be a header value on one line")
    if matching is not None:
        if rename is not None or default is not None:
            raise HeaderRulesError(f"{where}: `rename` and `default` need `named` (one header), not `matching`")
        if not isinstance(matching, str):
            raise HeaderRulesError(f"{where}: `matching` must be a regular expression")
        try:
            pattern = re.compile(matching, re.IGNORECASE)
        except re.error as error:
            raise HeaderRulesError(f"{where}: `matching` is not a regular expression: {error}") from None
        return HeaderRule(matching=pattern)
    assert isinstance(named, str)
    return HeaderRule(named=named.lower(), rename=rename.lower() if isinstance(rename, str) else None, default=default)


def _rules(section: Any, where: str) -> tuple[tuple[HeaderRule, ...], tuple[HeaderRule, ...]]:
    if not isinstance(section, dict):
        raise HeaderRulesError(f"{where}: expected a table with `request` and/or `response` lists")
    unknown = set(section) - {"request", "response"}
    if unknown:
        raise HeaderRulesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    found: list[tuple[HeaderRule, ...]] = []
    for direction, reserved in (("request", RESERVED_REQUEST), ("response", RESERVED_RESPONSE)):
        listed = section.get(direction, [])
        if not isinstance(listed, list):
            raise HeaderRulesError(f"{where}.{direction}: expected a list of rules")
        found.append(tuple(_rule(r, f"{where}.{direction}[{i}]", reserved) for i, r in enumerate(listed)))
    return found[0], found[1]


def parse_header_rules(config: Mapping[str, Any], subgraphs: Iterable[str] | None = None) -> HeaderRules:
    """Rules from a decoded file; ``subgraphs``, when given, are the names a ``[subgraphs.NAME]`` may use."""
    unknown = set(config) - {"all", "subgraphs"}
    if unknown:
        raise HeaderRulesError(f"unknown section(s) {', '.join(sorted(unknown))}: use [all] and [subgraphs.NAME]")
    request: dict[str, tuple[HeaderRule, ...]] = {}
    response: dict[str, tuple[HeaderRule, ...]] = {}
    sections: list[tuple[str, str, Any]] = []
    if "all" in config:
        sections.append(("*", "all", config["all"]))
    named = config.get("subgraphs", {})
    if not isinstance(named, dict):
        raise HeaderRulesError("subgraphs: expected [subgraphs.NAME] tables")
    known = set(subgraphs) if subgraphs is not None else None
    for name, section in named.items():
        if known is not None and name not in known:
            raise HeaderRulesError(f"subgraphs.{name}: no such subgraph (there are: {', '.join(sorted(known))})")
        sections.append((name, f"subgraphs.{name}", section))
    for key, where, section in sections:
        to_subgraph, back = _rules(section, where)
        if to_subgraph:
            request[key] = to_subgraph
        if back:
            response[key] = back
    return HeaderRules(request, response)


def load_header_rules(path: Path) -> HeaderRules:
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise HeaderRulesError(f"cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise HeaderRulesError(f"{path} is not TOML: {error}") from None
    return parse_header_rules(config)
