"""The board's request signature (签名): HMAC-SHA256 over the sorted form fields.

``signature = hex(HMAC-SHA256(secret, canonical))`` where ``canonical`` is every form field except
``signature`` itself — ``appCode`` and ``timestamp`` included — sorted by key, as ``key=value`` joined with
``&``, values as sent (not URL-encoded). ``timestamp`` is milliseconds since the epoch and must lie within
:data:`MAX_SKEW_MS` of the board's clock, which makes a captured request useless after five minutes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

__all__ = ["MAX_SKEW_MS", "SERVICE_APPS", "SignatureError", "canonical_string", "sign", "verify"]

MAX_SKEW_MS = 5 * 60 * 1000

# appCode -> secret. The board issues one pair per integrating system; Minyi's is its service account.
SERVICE_APPS: Mapping[str, str] = {"minyi-service": "minyi-service-pass"}


class SignatureError(Exception):
    """The request is not signed by a known app with a fresh timestamp."""


def canonical_string(fields: Mapping[str, str]) -> str:
    return "&".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "signature")


def sign(secret: str, fields: Mapping[str, str]) -> str:
    return hmac.new(secret.encode(), canonical_string(fields).encode(), hashlib.sha256).hexdigest()


def verify(fields: Mapping[str, str], now_ms: int, apps: Mapping[str, str] = SERVICE_APPS) -> str:
    """The verified ``appCode``; :class:`SignatureError` saying what is wrong otherwise."""
    app_code, stamp, signature = fields.get("appCode"), fields.get("timestamp"), fields.get("signature")
    if not app_code or not stamp or not signature:
        raise SignatureError("appCode, timestamp and signature are required")
    secret = apps.get(app_code)
    if secret is None:
        raise SignatureError(f"unknown appCode {app_code!r}")
    if not stamp.isdigit():
        raise SignatureError("timestamp must be milliseconds since the epoch")
    if abs(now_ms - int(stamp)) > MAX_SKEW_MS:
        raise SignatureError("timestamp expired: more than 5 minutes from the server time")
    if not hmac.compare_digest(sign(secret, fields), signature.lower()):
        raise SignatureError("signature mismatch")
    return app_code
