"""Errors of the schema package::

SchemaError                 base
└── SupergraphError         a supergraph SDL that cannot be loaded (syntax, unknown join version, bad metadata)
"""

from __future__ import annotations

__all__ = ["SchemaError", "SupergraphError"]


class SchemaError(Exception):
    pass


class SupergraphError(SchemaError):
    pass
