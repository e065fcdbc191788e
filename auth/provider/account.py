"""UserInfo (OIDC Core §5.3) and logout (OIDC RP-Initiated Logout 1.0): logout deletes the login session and
revokes every refresh-token family it issued; it redirects only to a ``post_logout_redirect_uri`` registered for
the client (exact match), otherwise it shows a page."""

from __future__ import annotations

from urllib.parse import urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from auth.errors import Unauthenticated
from auth.provider.authorize import SESSION_COOKIE
from auth.provider.pages import error_page, message_page
from auth.provider.provider import Provider

__all__ = ["logout_endpoint", "userinfo_endpoint"]


async def userinfo_endpoint(provider: Provider, request: Request) -> Response:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"', "Cache-Control": "no-store"}
    if scheme.lower() != "bearer" or not token.strip():
        return JSONResponse({"error": "invalid_token"}, status_code=401, headers=challenge)
    try:
        claims = await provider.read_access_token(token.strip())
    except Unauthenticated:
        return JSONResponse({"error": "invalid_token"}, status_code=401, headers=challenge)
    user = await provider.users.get_user(str(claims.get("sub", "")))
    if user is None or user.disabled:
        return JSONResponse({"error": "invalid_token"}, status_code=401, headers=challenge)
    body: dict[str, object] = {"sub": user.username, "name": user.name, "roles": [r.value for r in user.roles]}
    if user.unit:
        body["unit"] = user.unit
    body["jurisdiction"] = {"admin_codes": list(user.admin_codes), "grid_codes": list(user.grid_codes)}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def logout_endpoint(provider: Provider, request: Request) -> Response:
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
    target = params.get("post_logout_redirect_uri")
    client_id = params.get("client_id") or _hinted_client(provider, params.get("id_token_hint"))
    if target is not None:
        client = provider.clients.get(client_id)
        if client is None or target not in client.post_logout_redirect_uris:
            return error_page("invalid_request", "退出后的跳转地址未登记，已拒绝跳转。")
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        await provider.sessions.end_session(sid)
    response: Response
    if target is not None:
        state = params.get("state")
        query = urlencode({"state": state}) if state else ""
        location = f"{target}{('&' if '?' in target else '?') + query if query else ''}"
        response = RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})
    else:
        response = message_page("已退出登录", "您已安全退出民意统一登录。")
    response.delete_cookie(SESSION_COOKIE, path="/oauth")
    return response


def _hinted_client(provider: Provider, hint: str | None) -> str | None:
    """The ``aud`` of an ID token hint this provider signed (expired hints are fine, OIDC RP-Initiated §2)."""
    if not hint:
        return None
    try:
        ring = provider.keys._ring  # the last loaded ring is enough for a hint
        if ring is None:
            return None
        decoded = jwt.decode(hint, ring.public_key_set(), algorithms=[provider.options.key_alg])
    except (JoseError, ValueError):
        return None
    aud = decoded.claims.get("aud")
    return aud if isinstance(aud, str) else None
