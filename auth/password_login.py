"""A login through a running gateway's embedded provider, as a browser does it: authorization code with PKCE S256
for the portal client, the login form with its CSRF token, then the code exchange. ``minyi token --gateway`` uses
it so that the token comes from the gateway's own key ring and login session (``sid``), whatever store — Redis or
the gateway's in-process fallback — holds them. Errors are :class:`LoginFailed` with a message that names no
password or token."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp

from auth.clients import PORTAL_CLIENT_ID
from auth.errors import AuthError

__all__ = ["LoginFailed", "log_in_through"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class LoginFailed(AuthError):
    """The login through the gateway did not produce tokens."""


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def log_in_through(
    gateway_url: str,
    username: str,
    password: str,
    *,
    redirect_uri: str,
    scope: str = "openid appeals:read",
    client_id: str = PORTAL_CLIENT_ID,
    timeout_s: float = 10.0,
) -> dict[str, Any]:
    """The token response (``access_token``, ``refresh_token``, ``id_token``…) of a login as ``username``."""
    base = gateway_url.rstrip("/")
    verifier, challenge = _pkce()
    state = secrets.token_urlsafe(16)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    url = f"{base}/oauth/authorize?{query}"
    jar = aiohttp.CookieJar(unsafe=True)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as browser:
            async with browser.get(url, allow_redirects=False) as page:
                html = await page.text()
                if page.status != 200:
                    raise LoginFailed(f"the login page answered HTTP {page.status} (is the embedded provider on?)")
            found = _CSRF.search(html)
            if found is None:
                raise LoginFailed("the login page has no login form")
            form = {"username": username, "password": password, "csrf_token": unescape(found.group(1))}
            async with browser.post(url, data=form, allow_redirects=False) as answer:
                if answer.status != 302:
                    raise LoginFailed(f"the login was refused (HTTP {answer.status}): wrong user name or password?")
                location = answer.headers.get("Location", "")
            params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            if params.get("state") != state or "code" not in params:
                raise LoginFailed(f"the login did not return a code ({params.get('error', 'no error given')})")
            exchange = {
                "grant_type": "authorization_code",
                "code": params["code"],
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "code_verifier": verifier,
            }
            async with browser.post(f"{base}/oauth/token", data=exchange) as response:
                body = await response.json(content_type=None)
                if response.status != 200 or not isinstance(body, dict) or "access_token" not in body:
                    error = body.get("error") if isinstance(body, dict) else None
                    raise LoginFailed(f"the code exchange failed (HTTP {response.status}, {error or 'no error'})")
                return body
    except (aiohttp.ClientError, TimeoutError) as error:
        raise LoginFailed(f"the gateway at {base} could not be reached ({type(error).__name__})") from None
