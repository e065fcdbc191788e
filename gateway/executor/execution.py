"""Executing a query plan: one recursive function over the plan tree (after Apollo Router's ``execution.rs``).

Every node merges the data it fetched into the response tree it is handed and returns its errors; it never raises.
:class:`~gateway.planner.plan.Sequence` runs its nodes in order, :class:`~gateway.planner.plan.Parallel` with
``asyncio.gather``, :class:`~gateway.planner.plan.Condition` on a boolean variable. A root fetch deep-merges its
answer by response key; an entity fetch under a Flatten collects, deduplicates and sends representations once and
merges item ``i`` of ``_entities`` into every object that asked for it; a :class:`~gateway.planner.plan.BatchFetch`
does that for each of its ``_entities`` fields over one request (semantics in :mod:`gateway.planner.plan`).

A subgraph that fails, times out or answers garbage costs only its own fields: they stay absent and become null in
shaping, with one error naming the subgraph. Every error also records the response paths it explains, so that
shaping does not add a second "Cannot return null" error below them.

Finally :func:`~gateway.executor.shaping.shape_response` cuts the merged tree to the client's operation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode, parse

from gateway.executor.entities import (
    ClientPath,
    EntityBatch,
    collect_entities,
    collect_entities_at,
    path_before_lists,
    rename_keys,
    rename_path,
    rewrite_typenames,
)
from gateway.executor.fetcher import Fetcher, SubgraphRequest, SubgraphResponse
from gateway.executor.merge import deep_merge
from gateway.executor.operation import prepare_operation
from gateway.executor.result import ExecutionResult
from gateway.executor.shaping import ErrorPath, shape_response
from gateway.executor.subgraph_errors import error_path, failure_error, invalid_response_error, subgraph_error
from gateway.planner.plan import BatchFetch, Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence

__all__ = ["HasApiSchema", "execute_plan"]

logger = logging.getLogger(__name__)

Errors = list[dict[str, Any]]


class HasApiSchema(Protocol):
    """What the executor needs of the supergraph: the API schema clients see."""

    @property
    def api_schema(self) -> GraphQLSchema: ...


@dataclass(slots=True)
class _Execution:
    fetcher: Fetcher
    variables: Mapping[str, Any]
    abstract_types: Mapping[str, frozenset[str]]  # the API schema's interfaces and unions → their object types
    data: dict[str, Any] = field(default_factory=dict)
    covered: set[ErrorPath] = field(default_factory=set)  # response paths that errors already explain


async def execute_plan(
    plan: QueryPlan,
    *,
    supergraph: HasApiSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    fetcher: Fetcher,
) -> ExecutionResult:
    """Run ``plan`` and shape the result for the client operation ``operation_name`` of ``document``.

    ``document`` must be valid against ``supergraph.api_schema`` and ``variables`` coerced (the request pipeline's
    job); the operation's variable defaults are applied here.
    """
    operation = prepare_operation(supergraph.api_schema, document, operation_name)
    variables = operation.with_defaults(variables)
    execution = _Execution(fetcher, variables, operation.index.possible_types)
    errors: Errors = [] if plan.node is None else await _execute(plan.node, execution)
    data, shaping_errors = shape_response(operation, execution.data, variables, execution.covered)
    if shaping_errors:
        errors = errors + shaping_errors
    return ExecutionResult(data, errors)


async def _execute(node: PlanNode, execution: _Execution) -> Errors:
    kind = type(node)
    if kind is Fetch:
        assert isinstance(node, Fetch)
        return await _guarded(_root_fetch(node, execution), node.subgraph, execution)
    if kind is Flatten:
        assert isinstance(node, Flatten)
        return await _guarded(_entity_fetch(node, execution), node.node.subgraph, execution)
    if kind is BatchFetch:
        assert isinstance(node, BatchFetch)
        return await _guarded(_batch_fetch(node, execution), node.subgraph, execution)
    if kind is Sequence:
        assert isinstance(node, Sequence)
        errors: Errors = []
        for child in node.nodes:
            errors.extend(await _execute(child, execution))
        return errors
    if kind is Parallel:
        assert isinstance(node, Parallel)
        results = await asyncio.gather(*[_execute(child, execution) for child in node.nodes])
        return [error for branch in results for error in branch]
    if kind is Condition:
        assert isinstance(node, Condition)
        chosen = node.if_clause if execution.variables.get(node.variable) is True else node.else_clause
        return [] if chosen is None else await _execute(chosen, execution)
    raise TypeError(f"not a plan node: {node!r}")  # a planner bug, not a runtime condition


async def _guarded(work: Any, subgraph: str, execution: _Execution) -> Errors:
    """Await one fetch's work; a bug in it costs that fetch's fields, not the request."""
    try:
        result: Errors = await work
        return result
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("executing a fetch to subgraph %r failed", subgraph)
        execution.covered.add(())
        return [
            {
                "message": f'executing the fetch to subgraph "{subgraph}" failed',
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "service": subgraph},
            }
        ]


async def _send(fetcher: Fetcher, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
    try:
        return await fetcher.fetch(subgraph, request)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # the protocol says fetchers do not raise; one that does must not take the request down
        logger.warning("fetcher raised for subgraph %r: %r", subgraph, exc)
        return SubgraphResponse(failure="the request failed")


def _used_variables(fetch: Fetch | BatchFetch, variables: Mapping[str, Any]) -> dict[str, Any]:
    return {name: variables[name] for name in fetch.variable_usages if name in variables}


@lru_cache(maxsize=1024)
def _root_keys(operation: str) -> tuple[ErrorPath, ...]:
    """The response keys a root fetch's operation asks for, as paths (what a failure of it leaves null)."""
    try:
        document = parse(operation, no_location=True)
    except Exception:
        return ((),)
    keys: list[ErrorPath] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    keys.append(((selection.alias or selection.name).value,))
                else:
                    return ((),)  # fragments at the root: cannot tell cheaply, cover everything
    return tuple(keys)


