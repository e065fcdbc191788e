"""The petition stand-in over real loopback HTTP: SOAP 1.1, WS-Security, paging, batch, workflow and limits."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import aiohttp
import pytest

from legacy.petition import workflow as wf
from legacy.petition.app import SERVICE_PATH, create_app
from legacy.petition.seed import seed_rows
from legacy.petition.store import SCHEMA, PetitionStore, milestones
from legacy.petition.wsdl import OPERATIONS
from legacy.standin import StandinOptions, open_database
from legacy.world import World, build_world
from resolvers.adapters.petition_soap import SERVICE_NS, SOAP_NS, WSSE_NS, password_digest, request_envelope
from tests.support.servers import BackgroundServer, serve_aiohttp

USER, PASSWORD = "minyi-service", "minyi-service-pass"
START = datetime(2026, 3, 2, 9, 0)
_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"


class Clock:
    """The stand-in's workflow clock, moved by the tests that cross statutory limits."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def standin(clock: Clock) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), clock=clock))
    yield server
    server.stop()


class Answer:
    def __init__(self, status: int, root: ET.Element) -> None:
        self.status = status
        self.root = root
        body = root.find(f"{{{SOAP_NS}}}Body")
        assert body is not None
        self.body = body

    @property
    def fault(self) -> tuple[str, str] | None:
        fault = self.body.find(f"{{{SOAP_NS}}}Fault")
        if fault is None:
            return None
        return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""

    def result(self, operation: str) -> tuple[int, str, ET.Element]:
        answer = self.body.find(f"{{{SERVICE_NS}}}{operation}Response")
        assert answer is not None, ET.tostring(self.root)
        opdetail = answer.find("OPDETAIL")
        assert opdetail is not None
        return int(answer.findtext("RETURN_CODE") or "-1"), answer.findtext("RETURN_MSG") or "", opdetail


async def post(
    url: str, body: bytes, *, action: str | None, content_type: str = "text/xml; charset=utf-8"
) -> tuple[int, bytes]:
    headers = {"Content-Type": content_type}
    if action is not None:
        headers["SOAPAction"] = action
    async with aiohttp.ClientSession() as session, session.post(url + SERVICE_PATH, data=body, headers=headers) as r:
        return r.status, await r.read()


async def call(
    url: str,
    operation: str,
    params: list[tuple[str, str]] | None = None,
    *,
    password: str = PASSWORD,
    username: str = USER,
    digest: bool = True,
    nonce: bytes | None = None,
    created: datetime | None = None,
) -> Answer:
    envelope = request_envelope(
        operation,
        params or [],
        username=username,
        password=password,
        digest=digest,
        nonce=nonce or secrets.token_bytes(16),
        created=created or datetime.now(UTC),
    )
    status, body = await post(url, envelope, action=f'"urn:minyi:xf#{operation}"')
    return Answer(status, ET.fromstring(body))


async def ok(url: str, operation: str, params: list[tuple[str, str]] | None = None) -> ET.Element:
    answer = await call(url, operation, params)
    code, message, detail = answer.result(operation)
    assert (answer.status, code) == (200, 0), message
    return detail


async def refused(url: str, operation: str, params: list[tuple[str, str]]) -> tuple[int, str]:
    answer = await call(url, operation, params)
    code, message, _ = answer.result(operation)
    assert answer.status == 200 and code != 0
    return code, message


def records(detail: ET.Element) -> list[dict[str, str]]:
    return [{child.tag: child.text or "" for child in xfj} for xfj in detail.findall("XFJ")]


async def all_records(url: str) -> list[dict[str, str]]:
    return records(await ok(url, "QueryXfjList", [("pageSize", "100")]))


# WSDL and seed ----------------------------------------------------------------------------------------------


