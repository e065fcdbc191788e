"""The authorization-code + PKCE flow as a browser performs it, then refresh rotation, reuse detection, logout."""

from __future__ import annotations

import aiohttp
from joserfc import jwt
from joserfc.jwk import KeySet

from auth.principal import Principal, Role
from auth.provider import Provider
from tests.auth.conftest import LOGOUT_REDIRECT, exchange, log_in, refresh
from tests.support.servers import BackgroundServer


async def _jwks(browser: aiohttp.ClientSession, base: str) -> KeySet:
    async with browser.get(f"{base}/oauth/jwks") as response:
        return KeySet.import_key_set(await response.json())


async def test_code_flow_with_pkce_refresh_reuse_and_logout(
    served: tuple[BackgroundServer, Provider], browser: aiohttp.ClientSession
) -> None:
    server, _ = served
    base = server.url
    code, verifier = await log_in(browser, base)
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    keys = await _jwks(browser, base)

    access = jwt.decode(str(tokens["access_token"]), keys, algorithms=["RS256"])
    assert access.header["typ"] == "at+jwt" and access.header["kid"]
    claims = access.claims
    assert claims["iss"] == base and claims["aud"] == "minyi" and claims["sub"] == "dispatcher"
    assert claims["exp"] - claims["iat"] == 600 and claims["nbf"] == claims["iat"] and claims["jti"]
    assert claims["scope"] == "appeals:read openid profile" and claims["client_id"] == "minyi-portal"
    assert set(claims["scope"].split()) == set(str(tokens["scope"]).split())  # the scope granted, as answered
    principal = Principal.from_claims(claims)
    assert principal.roles == {Role.DISPATCHER} and principal.admin_codes == ("430100",)

    id_token = jwt.decode(str(tokens["id_token"]), keys, algorithms=["RS256"]).claims
    assert id_token["nonce"] == "n-456" and id_token["aud"] == "minyi-portal" and id_token["auth_time"]

    async with browser.get(
        f"{base}/oauth/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ) as info:
        assert info.status == 200
        assert (await info.json())["sub"] == "dispatcher"

    # The code is single use.
    status, error = await exchange(browser, base, code, verifier)
    assert status == 400 and error["error"] == "invalid_grant"

    # Refresh rotates: a new refresh token each time.
    first = str(tokens["refresh_token"])
    status, renewed = await refresh(browser, base, first)
    assert status == 200 and renewed["refresh_token"] != first and renewed["access_token"]
    second = str(renewed["refresh_token"])

    # Replaying the spent token is refused and revokes the whole family: the newest token dies too.
    status, error = await refresh(browser, base, first)
    assert status == 400 and error["error"] == "invalid_grant"
    status, error = await refresh(browser, base, second)
    assert status == 400 and error["error"] == "invalid_grant"

    # Single sign-on: a second authorization needs no login; logout revokes the session's refresh tokens.
    code, verifier = await log_in_again(browser, base)
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200
    async with browser.get(
        f"{base}/oauth/logout",
        params={
            "id_token_hint": str(tokens["id_token"]),
            "post_logout_redirect_uri": LOGOUT_REDIRECT,
            "state": "bye",
        },
        allow_redirects=False,
    ) as out:
        assert out.status == 302 and out.headers["Location"] == f"{LOGOUT_REDIRECT}?state=bye"
    status, error = await refresh(browser, base, str(tokens["refresh_token"]))
    assert status == 400 and error["error"] == "invalid_grant"


async def log_in_again(browser: aiohttp.ClientSession, base: str) -> tuple[str, str]:
    from tests.auth.conftest import authorize_url, pkce, query_of

    verifier, challenge = pkce()
    async with browser.get(authorize_url(base, challenge), allow_redirects=False) as answer:
        assert answer.status == 302, "already logged in: straight back with a code"
        return query_of(answer.headers["Location"])["code"], verifier
