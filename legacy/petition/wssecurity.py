"""WS-Security UsernameToken checks (OASIS Web Services Security UsernameToken Profile 1.0).

Every request carries ``soap:Header/wsse:Security/wsse:UsernameToken`` with ``wsse:Username`` and
``wsse:Password``, the latter either ``#PasswordText`` (the password itself) or ``#PasswordDigest``::

    PasswordDigest = Base64( SHA-1( nonce + created + password ) )

where ``nonce`` is the raw bytes of the Base64 ``wsse:Nonce`` and ``created`` the text of ``wsu:Created``. Nonce and
Created are required with a digest and checked whenever present: Created must be within ±5 minutes of the server's
clock (profile §3.1 recommends a freshness limit) and a nonce is accepted once within that window (replay).

Failures raise :class:`SecurityFault` with the WS-Security 1.0 §12 fault codes, in the ``wsse`` namespace:
``wsse:InvalidSecurity`` (no or malformed header), ``wsse:UnsupportedSecurityToken`` (unknown password type),
``wsse:FailedAuthentication`` (unknown user, wrong password, replayed nonce), ``wsse:MessageExpired`` (stale or
future Created).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element

__all__ = [
    "PASSWORD_DIGEST",
    "PASSWORD_TEXT",
    "WSSE_NS",
    "WSU_NS",
    "NonceCache",
    "SecurityFault",
    "password_digest",
    "verify_username_token",
]

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = _PROFILE + "#PasswordText"
PASSWORD_DIGEST = _PROFILE + "#PasswordDigest"

FRESHNESS = timedelta(minutes=5)


class SecurityFault(Exception):
    """A refused security header; ``faultcode`` is the local part of a ``wsse:`` fault QName."""

    def __init__(self, faultcode: str, message: str) -> None:
        super().__init__(message)
        self.faultcode = faultcode
        self.message = message


class NonceCache:
    """Nonces seen within the freshness window; older ones are forgotten as they can no longer be replayed."""

    def __init__(self, window: timedelta = FRESHNESS) -> None:
        self._window = window
        self._seen: dict[str, datetime] = {}

    def use(self, nonce: str, now: datetime) -> bool:
        """Record ``nonce``; ``False`` if it was already used within the window."""
        if len(self._seen) > 1024:
            horizon = now - 2 * self._window
            self._seen = {n: t for n, t in self._seen.items() if t > horizon}
        seen = self._seen.get(nonce)
        if seen is not None and seen > now - 2 * self._window:
            return False
        self._seen[nonce] = now
        return True


def password_digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def _text(parent: Element, tag: str) -> str | None:
    child = parent.find(tag)
    return None if child is None else (child.text or "").strip()


def _parse_created(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SecurityFault("InvalidSecurity", f"wsu:Created is not an xsd:dateTime: {text!r}") from exc
    if moment.tzinfo is None:
        raise SecurityFault("InvalidSecurity", "wsu:Created must carry a time zone (UTC 'Z')")
    return moment.astimezone(UTC)


def verify_username_token(
    security: Element | None,
    *,
    accounts: dict[str, str],
    nonces: NonceCache,
    now: datetime,
) -> str:
    """Check the ``wsse:Security`` header against ``accounts`` (username → password); returns the username."""
    if security is None:
        raise SecurityFault("InvalidSecurity", "missing wsse:Security header")
    token = security.find(f"{{{WSSE_NS}}}UsernameToken")
    if token is None:
        raise SecurityFault("InvalidSecurity", "missing wsse:UsernameToken")
    username = _text(token, f"{{{WSSE_NS}}}Username")
    password_el = token.find(f"{{{WSSE_NS}}}Password")
    if not username or password_el is None:
        raise SecurityFault("InvalidSecurity", "wsse:UsernameToken needs wsse:Username and wsse:Password")
    kind = password_el.get("Type", PASSWORD_TEXT)
    if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
        raise SecurityFault("UnsupportedSecurityToken", f"unsupported password type {kind!r}")
    nonce_text = _text(token, f"{{{WSSE_NS}}}Nonce")
    created_text = _text(token, f"{{{WSU_NS}}}Created")
    if kind == PASSWORD_DIGEST and (not nonce_text or not created_text):
        raise SecurityFault("InvalidSecurity", "PasswordDigest needs wsse:Nonce and wsu:Created")
    if created_text:
        created = _parse_created(created_text)
        if abs(now - created) > FRESHNESS:
            raise SecurityFault("MessageExpired", "wsu:Created is outside the 5-minute freshness window")
    nonce = b""
    if nonce_text:
        try:
            nonce = base64.b64decode(nonce_text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SecurityFault("InvalidSecurity", "wsse:Nonce is not Base64") from exc
    expected = accounts.get(username)
    given = (password_el.text or "").strip()
    if kind == PASSWORD_DIGEST:
        ok = expected is not None and hmac.compare_digest(
            given.encode(), password_digest(nonce, created_text or "", expected).encode()
        )
    else:
        ok = expected is not None and hmac.compare_digest(given.encode(), expected.encode())
    if not ok:
        raise SecurityFault("FailedAuthentication", "the security token could not be authenticated")
    if nonce_text and not nonces.use(nonce_text, now):
        raise SecurityFault("FailedAuthentication", "nonce already used (replayed message)")
    return username