async def test_wsdl_describes_every_operation(standin: BackgroundServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(standin.url + SERVICE_PATH + "?wsdl") as resp:
            assert resp.status == 200 and resp.content_type == "text/xml"
            wsdl = ET.fromstring(await resp.read())
        async with session.get(standin.url + SERVICE_PATH) as resp:
            assert resp.status == 404
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/"}
    operations = {op.get("name") for op in wsdl.iterfind("w:portType/w:operation", ns)}
    assert operations == set(OPERATIONS)
    address = wsdl.find("w:service/w:port/s:address", ns)
    assert address is not None and address.get("location") == standin.url + SERVICE_PATH


async def test_seed_covers_the_worlds_petitions_over_many_statuses(standin: BackgroundServer, world: World) -> None:
    filings = world.filings_for("petition")
    rows = await all_records(standin.url)
    assert len(rows) == len(filings) >= 60
    assert len({r["zt"] for r in rows}) >= 8
    accusing = [f for f in filings if f.matter.kind == "举报" or f.matter.accused]
    flagged = [r for r in rows if r["jbkg"] == "1"]
    assert len(flagged) == len(accusing) > 0
    assert all(r["xfmd"] == "检举控告类" for r in flagged)
    assert {r["zjhm"] for r in rows} == {f.person.id_number for f in filings}


def test_seeding_is_deterministic() -> None:
    world = build_world(1, people=400)
    conn, _ = open_database(None, SCHEMA)
    rows = seed_rows(world, 1, world.now)
    PetitionStore(conn).insert_many(rows)
    assert PetitionStore(conn).count() == len(rows)
    assert seed_rows(world, 1, world.now) == rows
    conn.close()


def test_seeded_records_obey_the_workflow() -> None:
    world = build_world(2, people=400)
    for row in seed_rows(world, 2, world.now):
        m = milestones(row)
        due = wf.deadline_for(m)
        assert row["xbjzsj"] == (wf.fmt(due) if due else "")
        steps = [m.djsj, m.zjsj, m.slsj, m.yjsj, m.fcsqsj, m.fcjdsj, m.fhsqsj, m.fhjdsj]
        taken = [s for s in steps if s is not None]
        assert taken == sorted(taken) and taken[-1] <= world.now
        if row["sfcq"] == "1":
            assert row["cqsm"]


# WS-Security --------------------------------------------------------------------------------------------------


def fault_code(answer: Answer) -> str:
    """The faultcode QName with its prefix resolved to a namespace."""
    assert answer.status == 500
    fault = answer.fault
    assert fault is not None
    prefix, _, local = fault[0].partition(":")
    return f"{{{WSSE_NS}}}{local}" if prefix == "wsse" else f"{{{SOAP_NS}}}{local}"


@pytest.mark.parametrize("digest", [True, False], ids=["PasswordDigest", "PasswordText"])
async def test_the_service_account_is_accepted(standin: BackgroundServer, digest: bool) -> None:
    answer = await call(standin.url, "QueryXfjList", [("pageSize", "1")], digest=digest)
    assert answer.status == 200 and answer.result("QueryXfjList")[0] == 0


@pytest.mark.parametrize(
    ("username", "password", "digest"),
    [(USER, "wrong", True), (USER, "wrong", False), ("someone", PASSWORD, True)],
    ids=["wrong-digest", "wrong-text", "unknown-user"],
)
async def test_wrong_credentials_are_refused(
    standin: BackgroundServer, username: str, password: str, digest: bool
) -> None:
    answer = await call(standin.url, "QueryXfjList", username=username, password=password, digest=digest)
    assert fault_code(answer) == f"{{{WSSE_NS}}}FailedAuthentication"


async def test_a_replayed_nonce_is_refused(standin: BackgroundServer) -> None:
    nonce, created = secrets.token_bytes(16), datetime.now(UTC)
    first = await call(standin.url, "QueryXfjList", nonce=nonce, created=created)
    assert first.status == 200
    replay = await call(standin.url, "QueryXfjList", nonce=nonce, created=created)
    assert fault_code(replay) == f"{{{WSSE_NS}}}FailedAuthentication"
    assert "replay" in (replay.fault or ("", ""))[1]


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)], ids=["stale", "future"])
async def test_created_must_be_fresh(standin: BackgroundServer, skew: timedelta) -> None:
    answer = await call(standin.url, "QueryXfjList", created=datetime.now(UTC) + skew)
    assert fault_code(answer) == f"{{{WSSE_NS}}}MessageExpired"


def envelope(header: str, body: str = "<xf:QueryXfjList/>") -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_NS}" xmlns:xf="{SERVICE_NS}" xmlns:wsse="{WSSE_NS}" '
        'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">'
        f"<soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def token(password: str, kind: str, extra: str = "") -> str:
    return (
        f"<wsse:Security><wsse:UsernameToken><wsse:Username>{USER}</wsse:Username>"
        f'<wsse:Password Type="{kind}">{password}</wsse:Password>{extra}</wsse:UsernameToken></wsse:Security>'
    )


