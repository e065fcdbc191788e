"""Plans as stable text, in the shape Apollo's query planner prints (for snapshot tests and ``minyi plan``)::

QueryPlan {
  Sequence {
    Fetch(service: "a") {
      {
        user {
          __typename
          id
        }
      }
    },
    Flatten(path: "user") {
      Fetch(service: "b") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            nickname
          }
        }
      },
    },
  },
}

Entity fetches to one subgraph sent as one request print as ``BatchFetch(service: "b", fields: [0, 0, 1]) { Flatten
..., Flatten ..., Flatten ... }``, ``fields`` giving each part's ``_entities`` field (equal: sent together).
"""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, parse, print_ast

from gateway.planner.plan import (
    BatchFetch,
    Condition,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiresField,
    RequiresSelection,
    Sequence,
)

__all__ = ["print_plan"]

_INDENT = "  "


def print_plan(plan: QueryPlan) -> str:
    if plan.node is None:
        return "QueryPlan {\n}"
    return "QueryPlan {\n" + _node(plan.node, 1) + "\n}"


def _indent(text: str, level: int) -> str:
    return "\n".join(_INDENT * level + line if line else line for line in text.splitlines())


def _node(node: PlanNode, level: int) -> str:
    pad = _INDENT * level
    if isinstance(node, Fetch):
        return _fetch(node, level)
    if isinstance(node, Flatten):
        path = ".".join(node.path)
        return f'{pad}Flatten(path: "{path}") {{\n{_fetch(node.node, level + 1)}\n{pad}}},'
    if isinstance(node, BatchFetch):
        variables = ", variables: [" + ", ".join(node.variable_usages) + "]" if node.variable_usages else ""
        inner = "\n".join(_node(part, level + 1) for part in node.parts)
        fields = ", fields: [" + ", ".join(str(index) for index in node.fields) + "]"
        return f'{pad}BatchFetch(service: "{node.subgraph}"{fields}{variables}) {{\n{inner}\n{pad}}},'
    if isinstance(node, Sequence | Parallel):
        name = "Sequence" if isinstance(node, Sequence) else "Parallel"
        inner = "\n".join(_node(child, level + 1) for child in node.nodes)
        return f"{pad}{name} {{\n{inner}\n{pad}}},"
    if isinstance(node, Condition):
        if node.if_clause is None and node.else_clause is not None:
            return f"{pad}Skip(if: ${node.variable}) {{\n{_node(node.else_clause, level + 1)}\n{pad}}},"
        text = f"{pad}Include(if: ${node.variable}) {{\n"
        text += _node(node.if_clause, level + 1) + "\n" if node.if_clause is not None else ""
        text += f"{pad}}}"
        if node.else_clause is not None:
            text += f" Else {{\n{_node(node.else_clause, level + 1)}\n{pad}}}"
        return text + ","
    raise TypeError(f"not a plan node: {node!r}")


def _fetch(fetch: Fetch, level: int) -> str:
    pad = _INDENT * level
    document = parse(fetch.operation, no_location=True)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    selection: SelectionSetNode = operation.selection_set
    variables = ""
    if fetch.variable_usages:
        variables = ", variables: [" + ", ".join(fetch.variable_usages) + "]"
    kind = "" if fetch.operation_kind == "query" else f", kind: {fetch.operation_kind}"
    lines = [f'{pad}Fetch(service: "{fetch.subgraph}"{kind}{variables}) {{']
    if fetch.requires:
        entities = selection.selections[0]
        assert isinstance(entities, FieldNode) and entities.selection_set is not None
        selection = entities.selection_set
        lines.append(_indent(_requires(fetch.requires), level + 1) + " =>")
        for rewrite in fetch.input_rewrites:
            lines.append(f"{pad}{_INDENT}(rewrite {'.'.join(rewrite.path) or '.'}__typename to {rewrite.to_type!r})")
    lines.append(_indent(print_ast(selection), level + 1))
    for key, types in fetch.output_types:
        lines.append(f"{pad}{_INDENT}(only {' | '.join(types)}: {key})")
    for rename in fetch.output_renames:
        where = ".".join((*rename.path, rename.from_key))
        lines.append(f"{pad}{_INDENT}(rename {where} to {rename.to_key!r})")
    lines.append(f"{pad}}},")
    return "\n".join(lines)


def _requires(selections: tuple[RequiresSelection, ...]) -> str:
    lines = ["{"]
    for item in selections:
        if isinstance(item, RequiresField):
            if item.selections:
                lines.append(_indent(f"{item.name} " + _requires(item.selections), 1))
            else:
                lines.append(_INDENT + item.name)
        else:
            lines.append(_indent(f"... on {item.type_condition} " + _requires(item.selections), 1))
    lines.append("}")
    return "\n".join(lines)