async def _root_fetch(fetch: Fetch, execution: _Execution) -> Errors:
    request = SubgraphRequest(fetch.operation, _used_variables(fetch, execution.variables), fetch.operation_name)
    response = await _send(execution.fetcher, fetch.subgraph, request)
    subgraph = fetch.subgraph
    covered = execution.covered
    if response.failure is not None:
        covered.update(_root_keys(fetch.operation))
        return [failure_error(subgraph, response.failure, response.failure_code)]
    data = response.data
    errors: Errors = []
    if data is not None and type(data) is not dict:
        covered.update(_root_keys(fetch.operation))
        return [invalid_response_error(subgraph, "data is not an object")]
    for error in response.errors:
        path = error_path(error)
        if path is not None and fetch.output_renames:
            path = rename_path(path, fetch.output_renames)
        if path is None:
            covered.update(_root_keys(fetch.operation))
        else:
            covered.add(tuple(path))
        errors.append(subgraph_error(error, subgraph, path))
    if data is None:
        covered.update(_root_keys(fetch.operation))
    else:
        if fetch.output_renames:
            rename_keys(data, fetch.output_renames)
        deep_merge(execution.data, data)
    return errors


async def _entity_fetch(flatten: Flatten, execution: _Execution) -> Errors:
    fetch = flatten.node
    subgraph = fetch.subgraph
    batch = collect_entities(
        execution.data, flatten.path, fetch.requires, fetch.input_rewrites, execution.abstract_types
    )
    count = len(batch.representations)
    if count == 0:
        return []
    variables = _used_variables(fetch, execution.variables)
    variables["representations"] = batch.representations
    response = await _send(
        execution.fetcher, subgraph, SubgraphRequest(fetch.operation, variables, fetch.operation_name)
    )
    covered = execution.covered
    if response.failure is not None:
        _cover_all(batch, covered)
        return [failure_error(subgraph, response.failure, response.failure_code)]
    data = response.data
    entities = data.get("_entities") if type(data) is dict else None
    if data is not None and (type(data) is not dict or (entities is not None and type(entities) is not list)):
        _cover_all(batch, covered)
        return [invalid_response_error(subgraph, "_entities is not a list")]
    if entities is not None and len(entities) != count:
        _cover_all(batch, covered)
        return [invalid_response_error(subgraph, f"{len(entities)} entities for {count} representations")]

    errors: Errors = []
    for error in response.errors:
        path = error_path(error)
        below = path[1:] if path is not None and path and path[0] == "_entities" else None
        _map_entity_error(error, below, flatten, batch, execution, errors)
    if entities is None:
        _cover_all(batch, covered)
        return errors
    _merge_entities(fetch, batch, entities, execution)
    return errors