async def test_security_header_problems_are_faults(standin: BackgroundServer) -> None:
    action = '"urn:minyi:xf#QueryXfjList"'
    digest_kind = _TEXT.replace("PasswordText", "PasswordDigest")
    cases = {
        "": "InvalidSecurity",  # no wsse:Security at all
        "<wsse:Security/>": "InvalidSecurity",  # no UsernameToken
        token(password_digest(b"n", "", PASSWORD), digest_kind): "InvalidSecurity",  # digest without nonce/created
        token(PASSWORD, _TEXT + "Plus"): "UnsupportedSecurityToken",
        token(PASSWORD, _TEXT, "<wsu:Created>yesterday</wsu:Created>"): "InvalidSecurity",
    }
    for header, expected in cases.items():
        status, body = await post(standin.url, envelope(header), action=action)
        assert fault_code(Answer(status, ET.fromstring(body))) == f"{{{WSSE_NS}}}{expected}", header
    # PasswordText without nonce or created is the plain legacy form, and is accepted.
    status, body = await post(standin.url, envelope(token(PASSWORD, _TEXT)), action=action)
    assert status == 200 and Answer(status, ET.fromstring(body)).result("QueryXfjList")[0] == 0


async def test_digest_is_sha1_of_nonce_created_password(standin: BackgroundServer) -> None:
    nonce = secrets.token_bytes(16)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = password_digest(nonce, created, PASSWORD)
    extra = f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{created}</wsu:Created>"
    kind = _TEXT.replace("PasswordText", "PasswordDigest")
    status, body = await post(standin.url, envelope(token(digest, kind, extra)), action='"QueryXfjList"')
    assert status == 200 and Answer(status, ET.fromstring(body)).result("QueryXfjList")[0] == 0


# Malformed requests -------------------------------------------------------------------------------------------


async def test_malformed_requests_answer_client_faults(standin: BackgroundServer) -> None:
    good = request_envelope(
        "QueryXfjList",
        [],
        username=USER,
        password=PASSWORD,
        digest=True,
        nonce=secrets.token_bytes(16),
        created=datetime.now(UTC),
    )
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    cases = [
        (b"this is not xml", '"QueryXfjList"'),
        (bomb, '"QueryXfjList"'),
        (good, '"GetXfjDetail"'),  # SOAPAction names another operation than the body
        (good, None),  # no SOAPAction
        (envelope(token(PASSWORD, _TEXT), "<xf:A/><xf:B/>"), '"A"'),  # two operations
    ]
    for body, action in cases:
        status, answer = await post(standin.url, body, action=action)
        assert fault_code(Answer(status, ET.fromstring(answer))) == f"{{{SOAP_NS}}}Client", body[:60]


async def test_unknown_operation_and_soap_version(standin: BackgroundServer) -> None:
    unknown = await call(standin.url, "DropXfj")
    assert fault_code(unknown) == f"{{{SOAP_NS}}}Client"
    soap12 = envelope(token(PASSWORD, _TEXT)).replace(SOAP_NS.encode(), b"http://www.w3.org/2003/05/soap-envelope")
    status, body = await post(standin.url, soap12, action='"QueryXfjList"')
    assert status == 500 and b"VersionMismatch" in body
    status, _ = await post(
        standin.url, envelope(token(PASSWORD, _TEXT)), action='"QueryXfjList"', content_type="application/json"
    )
    assert status == 415


# Reads --------------------------------------------------------------------------------------------------------


async def test_pages_are_disjoint_newest_first_and_bounded(standin: BackgroundServer) -> None:
    everything = await all_records(standin.url)
    seen: list[str] = []
    page_no = 1
    while True:
        detail = await ok(standin.url, "QueryXfjList", [("pageNo", str(page_no)), ("pageSize", "25")])
        assert detail.findtext("TOTAL") == str(len(everything))
        rows = records(detail)
        if not rows:
            break
        seen.extend(r["xfjbh"] for r in rows)
        page_no += 1
    assert seen == [r["xfjbh"] for r in everything]
    assert [r["djsj"] for r in everything] == sorted((r["djsj"] for r in everything), reverse=True)
    code, _ = await refused(standin.url, "QueryXfjList", [("pageSize", "101")])
    assert code == wf.BAD_PARAMETER
    code, _ = await refused(standin.url, "QueryXfjList", [("zt", "办理中")])
    assert code == wf.BAD_PARAMETER


