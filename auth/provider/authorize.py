"""The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2) with the login page.

Order matters for safety: the client and its ``redirect_uri`` (exact match) are checked first and a failure there is
an error page, never a redirect (no open redirect). Only then are other errors sent back to the client's
registered URI with ``error`` and ``state``. PKCE is required, ``S256`` only (RFC 7636 §4.2; ``plain`` refused).
The login form carries a CSRF token bound to the pre-login session cookie; a POST without the matching token is
refused (login CSRF). A successful login ends the browser's previous login (:meth:`SessionStore.log_in`). The 6th failed password for an account in the window, or too many from one client IP (behind trusted proxies: from ``X-Forwarded-For``, auth/proxies.py), is refused
with RATE_LIMITED before the password is checked.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.clients import Client
from auth.errors import RateLimited
from auth.provider.pages import error_page, login_page
from auth.provider.provider import Provider
from auth.sessions import AuthorizationCode, LoginSession
from auth.users import burn_password_check, verify_password

__all__ = ["SESSION_COOKIE", "authorize_get", "authorize_post"]

SESSION_COOKIE = "minyi_sid"
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url(SHA-256) without padding


@dataclass(frozen=True, slots=True)
class _Request:
    client: Client
    redirect_uri: str
    scope: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str
    prompt: str


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(
        f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302, headers={"Cache-Control": "no-store"}
    )


def _validate(provider: Provider, request: Request) -> _Request | Response:
    q = request.query_params
    client = provider.clients.get(q.get("client_id"))
    if client is None:
        return error_page("invalid_client", "未知的客户端。")
    redirect_uri = q.get("redirect_uri")
    if not client.allows_redirect(redirect_uri):
        return error_page("invalid_request", "回调地址未登记，已拒绝跳转。")
    assert redirect_uri is not None
    state = q.get("state")

    def refuse(error: str, description: str) -> RedirectResponse:
        return _redirect(redirect_uri, {"error": error, "error_description": description, "state": state})

    if q.get("response_type") != "code":
        return refuse("unsupported_response_type", "only response_type=code is supported")
    if "authorization_code" not in client.grant_types:
        return refuse("unauthorized_client", "this client may not use the authorization code grant")
    challenge = q.get("code_challenge")
    if not challenge:
        return refuse("invalid_request", "code_challenge is required (PKCE)")
    if q.get("code_challenge_method") != "S256":
        return refuse("invalid_request", "code_challenge_method must be S256")
    if not _CHALLENGE.match(challenge):
        return refuse("invalid_request", "code_challenge is not a base64url SHA-256 value")
    requested = (q.get("scope") or "openid").split()
    scope = client.allowed_scopes(requested)
    if set(requested) - set(scope):
        return refuse("invalid_scope", "a requested scope is not allowed for this client")
    return _Request(client, redirect_uri, scope, state, q.get("nonce"), challenge, q.get("prompt") or "")


async def _grant(provider: Provider, req: _Request, session: LoginSession) -> RedirectResponse:
    assert session.username is not None and session.auth_time is not None
    code = await provider.sessions.issue_code(
        AuthorizationCode(
            client_id=req.client.client_id,
            redirect_uri=req.redirect_uri,
            scope=" ".join(req.scope),
            code_challenge=req.code_challenge,
            username=session.username,
            sid=session.sid,
            auth_time=session.auth_time,
            nonce=req.nonce,
        )
    )
    return _redirect(req.redirect_uri, {"code": code, "state": req.state, "iss": provider.issuer})


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


async def authorize_get(provider: Provider, request: Request) -> Response:
    checked = _validate(provider, request)
    if isinstance(checked, Response):
        return checked
    session = await provider.sessions.get_session(request.cookies.get(SESSION_COOKIE))
    if session is not None and session.username is not None and checked.prompt != "login":
        user = await provider.users.get_user(session.username)
        if user is not None and not user.disabled:
            return await _grant(provider, checked, session)  # single sign-on: already logged in, no consent step
    if checked.prompt == "none":
        return _redirect(checked.redirect_uri, {"error": "login_required", "state": checked.state})
    if session is None or session.username is not None:
        session = await provider.sessions.new_session(replacing=session)  # its login ends when this one succeeds
    response = login_page(_action(request), session.csrf)
    _set_cookie(provider, response, session)
    return response


async def authorize_post(provider: Provider, request: Request) -> Response:
    checked = _validate(provider, request)
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
    response = await _grant(provider, checked, session)
    _set_cookie(provider, response, session)
    return response