async def _batch_fetch(node: BatchFetch, execution: _Execution) -> Errors:
    """Entity fetches to one subgraph as one request: ``_entities`` field ``k`` answers under ``_<k>`` for the
    parts that share it, merged and its errors mapped as one entity fetch over their paths would be."""
    subgraph = node.subgraph
    abstract = execution.abstract_types
    shared: list[list[Flatten]] = [[] for _ in node.representations]  # field → its parts
    for part, field_index in zip(node.parts, node.fields, strict=True):
        shared[field_index].append(part)
    batches = [
        collect_entities_at(
            execution.data,
            tuple(part.path for part in parts),
            parts[0].node.requires,
            parts[0].node.input_rewrites,
            abstract,
        )
        for parts in shared
    ]
    if not any(batch.representations for batch in batches):
        return []
    variables = _used_variables(node, execution.variables)
    for name, batch in zip(node.representations, batches, strict=True):
        variables[name] = batch.representations
    response = await _send(execution.fetcher, subgraph, SubgraphRequest(node.operation, variables))
    covered = execution.covered
    if response.failure is not None:
        for batch in batches:
            _cover_all(batch, covered)
        return [failure_error(subgraph, response.failure, response.failure_code)]
    data = response.data
    if data is not None and type(data) is not dict:
        for batch in batches:
            _cover_all(batch, covered)
        return [invalid_response_error(subgraph, "data is not an object")]
    errors: Errors = []
    answers: list[list[Any] | None] = []
    valid: list[bool] = []
    for index, batch in enumerate(batches):
        entities = data.get(f"_{index}") if data is not None else None
        count = len(batch.representations)
        if entities is not None and (type(entities) is not list or len(entities) != count):
            _cover_all(batch, covered)
            detail = (
                f"{len(entities)} entities for {count} representations"
                if type(entities) is list
                else "_entities is not a list"
            )
            errors.append(invalid_response_error(subgraph, detail))
            answers.append(None)
            valid.append(False)
        else:
            answers.append(entities)
            valid.append(True)
    for error in response.errors:
        path = error_path(error)
        named = _field_index(path, len(batches))
        if named is not None and path is not None:
            if valid[named]:
                _map_entity_error(error, path[1:], shared[named][0], batches[named], execution, errors)
            continue
        seen: set[tuple[str, ...]] = set()  # no field named: every part that asked explains it, once per path
        for part, field_index in zip(node.parts, node.fields, strict=True):
            batch = batches[field_index]
            fetch_path = path_before_lists(part.path)
            if valid[field_index] and batch.representations and fetch_path not in seen:
                seen.add(fetch_path)
                _map_entity_error(error, None, part, batch, execution, errors)
    for index, entities in enumerate(answers):
        if entities is not None:
            _merge_entities(shared[index][0].node, batches[index], entities, execution)
        elif valid[index]:
            _cover_all(batches[index], covered)
    return errors


def _field_index(path: list[str | int] | None, fields: int) -> int | None:
    """The ``_entities`` field an error path of a batched fetch names (its first key is ``_<k>``), or None."""
    if not path:
        return None
    key = path[0]
    if type(key) is not str or not key.startswith("_") or not key[1:].isdigit():
        return None
    index = int(key[1:])
    return index if index < fields else None


def _cover_all(batch: EntityBatch, covered: set[ErrorPath]) -> None:
    for targets in batch.targets:
        covered.update(where for _, where in targets)


def _map_entity_error(
    error: Mapping[str, Any],
    below: list[str | int] | None,
    flatten: Flatten,
    batch: EntityBatch,
    execution: _Execution,
    errors: Errors,
) -> None:
    """One subgraph error of an entity fetch as client errors: ``below`` is its path below ``_entities`` (the
    representation's index first); an error naming no representation stands at the fetch's path."""
    fetch = flatten.node
    covered = execution.covered
    if below is not None and len(below) >= 1 and type(below[0]) is int and 0 <= below[0] < len(batch.targets):
        rest = tuple(rename_path(below[1:], fetch.output_renames) if fetch.output_renames else below[1:])
        for _, where in batch.targets[below[0]]:
            client_path: ClientPath = (*where, *rest)
            covered.add(client_path)
            errors.append(subgraph_error(error, fetch.subgraph, client_path))
    else:
        _cover_all(batch, covered)
        errors.append(subgraph_error(error, fetch.subgraph, path_before_lists(flatten.path)))


def _merge_entities(fetch: Fetch, batch: EntityBatch, entities: list[Any], execution: _Execution) -> None:
    """Merge item ``i`` of ``entities`` into every object that produced representation ``i``."""
    rewrites = fetch.output_rewrites
    abstract = execution.abstract_types
    only = {key: frozenset(types) for key, types in fetch.output_types}
    for index, item in enumerate(entities):
        if type(item) is not dict:
            continue  # null: the subgraph could not resolve this entity (its error, if any, is above)
        if rewrites:
            rewrite_typenames(item, rewrites)
        if fetch.output_renames:
            rename_keys(item, fetch.output_renames)
        if item.get("__typename") in abstract:
            # an @interfaceObject answers with the interface's name; the object's concrete type stays
            item = {key: value for key, value in item.items() if key != "__typename"}
        if only:
            for obj in batch.objects[index]:
                typename = obj.get("__typename")
                deep_merge(obj, {k: v for k, v in item.items() if k not in only or typename in only[k]})
            continue
        for obj in batch.objects[index]:
            if obj.keys().isdisjoint(item):  # deep_merge's first step, without the call: only new fields
                obj.update(item)
            else:
                deep_merge(obj, item)