async def test_filters_by_status_phone_id_number_and_text(standin: BackgroundServer) -> None:
    everything = await all_records(standin.url)
    sample = everything[3]
    wanted = f"{wf.ACCEPTED},{wf.EXTENDED}"
    by_status = records(await ok(standin.url, "QueryXfjList", [("zt", wanted), ("pageSize", "100")]))
    assert {r["xfjbh"] for r in by_status} == {r["xfjbh"] for r in everything if r["zt"] in wanted.split(",")}
    by_phone = records(await ok(standin.url, "QueryXfjList", [("lxdh", sample["lxdh"])]))
    assert sample["xfjbh"] in {r["xfjbh"] for r in by_phone} and {r["lxdh"] for r in by_phone} == {sample["lxdh"]}
    by_id = records(await ok(standin.url, "QueryXfjList", [("zjhm", sample["zjhm"].lower())]))
    assert {r["zjhm"] for r in by_id} == {sample["zjhm"]}
    word = sample["bt"][-4:]
    by_text = records(await ok(standin.url, "QueryXfjList", [("gjz", word), ("pageSize", "100")]))
    assert by_text and all(word in r["bt"] or word in r["fynr"] for r in by_text)
    assert records(await ok(standin.url, "QueryXfjList", [("gjz", "%")])) == []


async def test_detail_and_batch_reads(standin: BackgroundServer) -> None:
    numbers = [r["xfjbh"] for r in await all_records(standin.url)]
    detail = records(await ok(standin.url, "GetXfjDetail", [("xfjbh", numbers[0])]))
    assert [r["xfjbh"] for r in detail] == [numbers[0]]
    code, message = await refused(standin.url, "GetXfjDetail", [("xfjbh", "XF0000")])
    assert code == 2001 and "不存在" in message
    batch = records(await ok(standin.url, "GetXfjBatch", [("xfjbh", n) for n in [*numbers[:5], "XF0000", numbers[0]]]))
    assert sorted(r["xfjbh"] for r in batch) == sorted(numbers[:5])
    too_many = [("xfjbh", f"XF{i:06d}") for i in range(101)]
    code, _ = await refused(standin.url, "GetXfjBatch", too_many)
    assert code == 1007


# Workflow and statutory limits --------------------------------------------------------------------------------


def registration(id_number: str, title: str, **extra: str) -> list[tuple[str, str]]:
    fields = {
        "xfxs": "来信",
        "xm": "测试人",
        "xb": "女",
        "zjhm": id_number,
        "lxdh": "13900001111",
        "zz": "湖南省长沙市芙蓉区五里牌街道",
        "bt": title,
        "fynr": "小区旁工地夜间施工扰民，请依法处理。",
        "xfmd": "申诉求决类",
        **extra,
    }
    return list(fields.items())


async def register(url: str, id_number: str, title: str, **extra: str) -> dict[str, str]:
    return records(await ok(url, "RegisterXfj", registration(id_number, title, **extra)))[0]


async def test_full_procedure_to_termination(standin: BackgroundServer, clock: Clock) -> None:
    clock.now = START
    row = await register(standin.url, "430102199001010011", "全流程")
    number = row["xfjbh"]
    assert row["zt"] == wf.REGISTERED and row["xbjzsj"] == wf.fmt(START + timedelta(days=15))
    steps: list[tuple[str, list[tuple[str, str]], str]] = [
        ("RouteXfj", [("zjfs", "交办"), ("cbdw", "芙蓉区人民政府"), ("cbdwdm", "430102")], wf.ROUTED_ASSIGNED),
        ("AcceptXfj", [], wf.ACCEPTED),
        ("ExtendXfj", [("yqts", "30"), ("yqly", "需现场核查")], wf.EXTENDED),
        ("IssueOpinion", [("clyj", "支持"), ("yjnr", "责成施工单位整改")], wf.OPINION_ISSUED),
        ("RequestReview", [("sqlx", "复查")], wf.REVIEW_REQUESTED),
        ("DecideReview", [("fcyj", "维持")], wf.REVIEW_DECIDED),
        ("RequestReview", [("sqlx", "复核")], wf.RECHECK_REQUESTED),
        ("DecideReview", [("fcyj", "维持")], wf.RECHECK_DECIDED),
        ("CloseXfj", [], wf.TERMINATED),
    ]
    for operation, params, status in steps:
        clock.advance(5)
        row = records(await ok(standin.url, operation, [("xfjbh", number), *params]))[0]
        assert row["zt"] == status, operation
    assert row["sfcq"] == "0" and row["xbjzsj"] == "" and row["bjsj"] == wf.fmt(clock.now)
    accepted = datetime.strptime(row["slsj"], "%Y-%m-%d %H:%M:%S")
    assert accepted == START + timedelta(days=10)


