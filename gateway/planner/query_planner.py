"""``build_query_plan``: the planner's entry point (pure and deterministic)."""

from __future__ import annotations

from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, OperationType, print_ast

from gateway.planner.aliases import alias_conflicting_fields
from gateway.planner.assemble import assemble, in_sequence
from gateway.planner.batching import batch_entity_fetches
from gateway.planner.builder import PlanBuilder
from gateway.planner.errors import PlanningError
from gateway.planner.helper_keys import ClientKeys
from gateway.planner.operation import collect_fields, normalize_selection_set
from gateway.planner.plan import PlanNode, QueryPlan
from schema.supergraph import Supergraph

__all__ = ["build_query_plan"]


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == operation_name:
                return operation
        raise PlanningError(f"unknown operation named {operation_name!r}")
    if len(operations) != 1:
        raise PlanningError("an operation name is required when the document holds several operations")
    return operations[0]


def build_query_plan(supergraph: Supergraph, document: DocumentNode, operation_name: str | None) -> QueryPlan:
    """Plan ``operation_name`` of ``document`` (already validated against ``supergraph.api_schema``)."""
    operation = _operation(document, operation_name)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    variables = {
        definition.variable.name.value: print_ast(definition) for definition in operation.variable_definitions or ()
    }
    if operation.operation == OperationType.MUTATION:
        root_type, kind = supergraph.mutation_type, "mutation"
    elif operation.operation == OperationType.SUBSCRIPTION:
        root_type, kind = supergraph.subscription_type, "subscription"
    else:
        root_type, kind = supergraph.query_type, "query"
    if root_type is None:
        raise PlanningError(f"the supergraph has no {kind} type")
    client_keys = ClientKeys.of(document)
    selections = normalize_selection_set(operation.selection_set, fragments)
    fields, _ = collect_fields(selections, lambda condition: condition == root_type)
    if kind != "mutation":
        builder = PlanBuilder(supergraph, client_keys=client_keys)
        for field in fields.values():
            builder.plan_root_field(root_type, field)
        alias_conflicting_fields(supergraph, builder.groups, root_type, client_keys)
        return QueryPlan(batch_entity_fetches(assemble(builder.groups, kind, variables), variables))
    # Mutations: root fields in series; consecutive fields of one subgraph share a fetch.
    steps: list[PlanNode] = []
    next_id = 0
    builder = PlanBuilder(supergraph, next_id, client_keys)
    current: str | None = None
    for field in fields.values():
        if field.name == "__typename":
            continue
        meta = supergraph.field(root_type, field.name)
        graphs = meta.resolving_graphs() if meta is not None else ()
        if current is not None and current not in graphs:
            alias_conflicting_fields(supergraph, builder.groups, root_type, client_keys)
            node = assemble(builder.groups, kind, variables)
            if node is not None:
                steps.append(node)
            builder = PlanBuilder(supergraph, builder._next_id, client_keys)
        group = builder.plan_root_field(root_type, field, preferred=(current,) if current else ())
        current = group.subgraph if group is not None else current
    alias_conflicting_fields(supergraph, builder.groups, root_type, client_keys)
    node = assemble(builder.groups, kind, variables)
    if node is not None:
        steps.append(node)
    return QueryPlan(batch_entity_fetches(in_sequence(steps), variables))
