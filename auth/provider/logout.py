"""Logout: OIDC RP-Initiated Logout 1.0 on authlib's :class:`~authlib.oidc.rpinitiated.EndSessionEndpoint`.

authlib checks the request: an ``id_token_hint`` must carry a valid signature of the provider's keys (an expired one
is fine, §2) and, when ``client_id`` is given too, name that client as its audience; a ``post_logout_redirect_uri``
is followed only when it exactly matches one registered for the client (§3) and the request carries a valid hint.
On top of that, :class:`EndSession` accepts only a hint that this issuer minted for a registered client (``iss``,
``aud``), and refuses — with an error page, leaving the login session open — a request whose
``post_logout_redirect_uri`` would not be followed (unregistered, another client's, or without a hint), so that a
crafted logout link achieves nothing.

Logout deletes the browser's login session (its cookie) and revokes every refresh-token family it issued; the
answer is the redirect, or a page saying the user is logged out.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Error, OAuth2Request
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from joserfc.jwk import KeySet
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from auth.provider.authorize import SESSION_COOKIE
from auth.provider.pages import error_page, message_page
from auth.provider.provider import Provider
from auth.provider.server import ReadRequest, StarletteServer, on_loop, read_request

__all__ = ["EndSession", "logout"]


class EndSession(EndSessionEndpoint):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def get_server_jwks(self) -> KeySet:
        ring = on_loop(self.provider.keys.ring)
        return ring.public_key_set()

    def get_algorithms(self) -> list[str]:
        return [self.provider.options.key_alg]

    def validate_request(self, request: OAuth2Request) -> EndSessionRequest:
        checked: EndSessionRequest = super().validate_request(request)
        claims = checked.id_token_claims
        if claims is not None and (claims.get("iss") != self.provider.issuer or checked.client is None):
            raise InvalidRequestError("id_token_hint is not an ID token this issuer made for a registered client")
        if request.payload.data.get("post_logout_redirect_uri") and checked.redirect_uri is None:
            raise InvalidRequestError(
                "post_logout_redirect_uri is followed only with a valid id_token_hint of a client that registered it"
            )
        return checked

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        sid = end_session_request.request.cookies.get(SESSION_COOKIE)
        if sid:
            on_loop(self.provider.sessions.end_session, sid)


async def logout(provider: Provider, server: StarletteServer, request: Request) -> Response:
    """Answer ``/oauth/logout`` (GET or POST) with ``server``'s ``end_session`` endpoint."""
    read = await read_request(request, provider.options.oauth_base, plain_http_ok=server.plain_http_ok)
    return await run_in_threadpool(_end, server, read)


def _end(server: StarletteServer, read: ReadRequest) -> Response:
    """In a worker thread: authlib validates the request, then ends the session and answers (None: no redirect)."""
    try:
        checked = server.validate_endpoint_request("end_session", read)
    except OAuth2Error as error:
        return error_page(error.error, _explained(error), status=400)
    redirect: Response | None = server.create_endpoint_response("end_session", checked)
    response = redirect if redirect is not None else message_page("已退出登录", "您已安全退出民意统一登录。")
    response.delete_cookie(SESSION_COOKIE, path="/oauth")
    return response


def _explained(error: OAuth2Error) -> str:
    description = str(error.description or "")
    if "post_logout_redirect_uri" in description:
        return "退出后的跳转地址未登记，或请求没有有效的 id_token_hint：已拒绝跳转，登录状态未改变。"
    return f"退出请求无效，登录状态未改变：{description}"
