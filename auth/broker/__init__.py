"""The legacy credential broker: service credentials per legacy system, cached sessions, the acting user.

Each legacy system keeps its own auth (DESIGN.md "Auth"). The broker holds the per-system service credentials
(:class:`ServiceCredentials`), keeps each system's session or token (:class:`LegacySession`: cached, refreshed
before expiry, one login for all concurrent callers, one re-login when the system says it expired) and names the
user each call is made for (:mod:`.acting`). The adapters in ``resolvers.adapters`` speak the protocols; they take
their credentials and sessions from here (``resolvers.adapters → auth``). Secrets never appear in a ``repr``, a
message or a log line.
"""

from auth.broker.acting import ACTING_USER_HEADER, acting_as, acting_user, set_acting_user
from auth.broker.broker import CredentialBroker
from auth.broker.credentials import ServiceCredentials
from auth.broker.session import Issued, LegacySession, SessionStats

__all__ = [
    "ACTING_USER_HEADER",
    "CredentialBroker",
    "Issued",
    "LegacySession",
    "ServiceCredentials",
    "SessionStats",
    "acting_as",
    "acting_user",
    "set_acting_user",
]
