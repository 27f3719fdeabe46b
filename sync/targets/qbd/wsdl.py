"""The WSDL of ``/qbwc``, generated from the same operation table the endpoint parses with.

Document/literal, SOAP 1.1, target namespace ``http://developer.intuit.com/``, one SOAPAction
per operation (``http://developer.intuit.com/<operation>``): what the Web Connector expects.
"""

from __future__ import annotations

from lxml import etree

from sync.targets.qbd.soap import INTUIT, OPERATIONS, XSD

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
SERVICE = "QBWebConnectorSvc"


def _el(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, etree.QName(ns, tag), attrs)


def _types(definitions: etree._Element) -> None:
    schema = _el(
        _el(definitions, WSDL, "types"),
        XSD,
        "schema",
        elementFormDefault="qualified",
        targetNamespace=INTUIT,
    )
    array = _el(schema, XSD, "complexType", name="ArrayOfString")
    _el(
        _el(array, XSD, "sequence"),
        XSD,
        "element",
        minOccurs="0",
        maxOccurs="unbounded",
        name="string",
        nillable="true",
        type="xsd:string",
    )
    for operation, (params, result) in OPERATIONS.items():
        request = _el(
            _el(_el(schema, XSD, "element", name=operation), XSD, "complexType"), XSD, "sequence"
        )
        for name, kind in params:
            occurs = "1" if kind == "int" else "0"
            _el(
                request,
                XSD,
                "element",
                minOccurs=occurs,
                maxOccurs="1",
                name=name,
                type=f"xsd:{kind}",
            )
        reply = _el(
            _el(_el(schema, XSD, "element", name=f"{operation}Response"), XSD, "complexType"),
            XSD,
            "sequence",
        )
        prefix = "tns" if result == "ArrayOfString" else "xsd"
        _el(
            reply,
            XSD,
            "element",
            minOccurs="1" if result == "int" else "0",
            maxOccurs="1",
            name=f"{operation}Result",
            type=f"{prefix}:{result}",
        )


def build_wsdl(location: str) -> bytes:
    """The service description, with ``location`` as the endpoint address."""
    definitions = etree.Element(
        etree.QName(WSDL, "definitions"),
        {"targetNamespace": INTUIT, "name": SERVICE},
        nsmap={"wsdl": WSDL, "soap": WSDL_SOAP, "xsd": XSD, "tns": INTUIT},
    )
    _types(definitions)
    for operation in OPERATIONS:
        for suffix, element in (("SoapIn", operation), ("SoapOut", f"{operation}Response")):
            message = _el(definitions, WSDL, "message", name=f"{operation}{suffix}")
            _el(message, WSDL, "part", name="parameters", element=f"tns:{element}")
    port_type = _el(definitions, WSDL, "portType", name=f"{SERVICE}Soap")
    for operation in OPERATIONS:
        op = _el(port_type, WSDL, "operation", name=operation)
        _el(op, WSDL, "input", message=f"tns:{operation}SoapIn")
        _el(op, WSDL, "output", message=f"tns:{operation}SoapOut")
    binding = _el(definitions, WSDL, "binding", name=f"{SERVICE}Soap", type=f"tns:{SERVICE}Soap")
    _el(binding, WSDL_SOAP, "binding", transport="http://schemas.xmlsoap.org/soap/http")
    for operation in OPERATIONS:
        op = _el(binding, WSDL, "operation", name=operation)
        _el(op, WSDL_SOAP, "operation", soapAction=f"{INTUIT}{operation}", style="document")
        for direction in ("input", "output"):
            _el(_el(op, WSDL, direction), WSDL_SOAP, "body", use="literal")
    service = _el(definitions, WSDL, "service", name=SERVICE)
    port = _el(service, WSDL, "port", name=f"{SERVICE}Soap", binding=f"tns:{SERVICE}Soap")
    _el(port, WSDL_SOAP, "address", location=location)
    return etree.tostring(definitions, xml_declaration=True, encoding="utf-8", pretty_print=True)
