"""The write mutations and ``dispatch(id:)``: one vocabulary for every system, applied through the outbox.

Every mutation takes ``input: VerbNounInput!`` with an ``idempotencyKey`` (or the ``Idempotency-Key`` header) and
answers ``VerbNounPayload!`` at once: the dispatch (APPLIED, PENDING or FAILED, with its steps), the appeal it
wrote (its fields come from the system of record), and ``userErrors`` for input the user can fix — refused before
anything is written. Permission refusals and outages are top-level errors (``FORBIDDEN``,
``OUTSIDE_JURISDICTION``, ``OUTBOX_UNAVAILABLE``, ``LEGACY_UNAVAILABLE``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.dispatch import DispatchRecord, DispatchService, IdempotencyConflict, InputRefused, PermissionRefused
from resolvers.dispatch.errors import OutboxUnavailable
from resolvers.domain import SourceSystem
from subgraphs.appeals import dispatch_inputs as inputs
from subgraphs.appeals.dispatch_types import Dispatch, UserError, dispatch_for, dispatch_of
from subgraphs.appeals.types import APPEAL_TYPES, Appeal

__all__ = ["PAYLOADS", "DispatchMutation", "DispatchQuery"]

WAIT_S = 2.0  # how long a mutation waits for its dispatch to be applied before it answers PENDING
_SYSTEMS = {s.value.lower(): s for s in SourceSystem}


def _appeal(appeal_id: str | None) -> Appeal | None:
    if not appeal_id:
        return None
    system = _SYSTEMS.get(appeal_id.partition(":")[0]) or {"board": SourceSystem.MSGBOARD}.get(
        appeal_id.partition(":")[0]
    )
    cls = APPEAL_TYPES.get(system) if system is not None else None
    return None if cls is None else cls(id=strawberry.ID(appeal_id))


@strawberry.interface(description="What every write mutation answers.")
class DispatchPayload:
    dispatch: Dispatch | None = strawberry.field(
        description="The accepted write and how far it is applied; null when the input was refused."
    )
    appeal: Appeal | None = strawberry.field(
        description="The appeal written, as its system of record has it now (the one registered, for a registration)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="What is wrong with the input; empty when it was accepted. Nothing is written when not empty."
    )


def _payload(name: str, mutation: str) -> type[DispatchPayload]:
    cls = type(name, (DispatchPayload,), {"__module__": __name__, "__doc__": None})
    return strawberry.type(cls, description=f"What `{mutation}` answers.")


def _mutation_name(input_cls: type) -> str:
    name = input_cls.__name__.removesuffix("Input")
    return name[0].lower() + name[1:]


PAYLOADS: dict[type, type[DispatchPayload]] = {
    cls: _payload(cls.__name__.removesuffix("Input") + "Payload", _mutation_name(cls)) for cls in inputs.INPUTS
}


def _service(info: Info) -> DispatchService:
    service = getattr(info.context, "dispatch", None)
    if service is None:
        raise OutboxUnavailable("writes are not available: this deployment has no outbox (Redis)")
    return service  # type: ignore[no-any-return]


def _key(info: Info, given: str | None) -> str:
    return (given or getattr(info.context, "idempotency_key", None) or "").strip()


async def _submit(info: Info, data: Any, payload: type[DispatchPayload]) -> DispatchPayload:
    service = _service(info)
    try:
        submitted = await service.submit(
            info.context.principal, data.command(), _key(info, data.idempotency_key), wait_s=WAIT_S
        )
    except PermissionRefused:
        raise
    except (InputRefused, IdempotencyConflict) as refused:
        field = _field_path(refused.field)
        error = UserError(code=refused.code, field=field, message=refused.message)
        return payload(dispatch=None, appeal=None, user_errors=[error])
    record: DispatchRecord = submitted.record
    if record.appeal:
        info.context.touched_appeals.add(record.appeal)  # indexed again once written (duplicate detection)
    return payload(dispatch=dispatch_of(record), appeal=_appeal(record.appeal), user_errors=[])


def _field_path(field: str | None) -> list[str] | None:
    if field is None:
        return None
    name = "appealId" if field == "id" else field
    return ["input", re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)]


def _field(input_cls: type, description: str) -> Any:
    payload = PAYLOADS[input_cls]

    async def resolve(info: Info, input: Any) -> Any:
        return await _submit(info, input, payload)

    described = Annotated[input_cls, strawberry.argument(description="What to write, with its idempotency key.")]  # type: ignore[valid-type]
    resolve.__annotations__ = {"info": Info, "input": described, "return": payload}
    return strawberry.mutation(resolver=resolve, name=_mutation_name(input_cls), description=description)


@strawberry.type(
    name="Mutation", description="Writes: each goes to the appeal's system of record exactly once, through the outbox."
)
class DispatchMutation:
    register_appeal = _field(inputs.RegisterAppealInput, "登记: register a new appeal in the 12345 hotline.")
    dispatch_appeal = _field(inputs.DispatchAppealInput, "派单: dispatch to a lead unit and co-units (主办会办).")
    sign_appeal = _field(inputs.SignAppealInput, "签收: the caller's unit signs for the appeal.")
    return_appeal = _field(inputs.ReturnAppealInput, "退单: the caller's unit returns the appeal, with a reason.")
    decide_appeal_return = _field(inputs.DecideAppealReturnInput, "退单审核: approve or reject a return.")
    request_appeal_extension = _field(
        inputs.RequestAppealExtensionInput, "延期申请: ask for more working days, with a reason."
    )
    approve_appeal_extension = _field(inputs.ApproveAppealExtensionInput, "延期审批: grant or refuse an extension.")
    reply_appeal = _field(
        inputs.ReplyAppealInput, "答复: co-units reply to the lead; the lead's consolidated reply is the answer."
    )
    review_appeal_reply = _field(inputs.ReviewAppealReplyInput, "中心审核 of the consolidated reply.")
    record_appeal_callback = _field(inputs.RecordAppealCallbackInput, "回访: record the callback's result.")
    close_appeal = _field(inputs.CloseAppealInput, "办结: close with a closure level (三级办结).")
    supervise_appeal = _field(inputs.SuperviseAppealInput, "督办: a supervisor's instruction.")
    urge_appeal = _field(inputs.UrgeAppealInput, "催办: remind the units.")
    link_duplicate_appeals = _field(
        inputs.LinkDuplicateAppealsInput, "Link duplicates (重复件) or overlaps (重合件); never a delete."
    )
    route_appeal_to_grid = _field(
        inputs.RouteAppealToGridInput, "网格直办: create a grid event for a hotline appeal, linked both ways."
    )
    route_grid_event_tier = _field(
        inputs.RouteGridEventTierInput, "Move a grid event up: 网格直办 → 镇街主办 → 部门联办."
    )
    rate_appeal = _field(inputs.RateAppealInput, "评价: the citizen rates the answer to their own appeal, once.")


async def _dispatch(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The dispatch id a write mutation answered.")],
) -> Dispatch | None:
    if getattr(info.context, "dispatch", None) is None:
        _service(info)  # a deployment without an outbox says so
    return await dispatch_for(info, str(id) if str(id).startswith("dispatch:") else f"dispatch:{id}")


@strawberry.type
class DispatchQuery:
    dispatch: Dispatch | None = strawberry.field(
        resolver=_dispatch,
        description="An accepted write by its id, with its steps: poll it until it is APPLIED or FAILED. Only the "
        "user who made the write sees it; null otherwise.",
    )
