"""The workbench under /portal and GraphiQL at GET /graphql, as a browser fetches them: every file a page loads is
served by the gateway itself, with the page's security headers, and GraphiQL answers only browsers' navigations."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from auth.provider import Provider
from auth.settings import AuthSettings
from auth.store import MemoryStore
from gateway.app import create_app
from gateway.portal import STATIC_DIR
from gateway.settings import GatewayOptions, GatewaySettings
from schema.supergraph import load_supergraph
from tests.support.servers import BackgroundServer, free_port, serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VENDOR = STATIC_DIR / "vendor"


def _gateway(graphiql: bool) -> BackgroundServer:
    port = free_port()

    def make() -> object:
        provider = Provider(AuthSettings(issuer=f"http://127.0.0.1:{port}").options(), kv=MemoryStore())
        return create_app(load_supergraph(SUPERGRAPH.read_text()), GatewayOptions(graphiql=graphiql), provider=provider)

    return serve_asgi(make, port)


@pytest.fixture(scope="module")
def gateway() -> Iterator[BackgroundServer]:
    server = _gateway(graphiql=True)
    yield server
    server.stop()


async def _get(url: str, accept: str = BROWSER_ACCEPT) -> tuple[int, dict[str, str], bytes]:
    async with aiohttp.ClientSession() as session, session.get(url, headers={"accept": accept}) as resp:
        return resp.status, dict(resp.headers), await resp.read()


def _loaded_by(html: str) -> list[str]:
    """Every URL a page makes the browser load: scripts, stylesheets and icons, and the import map's targets."""
    urls = re.findall(r'<(?:script|img)\b[^>]*\bsrc="([^"]+)"', html) + re.findall(
        r'<link\b[^>]*\bhref="([^"]+)"', html
    )
    for block in re.findall(r'<script type="importmap">(.*?)</script>', html, re.DOTALL):
        urls += orjson.loads(block)["imports"].values()
    return [u for u in urls if not u.startswith(("data:", "#"))]


def _module_imports(path: Path) -> list[str]:
    return re.findall(r'^\s*(?:import|export)\b[^"\n]*?from\s+"([^"]+)"', path.read_text(), re.MULTILINE)


@pytest.mark.parametrize("page", ["/portal/", "/portal/callback"])
async def test_the_workbench_page_loads_only_files_the_gateway_serves(gateway: BackgroundServer, page: str) -> None:
    status, headers, body = await _get(gateway.url + page)
    html = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh-CN">' in html and "民意工作台" in html
    urls = _loaded_by(html)
    assert urls and all(u.startswith("/portal/assets/") for u in urls), urls  # no CDN, no other origin
    for url in urls:
        status, _, _ = await _get(gateway.url + url, accept="*/*")
        assert status == 200, url


async def test_the_pages_policy_allows_this_origin_and_the_import_map_by_its_hash(gateway: BackgroundServer) -> None:
    _, headers, body = await _get(gateway.url + "/portal/")
    policy = headers["Content-Security-Policy"]
    importmap = re.search(r'<script type="importmap">(.*?)</script>', body.decode(), re.DOTALL)
    assert importmap is not None
    digest = base64.b64encode(hashlib.sha256(importmap.group(1).encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy and "http" not in policy
    assert headers["Referrer-Policy"] == "no-referrer"  # the callback URL carries the authorization code
    assert headers["Cache-Control"] == "no-store"


async def test_every_module_the_workbench_imports_is_served(gateway: BackgroundServer) -> None:
    _, _, body = await _get(gateway.url + "/portal/")
    bare = {"preact", "preact/hooks", "htm"}
    importmap = re.search(r'<script type="importmap">(.*?)</script>', body.decode(), re.DOTALL)
    assert importmap is not None and set(orjson.loads(importmap.group(1))["imports"]) == bare
    modules = [*STATIC_DIR.glob("portal/**/*.js"), *STATIC_DIR.glob("graphiql/*.js")]
    assert len(modules) >= 8
    for module in modules:
        for target in _module_imports(module):
            if target in bare:
                continue
            resolved = (
                STATIC_DIR / target.removeprefix("/portal/assets/")
                if target.startswith("/")
                else (module.parent / target).resolve()
            )
            assert resolved.is_file(), f"{module.name} imports {target}"
            status, headers, _ = await _get(
                f"{gateway.url}/portal/assets/{resolved.relative_to(STATIC_DIR)}", accept="*/*"
            )
            assert status == 200 and headers["Content-Type"].startswith("text/javascript"), target


def test_every_vendored_library_keeps_its_version_and_licence_beside_it() -> None:
    folders = sorted(p for p in VENDOR.iterdir() if p.is_dir())
    assert [p.name for p in folders] == [
        "graphiql-3.8.3",
        "htm-3.1.1",
        "preact-10.29.6",
        "react-18.3.1",
        "react-dom-18.3.1",
    ]
    listing = (VENDOR / "README.md").read_text()
    for folder in folders:
        name, _, version = folder.name.rpartition("-")
        assert (folder / "LICENSE").read_text().strip(), folder
        assert f"| {name} | {version} |" in listing, folder.name


async def test_a_browser_navigating_to_graphql_gets_graphiql(gateway: BackgroundServer) -> None:
    status, headers, body = await _get(gateway.url + "/graphql")
    html = body.decode()
    assert status == 200 and "民意 GraphiQL" in html
    urls = _loaded_by(html)
    assert any("graphiql-3.8.3/graphiql.min.js" in u for u in urls)
    assert all(u.startswith("/portal/assets/") for u in urls), urls
    assert "script-src 'self'" in headers["Content-Security-Policy"]


async def test_graphql_clients_are_not_given_graphiql(gateway: BackgroundServer) -> None:
    status, _, body = await _get(gateway.url + "/graphql?query=%7B__typename%7D", accept=BROWSER_ACCEPT)
    assert status == 400 and b"CSRF" in body  # a query from a browser is a GraphQL request (and needs preflight)
    status, _, body = await _get(gateway.url + "/graphql", accept="application/json")
    assert status == 400 and orjson.loads(body)["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            gateway.url + "/graphql",
            data=orjson.dumps({"query": "{ __typename }"}),
            headers={"content-type": "application/json", "accept": BROWSER_ACCEPT},
        ) as resp,
    ):
        assert orjson.loads(await resp.read()) == {"data": {"__typename": "Query"}}


async def test_graphiql_is_off_unless_configured() -> None:
    server = _gateway(graphiql=False)
    try:
        status, _, body = await _get(server.url + "/graphql")
        assert status == 400 and b"GraphiQL" not in body
    finally:
        server.stop()


def test_graphiql_follows_dev_mode_unless_set() -> None:
    assert GatewaySettings(dev=True).options().graphiql is True
    assert GatewaySettings().options().graphiql is False
    assert GatewaySettings(graphiql=True).options().graphiql is True
    assert GatewaySettings(dev=True, graphiql=False).options().graphiql is False
