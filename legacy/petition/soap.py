"""SOAP 1.1 envelopes of the 信访 web service, as the stand-in reads and writes them.

A request is ``POST /services/XfService`` with ``Content-Type: text/xml`` and a ``SOAPAction`` header naming the
operation (quoted, with or without the ``urn:minyi:xf#`` prefix). The body holds one document/literal element in
the service namespace named after the operation, whose unqualified children are the parameters::

    <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xf="urn:minyi:xf">
      <soap:Header><wsse:Security>…UsernameToken…</wsse:Security></soap:Header>
      <soap:Body><xf:QueryXfjList><zt>已受理</zt><pageNo>1</pageNo><pageSize>20</pageSize></xf:QueryXfjList></soap:Body>
    </soap:Envelope>

Answers are ``<xf:{Operation}Response>`` with ``RETURN_CODE`` (0 = ok), ``RETURN_MSG`` and ``OPDETAIL`` holding
the records as ``<XFJ>`` elements, one child per pinyin column, empty for no value. A request that is not SOAP, or is
refused by WS-Security, answers a SOAP 1.1 Fault with HTTP 500 (SOAP 1.1 §6.2). DTDs are refused outright: this
service never needs one, and entity expansion is how XML parsers get attacked.

An integrating system may name the user it calls for in the header, beside ``wsse:Security``:
``<minyi:ActingUser xmlns:minyi="urn:minyi:broker">op-0042</minyi:ActingUser>`` (代办人; :data:`ACTING_NS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from legacy.petition.wssecurity import WSSE_NS

__all__ = [
    "ACTING_NS",
    "SERVICE_NS",
    "SOAP_NS",
    "SoapFault",
    "SoapRequest",
    "fault_envelope",
    "parse_request",
    "response_envelope",
    "xfj_element",
]

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = "urn:minyi:xf"
ACTING_NS = "urn:minyi:broker"

ET.register_namespace("soap", SOAP_NS)
ET.register_namespace("xf", SERVICE_NS)
ET.register_namespace("wsse", WSSE_NS)


class SoapFault(Exception):
    """A request the service cannot process; ``faultcode`` is a QName such as ``soap:Client``."""

    def __init__(self, faultcode: str, message: str) -> None:
        super().__init__(message)
        self.faultcode = faultcode
        self.message = message


@dataclass(frozen=True, slots=True)
class SoapRequest:
    operation: str
    security: Element | None  # wsse:Security, if any
    payload: Element  # the operation element
    acting_user: str | None = None  # minyi:ActingUser (代办人) from the header, if any

    def param(self, name: str, default: str = "") -> str:
        child = self.payload.find(name)
        return default if child is None or child.text is None else child.text.strip()

    def params(self, name: str) -> list[str]:
        return [(c.text or "").strip() for c in self.payload.iter(name) if (c.text or "").strip()]


def _operation_from_action(action: str | None) -> str:
    if action is None:
        raise SoapFault("soap:Client", "missing SOAPAction header")
    value = action.strip().strip('"').strip()
    for separator in ("#", "/", ":"):
        value = value.rsplit(separator, 1)[-1]
    if not value:
        raise SoapFault("soap:Client", "empty SOAPAction header")
    return value


def parse_request(body: bytes, soap_action: str | None) -> SoapRequest:
    """The request's operation, security header and parameters; :class:`SoapFault` for anything malformed."""
    if b"<!doctype" in body.lower() or b"<!entity" in body.lower():
        raise SoapFault("soap:Client", "DTDs and entity declarations are not allowed")
    action = _operation_from_action(soap_action)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SoapFault("soap:Client", f"request is not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SOAP_NS}}}Envelope":
        raise SoapFault("soap:VersionMismatch", "expected a SOAP 1.1 Envelope")
    header = root.find(f"{{{SOAP_NS}}}Header")
    security = None if header is None else header.find(f"{{{WSSE_NS}}}Security")
    acting = None if header is None else (header.findtext(f"{{{ACTING_NS}}}ActingUser") or "").strip()
    body_el = root.find(f"{{{SOAP_NS}}}Body")
    if body_el is None or len(body_el) != 1:
        raise SoapFault("soap:Client", "soap:Body must hold exactly one operation element")
    payload = body_el[0]
    if not payload.tag.startswith(f"{{{SERVICE_NS}}}"):
        raise SoapFault("soap:Client", f"operation element must be in namespace {SERVICE_NS}")
    operation = payload.tag.split("}", 1)[1]
    if operation != action:
        raise SoapFault("soap:Client", f"SOAPAction {action!r} does not match body element {operation!r}")
    return SoapRequest(operation, security, payload, acting or None)


def _envelope(body_child: Element) -> bytes:
    envelope = Element(f"{{{SOAP_NS}}}Envelope")
    ET.SubElement(envelope, f"{{{SOAP_NS}}}Body").append(body_child)
    document: bytes = ET.tostring(envelope, encoding="utf-8", xml_declaration=True)
    return document


def response_envelope(operation: str, code: int, message: str, details: Iterable[Element] = ()) -> bytes:
    answer = Element(f"{{{SERVICE_NS}}}{operation}Response")
    ET.SubElement(answer, "RETURN_CODE").text = str(code)
    ET.SubElement(answer, "RETURN_MSG").text = message
    opdetail = ET.SubElement(answer, "OPDETAIL")
    opdetail.extend(details)
    return _envelope(answer)


def fault_envelope(faultcode: str, faultstring: str) -> bytes:
    """A SOAP 1.1 Fault; a ``wsse:`` faultcode gets its namespace declared."""
    fault = Element(f"{{{SOAP_NS}}}Fault")
    if faultcode.startswith("wsse:"):
        fault.set("xmlns:wsse", WSSE_NS)  # the QName's prefix must be in scope where it is used
    ET.SubElement(fault, "faultcode").text = faultcode
    ET.SubElement(fault, "faultstring").text = faultstring
    return _envelope(fault)


def xfj_element(row: Mapping[str, object], columns: Iterable[str], tag: str = "XFJ") -> Element:
    """One record: a child per column, text or empty (the legacy's null)."""
    record = Element(tag)
    for column in columns:
        value = row[column]
        ET.SubElement(record, column).text = "" if value is None else str(value)
    return record


def text_element(tag: str, text: str) -> Element:
    el = Element(tag)
    el.text = text
    return el
