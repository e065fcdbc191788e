"""``minyi demo`` end to end: real processes, real ports, Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest

from legacy.world import World

pytestmark = pytest.mark.slow

# beside a demo a developer may be running on the default ports; several checkouts testing at once set their own
OFFSET = int(os.environ.get("MINYI_TEST_PORT_OFFSET", "700"))
LISTS = {
    "hotline": ("hotlineTickets", "HotlineTicket"),
    "petition": ("petitions", "Petition"),
    "board": ("boardMessages", "BoardMessage"),
    "grid": ("gridEvents", "GridEvent"),
    "suggestion": ("suggestions", "Suggestion"),
}
SUBGRAPH_PORTS = {"hotline": 4001, "petition": 4002, "board": 4003, "grid": 4004, "suggestion": 4006}
APPEALS_PORT = 4005
LEGACY_PORTS = (4101, 4102, 4103, 4104, 4105)
GATEWAY_PORT = 4000


def _get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
        return orjson.loads(resp.read())


def _post(port: int, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
    body = orjson.dumps({"query": query, "variables": variables or {}})
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as resp:
        return orjson.loads(resp.read())


def _demo_token(user: str, gateway_url: str) -> str:
    minted = subprocess.run(
        [sys.executable, "-m", "minyi.cli", "token", user, "--dev", "--gateway", gateway_url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    assert token.count(".") == 2
    return token


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


CITIZEN_RECORDS = """
query($phone: String!) {
  citizen(phone: $phone) { personKey hotlineTickets { id } petitions { id } boardMessages { id } gridEvents { id } }
}
"""


def test_demo_starts_everything_answers_and_stops_on_ctrl_c(tmp_path: Path, world: World) -> None:
    ports = [p + OFFSET for p in (GATEWAY_PORT, *SUBGRAPH_PORTS.values(), APPEALS_PORT, *LEGACY_PORTS)]
    assert not any(_listening(p) for p in ports), "demo test ports are taken"
    proc = subprocess.Popen(
        [sys.executable, "-m", "minyi.cli", "demo", "--data-dir", str(tmp_path), "--port-offset", str(OFFSET)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 180
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "person directory" in line:
                break
        output = "".join(lines)
        assert "Minyi demo is running" in output, output
        for port in (GATEWAY_PORT, *SUBGRAPH_PORTS.values(), APPEALS_PORT):
            assert f"http://127.0.0.1:{port + OFFSET}/graphql" in output
        gateway_url = f"http://127.0.0.1:{GATEWAY_PORT + OFFSET}"
        assert "minyi-demo-2026" in output and "dispatcher" in output  # the demo logins are printed
        assert f"minyi token dispatcher --dev --gateway {gateway_url}" in output
        assert f"{gateway_url}/oauth/authorize?" in output

        # tokens the way the demo tells a developer to get one: a login through the running gateway
        token = _demo_token("dispatcher", gateway_url)  # 派单员: the city queue, contacts masked
        discovery = _get(GATEWAY_PORT + OFFSET, "/.well-known/openid-configuration")
        assert discovery["issuer"] == gateway_url

        # the gateway process answers over the checked-in supergraph
        health = _get(GATEWAY_PORT + OFFSET, "/health")
        assert health["status"] == "ok" and len(health["schema"]) == 64
        assert _post(GATEWAY_PORT + OFFSET, "{ __typename }") == {"data": {"__typename": "Query"}}
        # one request through the gateway: a citizen's records from all four systems — the demo citizen's own
        # (person history is the citizen's own, a supervisor's or the petition desk's; DOMAIN.md §8)
        phone = world.persons[1].phone  # 杜玲, the demo citizen
        records = _post(GATEWAY_PORT + OFFSET, CITIZEN_RECORDS, {"phone": phone}, _demo_token("citizen", gateway_url))
        assert "errors" not in records, records
        citizen = records["data"]["citizen"]
        for system, (list_field, _) in list(LISTS.items())[:4]:
            assert citizen[list_field], f"no {list_field} for the citizen through the gateway: {records}"
            assert all(item["id"].startswith(f"{system}:") for item in citizen[list_field])

        # the cross-system subgraph: one search over every system, each item's fields from its own subgraph
        merged = _post(
            GATEWAY_PORT + OFFSET,
            "{ appeals(first: 30) { nodes { __typename id status } pageInfo { hasNextPage } } }",
            token=token,
        )
        assert "errors" not in merged, merged
        nodes = merged["data"]["appeals"]["nodes"]
        assert len(nodes) == 30 and all(n["status"] for n in nodes)
        assert {n["id"].split(":")[0] for n in nodes} >= {"hotline", "board", "grid"}
        assert all(n["__typename"] == LISTS[n["id"].split(":")[0]][1] for n in nodes)

        for name, (list_field, typename) in LISTS.items():
            port = SUBGRAPH_PORTS[name] + OFFSET
            sdl = _post(port, "{ _service { sdl } }")["data"]["_service"]["sdl"]
            assert f"type {typename}" in sdl and "@key" in sdl
            with pytest.raises(urllib.error.HTTPError) as refused:  # only the gateway may call a subgraph
                _post(port, f"{{ {list_field}(first: 3) {{ nodes {{ id }} }} }}")
            assert refused.value.code == 401
            assert orjson.loads(refused.value.read())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            # a 派单员 sees only a 信访件's existence, status and unit (DOMAIN.md §8): no title for petitions
            fields = "status" if name == "petition" else "title status"
            listed = _post(
                GATEWAY_PORT + OFFSET,
                f"{{ {list_field}(first: 3) {{ nodes {{ id {fields} }} }} }}",
                token=token,
            )
            assert "errors" not in listed, listed
            ids = [item["id"] for item in listed["data"][list_field]["nodes"]]
            assert len(ids) == 3 and all(i.startswith(f"{name}:") for i in ids)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        finally:
            if proc.stdout is not None:
                proc.stdout.close()
    assert proc.returncode == 0
    deadline = time.monotonic() + 10
    while any(_listening(p) for p in ports) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_listening(p) for p in ports), "a demo process outlived Ctrl-C"


def test_cli_help_explains_and_unknown_systems_are_refused() -> None:
    helped = subprocess.run([sys.executable, "-m", "minyi.cli", "--help"], capture_output=True, text=True, check=True)
    for command in ("legacy", "subgraph", "demo"):
        assert command in helped.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "minyi.cli", "legacy", "fax"], capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0
    assert "unknown system 'fax'" in refused.stdout + refused.stderr
