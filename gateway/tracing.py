"""OpenTelemetry traces of the gateway: one trace per GraphQL request, W3C Trace Context in and out.

A request's spans: ``graphql.request`` (a server span, continuing the client's ``traceparent`` when it sends one)
with children ``graphql.parse`` and ``graphql.validate`` (when the document is not cached yet), ``graphql.plan``
(attribute ``minyi.plan.cache``: ``hit`` or ``miss``) and ``graphql.execute``, under which every subgraph request
is one client span ``fetch <subgraph>`` whose context goes to the subgraph in ``traceparent``
(https://www.w3.org/TR/trace-context/). Subgraphs carry it on to their legacy calls.

Traces are off unless configured: :func:`otlp_tracer` exports in batches over OTLP/HTTP to a collector
(``MINYI_GATEWAY_OTLP_ENDPOINT``, e.g. ``http://collector:4318/v1/traces``); tests pass a tracer of their own
(an in-memory exporter). With no tracer the request path makes no spans at all.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["TRACE_HEADERS", "context_from_headers", "inject_trace_context", "otlp_tracer"]

TRACE_HEADERS = (b"traceparent", b"tracestate")

_propagator = TraceContextTextMapPropagator()


def context_from_headers(headers: Iterable[tuple[bytes, bytes]]) -> Context | None:
    """The caller's trace context from raw ASGI headers, ``None`` when it sent none."""
    carrier: dict[str, str] = {}
    for name, value in headers:
        if name in TRACE_HEADERS:
            carrier[name.decode("latin-1")] = value.decode("latin-1")
    if not carrier:
        return None
    return _propagator.extract(carrier)


def inject_trace_context(headers: MutableMapping[str, str], context: Context | None = None) -> None:
    """Add ``traceparent`` (and ``tracestate``) of the current span — or of ``context`` — to ``headers``."""
    _propagator.inject(headers, context=context)


def otlp_tracer(endpoint: str, *, service_name: str = "minyi-gateway") -> tuple[Tracer, TracerProvider]:
    """A tracer exporting to an OTLP/HTTP collector at ``endpoint``; shut the provider down to flush at exit."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider.get_tracer("minyi.gateway"), provider
