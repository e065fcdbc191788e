"""SOAP 1.1 with a WS-Security UsernameToken, as the 信访 web service (XfService) speaks it.

Requests: a ``soap:Envelope`` whose header carries ``wsse:Security/wsse:UsernameToken`` (PasswordDigest by
default: ``Base64(SHA-1(nonce + created + password))`` with a fresh 16-byte nonce and a UTC ``wsu:Created``, per the
OASIS UsernameToken Profile 1.0 — or PasswordText), and whose body holds ``<xf:{Operation}>`` with one unqualified
child per parameter. A call made for a user also carries ``minyi:ActingUser`` (代办人, namespace
:data:`ACTING_NS`) in the header, not ``mustUnderstand``: a service that does not know it ignores it. The token is made anew for every request: there is no session to renew, so an auth failure is
final (no retry).

Answers, checked in this order:

- any ``<!DOCTYPE``/``<!ENTITY`` → :class:`LegacyProtocolError` (the service never sends DTDs; refusing them keeps
  entity expansion out of ``xml.etree``); unparsable XML or no ``soap:Envelope/soap:Body`` → ``LegacyProtocolError``
  (but an HTTP 500 that is not a SOAP fault → :class:`LegacyUnavailable`);
- a ``soap:Fault`` (SOAP 1.1 §4.4; sent with HTTP 500): a ``wsse:`` faultcode (WS-Security 1.0 §12:
  FailedAuthentication, InvalidSecurity, MessageExpired, …) → :class:`LegacyAuthError`; ``soap:Client`` →
  :class:`LegacyRejected`; ``soap:Server`` ("may succeed if resent later") → ``LegacyUnavailable``;
  ``soap:VersionMismatch``/``MustUnderstand`` → ``LegacyProtocolError``;
- HTTP 401/403 → ``LegacyAuthError``; any other non-200 without a fault: 5xx → ``LegacyUnavailable``, else
  ``LegacyRejected``;
- ``RETURN_CODE`` 0 → the ``OPDETAIL`` element; 2001 (信访件不存在) → :class:`LegacyNotFound`; any other →
  ``LegacyRejected`` with ``RETURN_MSG``; missing or non-numeric → ``LegacyProtocolError``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
    LegacyUnavailable,
)

__all__ = [
    "ACTING_NS",
    "NOT_FOUND_CODE",
    "SERVICE_NS",
    "SOAP_NS",
    "WSSE_NS",
    "WSU_NS",
    "parse_answer",
    "password_digest",
    "request_envelope",
]

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = "urn:minyi:xf"
ACTING_NS = "urn:minyi:broker"  # the credential broker's header elements
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
_BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"

NOT_FOUND_CODE = 2001  # 信访件不存在


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """UsernameToken Profile 1.0 §3.1: Base64(SHA-1(nonce + created + password))."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def _created(moment: datetime) -> str:
    """xsd:dateTime in UTC with milliseconds, e.g. ``2026-01-02T03:04:05.678Z`` (naive times are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """Element text: escaped, without the control characters XML 1.0 cannot carry."""
    return escape(_NOT_XML_CHARS.sub("", value))


def _security(username: str, password: str, *, digest: bool, nonce: bytes, created: datetime) -> str:
    stamp = _created(created)
    kind, secret = (
        ("#PasswordDigest", password_digest(nonce, stamp, password)) if digest else ("#PasswordText", password)
    )
    return (
        f'<wsse:Security soap:mustUnderstand="1" xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}">'
        "<wsse:UsernameToken>"
        f"<wsse:Username>{_text(username)}</wsse:Username>"
        f'<wsse:Password Type="{_PROFILE}{kind}">{_text(secret)}</wsse:Password>'
        f'<wsse:Nonce EncodingType="{_BASE64}">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f"<wsu:Created>{stamp}</wsu:Created>"
        "</wsse:UsernameToken></wsse:Security>"
    )


def request_envelope(
    operation: str,
    params: Sequence[tuple[str, str]],
    *,
    username: str,
    password: str,
    digest: bool,
    nonce: bytes,
    created: datetime,
    acting_user: str | None = None,
) -> bytes:
    """The SOAP request for ``operation``; ``params`` may repeat a name (the batch read's ``xfjbh``)."""
    fields = "".join(f"<{name}>{_text(value)}</{name}>" for name, value in params)
    security = _security(username, password, digest=digest, nonce=nonce, created=created)
    if acting_user:
        security += f'<minyi:ActingUser xmlns:minyi="{ACTING_NS}">{_text(acting_user)}</minyi:ActingUser>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_NS}" xmlns:xf="{SERVICE_NS}">'
        f"<soap:Header>{security}</soap:Header>"
        f"<soap:Body><xf:{operation}>{fields}</xf:{operation}></soap:Body>"
        "</soap:Envelope>"
    ).encode()