async def test_transitions_out_of_order_are_refused(standin: BackgroundServer, clock: Clock) -> None:
    clock.now = START
    number = (await register(standin.url, "430102199001010022", "顺序"))["xfjbh"]
    for operation in ("AcceptXfj", "IssueOpinion", "RequestReview", "DecideReview", "CloseXfj"):
        code, message = await refused(standin.url, operation, [("xfjbh", number)])
        assert code == wf.BAD_STATE, (operation, message)
    code, _ = await refused(standin.url, "AcceptXfj", [("xfjbh", "XF0000")])
    assert code == 2001


async def test_extension_is_at_most_30_days_once_and_before_expiry(standin: BackgroundServer, clock: Clock) -> None:
    clock.now = START
    numbers = []
    for n in range(2):
        number = (await register(standin.url, f"43010219900101003{n}", "延期"))["xfjbh"]
        await ok(standin.url, "RouteXfj", [("xfjbh", number), ("zjfs", "转送"), ("cbdw", "市住房和城乡建设局")])
        await ok(standin.url, "AcceptXfj", [("xfjbh", number)])
        numbers.append(number)
    first, second = numbers
    code, _ = await refused(standin.url, "ExtendXfj", [("xfjbh", first), ("yqts", "31"), ("yqly", "复杂")])
    assert code == wf.BAD_PARAMETER
    await ok(standin.url, "ExtendXfj", [("xfjbh", first), ("yqts", "30"), ("yqly", "复杂")])
    code, _ = await refused(standin.url, "ExtendXfj", [("xfjbh", first), ("yqts", "5"), ("yqly", "复杂")])
    assert code == wf.ALREADY_EXTENDED
    clock.advance(61)  # the 60 日 of the second one have run out
    code, message = await refused(standin.url, "ExtendXfj", [("xfjbh", second), ("yqts", "10"), ("yqly", "复杂")])
    assert code == wf.PAST_LIMIT and "届满" in message


async def test_late_organ_steps_need_an_explanation_and_are_flagged(standin: BackgroundServer, clock: Clock) -> None:
    clock.now = START
    number = (await register(standin.url, "430102199001010044", "超期"))["xfjbh"]
    clock.advance(16)  # Art 22: 15 日 to route
    route = [("xfjbh", number), ("zjfs", "转送"), ("cbdw", "市生态环境局")]
    code, message = await refused(standin.url, "RouteXfj", route)
    assert code == wf.NEEDS_EXPLANATION and "15日" in message
    row = records(await ok(standin.url, "RouteXfj", [*route, ("cqsm", "地址不详")]))[0]
    assert (row["sfcq"], row["cqsm"]) == ("1", "地址不详")
    clock.advance(3)
    await ok(standin.url, "AcceptXfj", [("xfjbh", number)])
    clock.advance(61)  # Art 34: 60 日 to handle
    opinion = [("xfjbh", number), ("clyj", "解释说明"), ("yjnr", "政策解释")]
    code, _ = await refused(standin.url, "IssueOpinion", opinion)
    assert code == wf.NEEDS_EXPLANATION
    await ok(standin.url, "IssueOpinion", [*opinion, ("cqsm", "涉及多部门")])
    clock.advance(31)  # Art 35: 30 日 to ask for 复查
    code, message = await refused(standin.url, "RequestReview", [("xfjbh", number)])
    assert code == wf.PAST_LIMIT and "复查" in message


async def test_registration_rules(standin: BackgroundServer, clock: Clock) -> None:
    clock.now = START
    code, message = await refused(standin.url, "RegisterXfj", [("xm", "某人"), ("fynr", "内容")])
    assert code == wf.BAD_PARAMETER and "zz" in message
    first = await register(standin.url, "430102199001010055", "同一事项")
    code, message = await refused(standin.url, "RegisterXfj", registration("430102199001010055", "同一事项"))
    assert code == wf.ALREADY_HANDLED and first["xfjbh"] in message  # Art 19 ¶3
    accusation = await register(standin.url, "430102199001010066", "举报", xfmd="检举控告类", bjbr="某社区主任")
    assert (accusation["jbkg"], accusation["bjbr"]) == ("1", "某社区主任")
