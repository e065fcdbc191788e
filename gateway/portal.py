"""The agents' workbench (工作台) under ``/portal``: a single-page app the gateway serves as files.

The app is a client of ``/graphql`` like any frontend team's: it logs in through the embedded OIDC provider with
PKCE (client ``minyi-portal``, redirect ``/portal/callback``) and sends the access token as a Bearer credential.
Everything it loads comes from :data:`STATIC_DIR` — its own modules and the vendored libraries with their version
and licence beside them — so a browser needs no CDN and the user no build step.

- ``/portal/`` and ``/portal/callback``: the app's page (views are chosen by the URL fragment, so these two are the
  only page URLs; the callback is where the login returns with the authorization code).
- ``/portal/assets/…``: the files under :data:`STATIC_DIR`, revalidated by ETag.

Pages carry a Content-Security-Policy that allows only this origin (inline scripts only by their SHA-256, which
:func:`html_page` computes), ``Referrer-Policy: no-referrer`` (the callback URL holds a code) and no caching.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

__all__ = ["ASSETS_PATH", "STATIC_DIR", "html_page", "portal_routes"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSETS_PATH = "/portal/assets"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def _script_hashes(html: str) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
    )


@cache
def _read_page(name: str) -> tuple[str, str]:
    html = (STATIC_DIR / name).read_text(encoding="utf-8")
    return html, _script_hashes(html)


def html_page(name: str) -> Response:
    """The page ``STATIC_DIR/name`` with the headers every browser page of the gateway carries."""
    html, hashes = _read_page(name)
    policy = (
        "default-src 'self'; "
        f"script-src 'self' {hashes}; "
        # GraphiQL and CodeMirror set style attributes; nothing else is allowed inline
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": policy,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


class _Assets:
    """StaticFiles with ``Cache-Control: no-cache`` (revalidate by ETag: a new release is picked up at once)."""

    def __init__(self) -> None:
        self.files = StaticFiles(directory=STATIC_DIR)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"cache-control", b"no-cache"),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.files(scope, receive, send_with_headers)


def portal_routes() -> list[BaseRoute]:
    """The workbench's routes for the gateway's root."""

    async def page(request: Request) -> Response:
        return html_page("portal/index.html")

    async def to_slash(request: Request) -> Response:
        return RedirectResponse("/portal/", status_code=308)

    return [
        Route("/portal", to_slash, methods=["GET", "HEAD"]),
        Route("/portal/", page, methods=["GET", "HEAD"]),
        Route("/portal/callback", page, methods=["GET", "HEAD"]),
        Mount(ASSETS_PATH, app=_Assets()),
    ]