class _NamespaceRecorder(ET.TreeBuilder):
    """A tree builder that also keeps the document's namespace declarations (prefix → URI, first wins)."""

    def __init__(self) -> None:
        super().__init__()
        self.namespaces: dict[str, str] = {}

    def start_ns(self, prefix: str, uri: str) -> None:
        self.namespaces.setdefault(prefix, uri)


def _parse(system: str, body: bytes) -> tuple[Element, dict[str, str]]:
    """The document and its namespace declarations (prefix → URI), needed to resolve a faultcode QName."""
    lowered = body.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise LegacyProtocolError(system, "answer carries a DTD or entity declaration; refused")
    builder = _NamespaceRecorder()
    try:
        parser = ET.XMLParser(target=builder)
        parser.feed(body)
        root: Element | None = parser.close()
    except ET.ParseError as exc:
        raise LegacyProtocolError(system, f"answer is not well-formed XML: {exc}") from exc
    if root is None:
        raise LegacyProtocolError(system, "empty answer")
    return root, builder.namespaces


def _fault_error(system: str, fault: Element, namespaces: dict[str, str]) -> LegacyError:
    code = (fault.findtext("faultcode") or "").strip()
    message = (fault.findtext("faultstring") or "").strip() or "SOAP fault"
    prefix, _, local = code.rpartition(":")
    uri = namespaces.get(prefix, "")
    text = f"SOAP fault {code}: {message}"
    if uri == WSSE_NS:
        return LegacyAuthError(system, text)
    if uri == SOAP_NS or not prefix:
        kind = local.split(".", 1)[0]
        if kind == "Server":
            return LegacyUnavailable(system, text)
        if kind in ("VersionMismatch", "MustUnderstand"):
            return LegacyProtocolError(system, text)
    return LegacyRejected(system, text)


def _status_error(system: str, status: int) -> LegacyError:
    """A non-200 answer that carries no SOAP fault."""
    if status >= 500:
        return LegacyUnavailable(system, f"HTTP {status} without a SOAP fault")
    return LegacyRejected(system, f"HTTP {status} from XfService")


def parse_answer(system: str, operation: str, status: int, body: bytes) -> Element:
    """The ``OPDETAIL`` of a successful answer to ``operation``; every other outcome raises a LegacyError."""
    if status in (401, 403):
        raise LegacyAuthError(system, f"HTTP {status} from XfService")
    try:
        root, namespaces = _parse(system, body)
    except LegacyProtocolError:
        if status != 200:
            raise _status_error(system, status) from None
        raise
    soap_body = root.find(_q(SOAP_NS, "Body")) if root.tag == _q(SOAP_NS, "Envelope") else None
    fault = None if soap_body is None else soap_body.find(_q(SOAP_NS, "Fault"))
    if fault is not None:
        raise _fault_error(system, fault, namespaces)
    if status != 200:
        raise _status_error(system, status)
    if soap_body is None:
        raise LegacyProtocolError(system, "answer is not a SOAP 1.1 envelope")
    answer = soap_body.find(_q(SERVICE_NS, f"{operation}Response"))
    if answer is None:
        raise LegacyProtocolError(system, f"answer lacks {operation}Response")
    raw_code = (answer.findtext("RETURN_CODE") or "").strip()
    message = (answer.findtext("RETURN_MSG") or "").strip()
    try:
        code = int(raw_code)
    except ValueError:
        raise LegacyProtocolError(system, f"RETURN_CODE is not a number: {raw_code!r}") from None
    if code == NOT_FOUND_CODE:
        raise LegacyNotFound(system, f"RETURN_CODE {code}: {message}")
    if code != 0:
        raise LegacyRejected(system, f"RETURN_CODE {code}: {message}")
    opdetail = answer.find("OPDETAIL")
    if opdetail is None:
        raise LegacyProtocolError(system, "answer lacks OPDETAIL")
    return opdetail
