"""The hand-written WSDL 1.1 of XfService (document/literal, SOAP 1.1 over HTTP), served at ``?wsdl``.

Parameters are loosely typed, as in the real service: every operation element is a sequence of optional strings
(repeated ``xfjbh`` for the batch read), every answer carries ``RETURN_CODE``, ``RETURN_MSG`` and an ``OPDETAIL`` of
``xsd:any`` records.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

__all__ = ["OPERATIONS", "wsdl_document"]

# Operation → its parameters (all xsd:string; "*" marks a repeated one).
OPERATIONS: dict[str, tuple[str, ...]] = {
    "QueryXfjList": ("pageNo", "pageSize", "zt", "zjhm", "lxdh", "gjz", "xfmd"),
    "GetXfjDetail": ("xfjbh",),
    "GetXfjBatch": ("xfjbh*",),
    "RegisterXfj": (
        "xfxs",
        "xfrq",
        "xm",
        "xb",
        "zjhm",
        "lxdh",
        "zz",
        "wtsddm",
        "wtsdmc",
        "bt",
        "fynr",
        "nrfl",
        "xfmd",
        "jjcd",
        "djr",
        "sjrs",
        "qtbs",
        "bjbr",
    ),
    "RouteXfj": ("xfjbh", "zjfs", "cbdw", "cbdwdm", "cqsm"),
    "AcceptXfj": ("xfjbh", "cqsm"),
    "RejectXfj": ("xfjbh", "bslyy", "drcx", "cqsm"),
    "ExtendXfj": ("xfjbh", "yqts", "yqly"),
    "IssueOpinion": ("xfjbh", "clyj", "yjnr", "cqsm"),
    "RequestReview": ("xfjbh", "sqlx"),
    "DecideReview": ("xfjbh", "fcyj", "cqsm"),
    "CloseXfj": ("xfjbh",),
    "EvaluateXfj": ("xfjbh", "pjfs", "pjyj"),
}

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:minyi:xf" name="XfService" targetNamespace="urn:minyi:xf">
  <wsdl:documentation>信访件 web service. Every request needs a WS-Security UsernameToken
    (PasswordText or PasswordDigest with Nonce and Created).</wsdl:documentation>
  <wsdl:types>
    <xsd:schema targetNamespace="urn:minyi:xf" elementFormDefault="unqualified">
      <xsd:complexType name="Answer">
        <xsd:sequence>
          <xsd:element name="RETURN_CODE" type="xsd:int"/>
          <xsd:element name="RETURN_MSG" type="xsd:string"/>
          <xsd:element name="OPDETAIL"><xsd:complexType><xsd:sequence>
            <xsd:any minOccurs="0" maxOccurs="unbounded" processContents="skip"/>
          </xsd:sequence></xsd:complexType></xsd:element>
        </xsd:sequence>
      </xsd:complexType>
"""


def _element(operation: str, params: tuple[str, ...]) -> str:
    fields = "".join(
        f'<xsd:element name="{p.rstrip("*")}" type="xsd:string" minOccurs="0"'
        f"{' maxOccurs=' + quoteattr('100') if p.endswith('*') else ''}/>"
        for p in params
    )
    return (
        f'      <xsd:element name="{operation}"><xsd:complexType><xsd:sequence>{fields}'
        f"</xsd:sequence></xsd:complexType></xsd:element>\n"
        f'      <xsd:element name="{operation}Response" type="tns:Answer"/>\n'
    )


def wsdl_document(location: str) -> str:
    """The WSDL with ``soap:address`` pointing at ``location``."""
    parts = [_HEAD]
    parts.extend(_element(op, params) for op, params in OPERATIONS.items())
    parts.append("    </xsd:schema>\n  </wsdl:types>\n")
    for op in OPERATIONS:
        parts.append(
            f'  <wsdl:message name="{op}Request"><wsdl:part name="parameters" element="tns:{op}"/></wsdl:message>\n'
            f'  <wsdl:message name="{op}Response"><wsdl:part name="parameters" element="tns:{op}Response"/>'
            "</wsdl:message>\n"
        )
    parts.append('  <wsdl:portType name="XfServicePortType">\n')
    for op in OPERATIONS:
        parts.append(
            f'    <wsdl:operation name="{op}"><wsdl:input message="tns:{op}Request"/>'
            f'<wsdl:output message="tns:{op}Response"/></wsdl:operation>\n'
        )
    parts.append(
        '  </wsdl:portType>\n  <wsdl:binding name="XfServiceBinding" type="tns:XfServicePortType">\n'
        '    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>\n'
    )
    for op in OPERATIONS:
        parts.append(
            f'    <wsdl:operation name="{op}"><soap:operation soapAction="urn:minyi:xf#{op}"/>'
            '<wsdl:input><soap:body use="literal"/></wsdl:input>'
            '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>\n'
        )
    parts.append(
        "  </wsdl:binding>\n"
        '  <wsdl:service name="XfService"><wsdl:port name="XfServicePort" binding="tns:XfServiceBinding">'
        f"<soap:address location={quoteattr(location)}/></wsdl:port></wsdl:service>\n"
        "</wsdl:definitions>\n"
    )
    return "".join(parts)
