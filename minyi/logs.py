"""Logging of every minyi process: plain text for a terminal, or one JSON object per line for a log pipeline.

Both go through structlog's :class:`~structlog.stdlib.ProcessorFormatter`, so the standard-library loggers the
packages use (``logging.getLogger("minyi.gateway")``) and structlog loggers come out the same way, each record with
the context bound for the task that logged it — in the gateway, the ``request_id`` of the request being served
(:mod:`gateway.http` binds it). A JSON line::

    {"event": "POST /graphql 200 op=CitizenView 1 error(s), first SUBGRAPH_UNAVAILABLE: ...",
     "level": "warning", "logger": "minyi.gateway.http", "request_id": "9f1c…", "timestamp": "2026-12-06T…Z"}
"""

from __future__ import annotations

import logging
from typing import Literal, TextIO

import structlog

__all__ = ["LogFormat", "configure_logging"]

LogFormat = Literal["text", "json"]


def configure_logging(*, verbose: bool = False, format: LogFormat = "text", stream: TextIO | None = None) -> None:
    """Route every log record of this process to ``stream`` (stderr) in ``format``, at DEBUG with ``verbose``
    else INFO."""
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if format == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
