"""XfService: the operations of the 信访 web service, behind SOAP and WS-Security.

One HTTP handler reads the envelope (:mod:`legacy.petition.soap`), checks the UsernameToken
(:mod:`legacy.petition.wssecurity`) and runs the operation the SOAPAction names. Outcomes:

- success: HTTP 200, ``RETURN_CODE`` 0, records in ``OPDETAIL``;
- business refusal (bad parameter, wrong state, a statutory limit, not found): HTTP 200, ``RETURN_CODE`` ≠ 0 and
  ``RETURN_MSG`` (1001 parameter, 1002 state, 1003 limit passed, 1004 超期说明 needed, 1005 same matter already
  being handled, 1006 already extended, 1007 batch too large, 1008 already evaluated, 2001 信访件不存在);
- malformed request or refused security header: HTTP 500 with a SOAP 1.1 Fault (``soap:Client``,
  ``soap:VersionMismatch`` or a ``wsse:`` code); an unexpected failure: HTTP 500 ``soap:Server``.

Reads: QueryXfjList (paged: ``pageNo`` from 1, ``pageSize`` ≤100; filters ``zt`` — comma-separated statuses —,
``zjhm``, ``lxdh``, ``gjz`` text, ``xfmd``), GetXfjDetail, GetXfjBatch (≤100 ``xfjbh``; unknown numbers are
simply absent). Writes: RegisterXfj, RouteXfj, AcceptXfj, RejectXfj, ExtendXfj, IssueOpinion, RequestReview,
DecideReview, CloseXfj, and EvaluateXfj — the petitioner's online evaluation (Art 21: ``pjfs`` 1-5 and
``pjyj``), once, after the opinion (see :mod:`legacy.petition.workflow`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from aiohttp import web

from legacy.petition import workflow as wf
from legacy.petition.soap import (
    SoapFault,
    SoapRequest,
    fault_envelope,
    parse_request,
    response_envelope,
    text_element,
    xfj_element,
)
from legacy.petition.store import COLUMNS, PetitionStore, Query, Row, milestones
from legacy.petition.wssecurity import NonceCache, SecurityFault, verify_username_token
from legacy.standin import record_acting_user

__all__ = ["BATCH_LIMIT", "NOT_FOUND", "PAGE_LIMIT", "XfService"]

log = logging.getLogger("minyi.legacy.petition")

PAGE_LIMIT = 100
BATCH_LIMIT = 100
NOT_FOUND = 2001
BATCH_TOO_LARGE = 1007
FORMS = ("来信", "来访", "网上", "来电", "传真")  # Art 17 channels
PURPOSES = ("建议意见类", "检举控告类", "申诉求决类")
TERMINAL = (wf.CLOSED, wf.TERMINATED, wf.NOT_ACCEPTED, wf.REDIRECTED)

Outcome = tuple[int, str, list[Element]]

_XML = "text/xml; charset=utf-8"


def _ok(details: list[Element]) -> Outcome:
    return 0, "成功", details


def _int(text: str, name: str, default: int) -> int:
    if not text:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise wf.WorkflowError(wf.BAD_PARAMETER, f"{name} 须为整数") from exc


class XfService:
    """The operations over one store; ``clock`` gives the system's local time (naive, like its dates)."""

    def __init__(
        self,
        store: PetitionStore,
        *,
        accounts: dict[str, str],
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._store = store
        self._accounts = dict(accounts)
        self._clock = clock
        self._nonces = NonceCache()
        self._operations: dict[str, Callable[[SoapRequest], Outcome]] = {
            "QueryXfjList": self.query_list,
            "GetXfjDetail": self.get_detail,
            "GetXfjBatch": self.get_batch,
            "RegisterXfj": self.register,
            "RouteXfj": self._step(
                lambda m, r, now: wf.route(
                    m,
                    now,
                    mode=r.param("zjfs"),
                    unit=r.param("cbdw"),
                    unit_code=r.param("cbdwdm"),
                    late_note=r.param("cqsm"),
                )
            ),
            "AcceptXfj": self._step(lambda m, r, now: wf.accept(m, now, late_note=r.param("cqsm"))),
            "RejectXfj": self._step(
                lambda m, r, now: wf.reject(
                    m, now, reason=r.param("bslyy"), to_procedure=r.param("drcx") == "1", late_note=r.param("cqsm")
                )
            ),
            "ExtendXfj": self._step(
                lambda m, r, now: wf.extend(m, now, days=_int(r.param("yqts"), "yqts", 0), reason=r.param("yqly"))
            ),
            "IssueOpinion": self._step(
                lambda m, r, now: wf.issue_opinion(
                    m, now, outcome=r.param("clyj"), text=r.param("yjnr"), late_note=r.param("cqsm")
                )
            ),
            "RequestReview": self._step(lambda m, r, now: wf.request_review(m, now, kind=r.param("sqlx", "复查"))),
            "DecideReview": self._step(
                lambda m, r, now: wf.decide_review(m, now, text=r.param("fcyj"), late_note=r.param("cqsm"))
            ),
            "CloseXfj": self._step(lambda m, r, now: wf.close(m, now)),
            "EvaluateXfj": self._step(
                lambda m, r, now: wf.evaluate(
                    m,
                    now,
                    score=_int(r.param("pjfs"), "pjfs", 0),
                    comment=r.param("pjyj"),
                    evaluated=bool(self._row(r.param("xfjbh"))["pjsj"]),
                )
            ),
        }

    async def handle(self, request: web.Request) -> web.Response:
        """POST /services/XfService."""
        if request.content_type != "text/xml":
            return web.Response(status=415, text="SOAP 1.1 requests must be sent as text/xml")
        body = await request.read()
        try:
            soap = parse_request(body, request.headers.get("SOAPAction"))
            verify_username_token(soap.security, accounts=self._accounts, nonces=self._nonces, now=datetime.now(UTC))
            record_acting_user(request.app, soap.acting_user)  # counted once the caller is authenticated
            operation = self._operations.get(soap.operation)
            if operation is None:
                raise SoapFault("soap:Client", f"unknown operation {soap.operation!r}")
            try:
                code, message, details = operation(soap)
            except wf.WorkflowError as refusal:
                code, message, details = refusal.code, refusal.message, []
        except SoapFault as fault:
            return self._fault(fault.faultcode, fault.message)
        except SecurityFault as fault:
            return self._fault(f"wsse:{fault.faultcode}", fault.message)
        except Exception:  # any internal failure answers soap:Server, as the real service does
            log.exception("XfService failed")
            return self._fault("soap:Server", "internal error")
        return web.Response(
            body=response_envelope(soap.operation, code, message, details), content_type="text/xml", charset="utf-8"
        )

    @staticmethod
    def _fault(code: str, message: str) -> web.Response:
        return web.Response(status=500, body=fault_envelope(code, message), headers={"Content-Type": _XML})

    # Reads ---------------------------------------------------------------------------------------------------

    def query_list(self, request: SoapRequest) -> Outcome:
        page_no = _int(request.param("pageNo"), "pageNo", 1)
        page_size = _int(request.param("pageSize"), "pageSize", 20)
        if page_no < 1 or not 1 <= page_size <= PAGE_LIMIT:
            raise wf.WorkflowError(wf.BAD_PARAMETER, f"pageNo 从1开始，pageSize 须在1至{PAGE_LIMIT}之间")
        statuses = tuple(s.strip() for s in request.param("zt").split(",") if s.strip())
        unknown = [s for s in statuses if s not in wf.ALL_STATUSES]
        if unknown:
            raise wf.WorkflowError(wf.BAD_PARAMETER, f"未知状态 zt: {','.join(unknown)}")
        query = Query(
            statuses=statuses,
            id_number=request.param("zjhm").upper(),
            phone=request.param("lxdh"),
            text=request.param("gjz"),
            purpose=request.param("xfmd"),
        )
        total, rows = self._store.query(query, page_no, page_size)
        details = [
            text_element("TOTAL", str(total)),
            text_element("PAGENO", str(page_no)),
            text_element("PAGESIZE", str(page_size)),
        ]
        return _ok(details + [xfj_element(r, COLUMNS) for r in rows])

    def get_detail(self, request: SoapRequest) -> Outcome:
        row = self._row(request.param("xfjbh"))
        return _ok([xfj_element(row, COLUMNS)])

    def get_batch(self, request: SoapRequest) -> Outcome:
        numbers = list(dict.fromkeys(request.params("xfjbh")))
        if not numbers:
            raise wf.WorkflowError(wf.BAD_PARAMETER, "缺少信访件编号 xfjbh")
        if len(numbers) > BATCH_LIMIT:
            raise wf.WorkflowError(BATCH_TOO_LARGE, f"批量查询最多{BATCH_LIMIT}件，本次{len(numbers)}件")
        return _ok([xfj_element(r, COLUMNS) for r in self._store.get_many(numbers)])

    def _row(self, number: str) -> Row:
        if not number:
            raise wf.WorkflowError(wf.BAD_PARAMETER, "缺少信访件编号 xfjbh")
        row = self._store.get(number)
        if row is None:
            raise wf.WorkflowError(NOT_FOUND, f"信访件不存在: {number}")
        return row

    # Writes --------------------------------------------------------------------------------------------------

    def register(self, request: SoapRequest) -> Outcome:
        """登记 (Art 19: 姓名、住址、请求、事实、理由; the same matter already in hand is not registered again)."""
        p = request.param
        missing = [name for name in ("xm", "zz", "fynr") if not p(name)]
        if not p("zjhm") and not p("lxdh"):
            missing.append("zjhm|lxdh")
        if missing:
            raise wf.WorkflowError(wf.BAD_PARAMETER, f"缺少必填项: {', '.join(missing)}")
        form, purpose = p("xfxs", "网上"), p("xfmd", "申诉求决类")
        if form not in FORMS:
            raise wf.WorkflowError(wf.BAD_PARAMETER, f"信访形式 xfxs 须为{'/'.join(FORMS)}之一")
        if purpose not in PURPOSES:
            raise wf.WorkflowError(wf.BAD_PARAMETER, f"信访目的 xfmd 须为{'/'.join(PURPOSES)}之一")
        title = p("bt") or p("fynr")[:20]
        existing = self._store.open_matter(p("zjhm").upper(), title, TERMINAL)
        if existing is not None:
            raise wf.WorkflowError(
                wf.ALREADY_HANDLED, f"同一事项已受理或正在办理({existing['xfjbh']}，{existing['zt']})，不再重复登记"
            )
        now = self._clock().replace(microsecond=0)
        number = self._store.next_number(now)
        while self._store.get(number) is not None:
            number = number[:-5] + f"{int(number[-5:]) + 1:05d}"
        group = p("qtbs") == "1"
        row: Row = {
            "xfjbh": number,
            "xfrq": p("xfrq") or f"{now:%Y-%m-%d}",
            "djsj": wf.fmt(now),
            "xfxs": form,
            "xm": p("xm"),
            "xb": p("xb"),
            "zjhm": p("zjhm").upper(),
            "lxdh": p("lxdh"),
            "zz": p("zz"),
            "wtsddm": p("wtsddm"),
            "wtsdmc": p("wtsdmc"),
            "bt": title,
            "fynr": p("fynr"),
            "nrfl": p("nrfl"),
            "xfmd": purpose,
            "jjcd": p("jjcd", "一般"),
            "djr": p("djr"),
            "sjrs": str(_int(p("sjrs"), "sjrs", 1)),
            "qtbs": "1" if group else "0",
            "lmbs": "0",
            "jjfbs": "0",
            "ybfbs": "0",
            "cfbs": "0",
            "jbkg": "1" if purpose == "检举控告类" else "0",
            "bjbr": p("bjbr") if purpose == "检举控告类" else "",
            "cxm": f"{secrets.randbelow(1_000_000):06d}",
            "zt": wf.REGISTERED,
            "yqts": "0",
            "sfcq": "0",
        }
        due = wf.deadline_for(milestones(row))
        row["xbjzsj"] = wf.fmt(due) if due else ""
        self._store.insert(row)
        return _ok([xfj_element(self._row(number), COLUMNS)])

    def _step(
        self, action: Callable[[wf.Milestones, SoapRequest, datetime], dict[str, str | int]]
    ) -> Callable[[SoapRequest], Outcome]:
        """A workflow operation on the petition ``xfjbh``: apply, then recompute its 限办截止时间."""

        def run(request: SoapRequest) -> Outcome:
            row = self._row(request.param("xfjbh"))
            now = self._clock().replace(microsecond=0)
            changes = action(milestones(row), request, now)
            updated = {**row, **{k: str(v) for k, v in changes.items()}}
            due = wf.deadline_for(milestones(updated))
            changes["xbjzsj"] = wf.fmt(due) if due else ""
            return _ok([xfj_element(self._store.update(row["xfjbh"], changes), COLUMNS)])

        return run
