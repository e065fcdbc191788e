"""The web application firewall in front of the board: form values that look like an attack are blocked.

A blocked request gets what the real WAF sends: HTTP 403 and an HTML page, not the board's JSON envelope.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


__all__ = ["BLOCK_PAGE", "waf"]

_SUSPICIOUS = re.compile(r"<\s*script|javascript:|\bunion\s+select\b|'\s*or\s*'1'\s*=\s*'1|\.\./", re.IGNORECASE)

BLOCK_PAGE = (
    "<html><head><title>403 Forbidden</title></head>"
    "<body><h1>访问被拦截</h1><p>您的请求包含非法参数，已被网站应用防火墙拦截。</p></body></html>"
)


@web.middleware
async def waf(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/v1/") and request.method == "POST":
        form = await request.post()  # parsed once; aiohttp caches it for the handler
        if any(isinstance(value, str) and _SUSPICIOUS.search(value) for value in form.values()):
            return web.Response(status=403, text=BLOCK_PAGE, content_type="text/html")
    return await handler(request)
