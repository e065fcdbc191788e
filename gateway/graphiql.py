"""GraphiQL for browsers at ``GET /graphql``.

A browser that navigates to ``/graphql`` (``GET``, ``Accept`` naming ``text/html``, no ``query`` parameter) gets
GraphiQL instead of a GraphQL-over-HTTP error; every other request goes to the endpoint unchanged. The page and its
libraries are served by the gateway (no CDN): React, ReactDOM and GraphiQL are vendored under
``static/vendor``. GraphiQL signs in with the workbench's login (the same PKCE session, shared by every tab of the
origin), shows the schema's descriptions through introspection, and opens with example operations for the main
tasks (``static/graphiql/examples``).

It is on in dev mode and configurable in production (``MINYI_GATEWAY_GRAPHIQL``); see
:class:`gateway.settings.GatewaySettings`.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.portal import html_page

__all__ = ["GraphiQL", "wants_graphiql"]


def wants_graphiql(scope: Scope) -> bool:
    """A browser's navigation to ``/graphql``: a GET that accepts HTML and carries no ``query``."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    accept = b",".join(value for name, value in scope["headers"] if name == b"accept")
    if b"text/html" not in accept:
        return False
    return "query" not in parse_qs(scope["query_string"].decode("latin-1"))


class GraphiQL:
    """ASGI middleware in front of the ``/graphql`` endpoint that answers browsers' navigations with GraphiQL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if wants_graphiql(scope):
            await html_page("graphiql/index.html")(scope, receive, send)
            return
        await self.app(scope, receive, send)
