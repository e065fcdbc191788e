"""Legacy writes of saga steps, through each system's own protocol and the credential broker.

:class:`LegacyWriters` turns a :class:`StepSpec` into an adapter call, acting as the user who asked (the broker
sends the acting user where each protocol has room for it) and carrying the step's request id. The hotline, the
grid and the suggestion system keep request receipts, so a retried step is written once however often it is sent
(``deduplicates = True``). The board's signed forms and the petition system's SOAP operations have no room for a
request id: before such a step is sent, :meth:`LegacyWriters.read_back` reads the record and reports the step as
applied when its effect is already there (a board answer already published, a petition already in the state the
operation leads to, a petition of the same person with the same title and content already registered).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from auth.broker import acting_as
from resolvers.adapters.board import BoardClient
from resolvers.adapters.grid import GridClient, GridReport
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.links import RecordLink
from resolvers.adapters.petition import NewPetition, PetitionClient, PetitionCriteria, PetitionRecord
from resolvers.adapters.suggestion import SuggestionClient
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


# what a petition looks like once each operation has been applied to it
_PETITION_DONE: dict[str, Callable[[PetitionRecord, Mapping[str, Any]], bool]] = {
    "RouteXfj": lambda r, body: r.lead_unit is not None and r.lead_unit.code == body["cbdwdm"],
    "AcceptXfj": lambda r, body: r.accepted_at is not None and r.source_status not in ("不予受理", "已导入法定程序"),
    "RejectXfj": lambda r, body: r.source_status in ("不予受理", "已导入法定程序"),
    "ExtendXfj": lambda r, body: r.extension_days > 0,
    "IssueOpinion": lambda r, body: r.opinion_at is not None,
    "CloseXfj": lambda r, body: r.closed_at is not None,
    "EvaluateXfj": lambda r, body: r.evaluated_at is not None,
}
_PETITION_OPEN_LIMIT = 50  # the newest petitions of one person looked through when reading a registration back


@dataclass(slots=True)
class LegacyWriters:
    hotline: HotlineClient
    grid: GridClient
    board: BoardClient
    petition: PetitionClient | None = None
    suggestion: SuggestionClient | None = None

    def deduplicates(self, system: str) -> bool:
        return system in ("hotline", "grid", "suggestion")

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
            if spec.system == "petition" and self.petition is not None:
                return (await self._petition(self.petition, spec)).petition_no
            if spec.system == "suggestion" and self.suggestion is not None:
                if spec.operation == "register":
                    fields = {k: str(v) for k, v in spec.body.items()}
                    return (await self.suggestion.submit(fields, request_id=request_id)).number
                done = await self.suggestion.act(str(spec.target), spec.operation, spec.body, request_id=request_id)
                return done.number
        raise ValueError(f"no writer for {spec.system} {spec.operation}")

    async def read_back(self, spec: StepSpec, actor: str) -> str | None:
        """The record number if the step's effect is already in its system (a board answer already published, a
        petition already moved or registered)."""
        if spec.system == "petition" and self.petition is not None:
            with acting_as(actor):
                return await self._petition_read_back(self.petition, spec)
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

    async def _petition(self, client: PetitionClient, spec: StepSpec) -> PetitionRecord:
        body, no, late = spec.body, str(spec.target), str(spec.body.get("cqsm") or "")
        op = spec.operation
        if op == "register":
            return await client.register(NewPetition(**{k: v for k, v in body.items() if v != ""}))
        if op == "RouteXfj":
            unit = UnitRef(str(body["cbdwdm"]), str(body["cbdw"]))
            return await client.route(no, assign=body.get("zjfs") == "交办", unit=unit, late_note=late)
        if op == "AcceptXfj":
            return await client.accept(no, late_note=late)
        if op == "RejectXfj":
            return await client.reject(no, reason=str(body["bslyy"]), late_note=late)
        if op == "ExtendXfj":
            return await client.extend(no, days=int(body["yqts"]), reason=str(body["yqly"]))
        if op == "IssueOpinion":
            return await client.issue_opinion(no, outcome=str(body["clyj"]), text=str(body["yjnr"]), late_note=late)
        if op == "CloseXfj":
            return await client.close(no)
        if op == "EvaluateXfj":
            return await client.evaluate(no, score=int(body["pjfs"]), comment=str(body.get("pjyj") or ""))
        raise ValueError(f"no petition writer for {op}")

    async def _petition_read_back(self, client: PetitionClient, spec: StepSpec) -> str | None:
        body = spec.body
        if spec.operation == "register":
            criteria = PetitionCriteria(
                phone=str(body.get("phone") or ""), id_number=str(body.get("id_number") or ""), text=str(body["title"])
            )
            if not criteria.phone and not criteria.id_number:
                return None
            page = await client.search(criteria, offset=0, limit=_PETITION_OPEN_LIMIT)
            same = [
                r
                for r in page.records
                if r.title == body["title"] and r.content == body["content"] and r.closed_at is None
            ]
            return same[0].petition_no if same else None
        done = _PETITION_DONE.get(spec.operation)
        record = await client.get(str(spec.target))
        return record.petition_no if record is not None and done is not None and done(record, body) else None
