"""Legacy writes of saga steps, through each system's own protocol and the credential broker.

:class:`LegacyWriters` turns a :class:`StepSpec` into an adapter call, acting as the user who asked (the broker
sends the acting user where each protocol has room for it) and carrying the step's request id. The hotline and
the grid keep request receipts, so a retried step is written once however often it is sent
(``deduplicates = True``). The board's signed forms have no room for a request id: before a board step is sent
again, :meth:`LegacyWriters.read_back` reads the thread and reports the step as applied when its answer is
already there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from auth.broker import acting_as
from resolvers.adapters.board import BoardClient
from resolvers.adapters.grid import GridClient, GridReport
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.links import RecordLink
from resolvers.dispatch.record import StepSpec
from resolvers.domain import UnitRef

__all__ = ["LegacyWriters", "StepWriter", "resolve_refs"]


class StepWriter(Protocol):
    def deduplicates(self, system: str) -> bool: ...

    async def apply(self, spec: StepSpec, request_id: str, actor: str) -> str: ...

    async def read_back(self, spec: StepSpec, actor: str) -> str | None: ...

    async def compensate(self, spec: StepSpec, result: str, request_id: str, actor: str) -> None: ...


def resolve_refs(value: Any, results: Mapping[int, str]) -> Any:
    """Replace every ``{"$step": i}`` in ``value`` with the record number step ``i`` produced."""
    if isinstance(value, dict):
        if set(value) == {"$step"}:
            return results[int(value["$step"])]
        return {k: resolve_refs(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, results) for v in value]
    return value


@dataclass(slots=True)
class LegacyWriters:
    hotline: HotlineClient
    grid: GridClient
    board: BoardClient

    def deduplicates(self, system: str) -> bool:
        return system in ("hotline", "grid")

    async def apply(self, spec: StepSpec, request_id: str, actor: str) -> str:
        """Send the step; returns the number of the record it produced or changed."""
        with acting_as(actor):
            if spec.system == "hotline":
                return await self._hotline(spec, request_id)
            if spec.system == "grid":
                return await self._grid(spec, request_id)
            if spec.system == "board" and spec.operation == "reply":
                body = spec.body
                await self.board.reply(int(spec.target), str(body["organization"]), str(body["content"]))
                return str(spec.target)
        raise ValueError(f"no writer for {spec.system} {spec.operation}")

    async def read_back(self, spec: StepSpec, actor: str) -> str | None:
        """The record number if the step's effect is already in its system (a board answer already published)."""
        if spec.system == "board" and spec.operation == "reply":
            with acting_as(actor):
                thread = await self.board.thread(int(spec.target))
            if (
                thread.answer_content == spec.body["content"]
                and thread.answer_organization == spec.body["organization"]
            ):
                return str(spec.target)
        return None

    async def compensate(self, spec: StepSpec, result: str, request_id: str, actor: str) -> None:
        if spec.compensation is None:
            return
        undo = StepSpec(spec.system, spec.compensation, result, spec.compensation_body, f"undo {spec.description}")
        await self.apply(undo, request_id, actor)

    async def _hotline(self, spec: StepSpec, request_id: str) -> str:
        if spec.operation == "register":
            return (await self.hotline.register(spec.body, request_id=request_id)).order_no
        action = spec.operation.removeprefix("act:")
        return (await self.hotline.act(str(spec.target), action, spec.body, request_id=request_id)).order_no

    async def _grid(self, spec: StepSpec, request_id: str) -> str:
        body = spec.body
        if spec.operation == "report":
            report = GridReport(
                source=str(body["eventSrc"]),
                description=str(body["description"]),
                major_code=str(body["mainType"]),
                minor_code=str(body["subType"]),
                cell_grid_code=str(body["cellGridCode"]),
                reporter_name=str(body.get("reporterName") or ""),
                reporter_phone=str(body.get("reporterPhone") or ""),
                reflect_type=str(body.get("reflect_type") or ""),
                address=str(body.get("address") or ""),
            )
            links = [
                RecordLink(str(lk["system"]), str(lk["number"]), str(lk["kind"]), None)
                for lk in body.get("links") or []
            ]
            return (await self.grid.report(report, links=links, request_id=request_id)).task_num
        task = str(spec.target)
        if spec.operation == "link":
            link = RecordLink(str(body["system"]), str(body["number"]), str(body["kind"]), None)
            return (await self.grid.link(task, link, request_id=request_id)).task_num
        if spec.operation == "tier":
            return (
                await self.grid.route_tier(task, str(body["tier"]), str(body.get("note") or ""), request_id=request_id)
            ).task_num
        action = spec.operation.removeprefix("act:")
        dept = body.get("executeDept")
        return (
            await self.grid.act(
                task,
                action,
                execute_dept=UnitRef(str(body.get("executeDeptCode") or ""), str(dept)) if dept else None,
                request_id=request_id,
            )
        ).task_num
