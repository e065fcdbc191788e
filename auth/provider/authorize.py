"""The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2) with the login page.

The request is validated by authlib (:class:`auth.provider.grants.CodeGrant`, which also issues the code).
Order matters for safety: the client and its ``redirect_uri`` (exact match) are checked first and a failure there is
an error page, never a redirect (no open redirect). Only then are other errors sent back to the client's
registered URI with ``error`` and ``state``. PKCE is required, ``S256`` only (RFC 7636 §4.2; ``plain`` refused).
The login form carries a CSRF token bound to the pre-login session cookie; a POST without the matching token is
refused (login CSRF). A successful login ends the browser's previous login (:meth:`SessionStore.log_in`). The 6th failed password for an account in the window, or too many from one client IP (behind trusted proxies: from ``X-Forwarded-For``, auth/proxies.py), is refused
with RATE_LIMITED before the password is checked.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import InsecureTransportError, InvalidClientError, OAuth2Error
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.errors import RateLimited
from auth.provider.grants import CodeGrant, LoggedIn, TokenServer
from auth.provider.pages import error_page, login_page
from auth.provider.provider import Provider
from auth.provider.server import read_request
from auth.sessions import LoginSession
from auth.users import burn_password_check, verify_password

__all__ = ["SESSION_COOKIE", "authorize_get", "authorize_post"]

SESSION_COOKIE = "minyi_sid"


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(
        f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302, headers={"Cache-Control": "no-store"}
    )


async def _validate(server: TokenServer, request: Request) -> CodeGrant | Response:
    """authlib's validation of the authorization request. An error it cannot send back to a registered URI of the
    client is a page, never a redirect; the others go back to the client with ``error`` and ``state``."""
    read = await read_request(request, server.provider.options.oauth_base, plain_http_ok=server.plain_http_ok)
    try:
        grant: CodeGrant = await run_in_threadpool(server.get_consent_grant, read)
    except InsecureTransportError:
        return error_page("insecure_transport", "登录服务须经 HTTPS 访问（本机地址除外）。")
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):
            response: Response = server.handle_response(*error())
            return response
        if isinstance(error, InvalidClientError) or server.provider.clients.get(read.query.get("client_id")) is None:
            return error_page("invalid_client", "未知的客户端。")
        return error_page("invalid_request", "回调地址未登记，已拒绝跳转。")
    return grant


async def _grant(server: TokenServer, grant: CodeGrant, session: LoginSession) -> Response:
    assert session.username is not None and session.auth_time is not None
    user = LoggedIn(session.username, session.sid, session.auth_time)
    response: Response = await run_in_threadpool(server.create_authorization_response, grant.request, user, grant)
    return response


def _set_cookie(provider: Provider, response: Response, session: LoginSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.sid,
        max_age=provider.options.session_ttl_s,
        path="/oauth",
        httponly=True,
        secure=provider.options.cookie_secure,
        samesite="lax",
    )


def _action(request: Request) -> str:
    return f"{request.url.path}?{request.url.query}"


async def authorize_get(provider: Provider, server: TokenServer, request: Request) -> Response:
    checked = await _validate(server, request)
    if isinstance(checked, Response):
        return checked
    prompt = checked.request.payload.data.get("prompt") or ""
    session = await provider.sessions.get_session(request.cookies.get(SESSION_COOKIE))
    if session is not None and session.username is not None and prompt != "login":
        user = await provider.users.get_user(session.username)
        if user is not None and not user.disabled:
            return await _grant(server, checked, session)  # single sign-on: already logged in, no consent step
    if prompt == "none":
        return _redirect(checked.redirect_uri, {"error": "login_required", "state": checked.request.payload.state})
    if session is None or session.username is not None:
        session = await provider.sessions.new_session(replacing=session)  # its login ends when this one succeeds
    response = login_page(_action(request), session.csrf)
    _set_cookie(provider, response, session)
    return response


async def authorize_post(provider: Provider, server: TokenServer, request: Request) -> Response:
    checked = await _validate(server, request)
    if isinstance(checked, Response):
        return checked
    form = await request.form()
    session = await provider.sessions.get_session(request.cookies.get(SESSION_COOKIE))
    sent = str(form.get("csrf_token") or "")
    if session is None or not sent or not secrets.compare_digest(sent, session.csrf):
        return error_page("invalid_request", "登录请求已失效或来源不明，请返回重新登录。", status=403, code="CSRF")
    username = str(form.get("username") or "").strip().lower()
    password = str(form.get("password") or "")
    ip = provider.proxies.client_ip(
        request.client.host if request.client else None, request.headers.getlist("x-forwarded-for")
    )
    try:
        attempt = await provider.limiter.reserve(username, ip)  # before the password: guesses in parallel count
    except RateLimited:
        return error_page("rate_limited", "登录失败次数过多，请稍后再试。", status=429, code=RateLimited.code)
    user = await provider.users.get_user(username)
    if user is None or user.disabled:
        await run_in_threadpool(burn_password_check, password)
        ok = False
    else:
        ok = await run_in_threadpool(verify_password, password, user.password_hash)
    if not ok or user is None:
        # a wrong password keeps its reserved attempt counted until the window ends
        return login_page(_action(request), session.csrf, username=username, error="用户名或密码错误。", status=401)
    await provider.limiter.succeeded(attempt)
    session = await provider.sessions.log_in(session, user.username)
    response = await _grant(server, checked, session)
    _set_cookie(provider, response, session)
    return response
