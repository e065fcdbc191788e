"""Trusting an external OIDC issuer (the province's unified login) by discovery: OpenID Connect Discovery 1.0.

``--oidc-issuer URL`` names the issuer; its metadata is read from ``{URL}/.well-known/openid-configuration``
(§4) and checked with authlib's :class:`~authlib.oidc.discovery.OpenIDProviderMetadata` (its URLs must use https,
or plain HTTP on loopback only); its ``issuer`` must be that URL (§4.3: a mismatch means the document is not the issuer's and is refused;
only a trailing slash may differ), and whose ``jwks_uri`` gives the keys. Tokens are then checked against the issuer
*as the discovery document spells it* — that is what the issuer writes in ``iss`` — and when that differs from the
configured URL (``http://host/`` configured, ``http://host`` discovered) the gateway says so in its log at
start-up, when it warms its verifier. :class:`DiscoveredJwks` is a :class:`~auth.jwks.JwksSource` that discovers
on first use (so a gateway starts even while the issuer is briefly down) and then fetches the JWKS through a
:class:`~auth.jwks.RemoteJwks`; :func:`external_verifier` builds the gateway's verifier from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from authlib.oidc.discovery import OpenIDProviderMetadata, get_well_known_url

from auth.jwks import JwksUnavailable, RemoteJwks, fetch_json
from auth.jwks_store import JwksCache
from auth.verify import TokenVerifier

__all__ = ["DiscoveredJwks", "ProviderMetadata", "discover", "external_verifier", "well_known_url"]

log = logging.getLogger("minyi.auth.discovery")


def well_known_url(issuer: str) -> str:
    return str(get_well_known_url(issuer, external=True))


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    jwks_uri: str
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


async def discover(issuer: str, session: aiohttp.ClientSession) -> ProviderMetadata:
    """The issuer's metadata, checked (§4.3); :class:`~auth.jwks.JwksUnavailable` when it cannot be had."""
    url = well_known_url(issuer)
    document = await fetch_json(session, url, "the OIDC discovery document")
    stated = document.get("issuer")
    if not isinstance(stated, str) or stated.rstrip("/") != issuer.rstrip("/"):
        raise JwksUnavailable(f"the OIDC discovery document at {url} names another issuer")
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise JwksUnavailable(f"the OIDC discovery document at {url} has no jwks_uri")
    checked = OpenIDProviderMetadata(document)
    try:
        for validate in _VALIDATIONS:
            getattr(checked, validate)()
    except ValueError as error:
        raise JwksUnavailable(f"the OIDC discovery document at {url} is not valid: {error}") from None
    return ProviderMetadata(stated, jwks_uri, document)


# authlib's checks of the metadata the gateway relies on: https (or loopback) URLs, no query or fragment in issuer
_VALIDATIONS = ("validate_issuer", "validate_jwks_uri", "validate_authorization_endpoint", "validate_token_endpoint")


class DiscoveredJwks:
    """The JWKS of ``issuer``, found by discovery on first use (discovery is retried until it succeeds)."""

    def __init__(self, issuer: str, *, cache: JwksCache | None = None, timeout_s: float = 5.0) -> None:
        self.issuer = issuer
        self.cache = cache
        self.timeout_s = timeout_s
        self.metadata: ProviderMetadata | None = None
        self.on_discovered: Callable[[ProviderMetadata], None] | None = None
        self._remote = RemoteJwks("", cache=cache, timeout_s=timeout_s)  # its URL is known after discovery

    @property
    def max_age_s(self) -> float | None:
        """The ``Cache-Control`` max-age of the last JWKS answer (:class:`~auth.jwks.RemoteJwks`)."""
        return self._remote.max_age_s

    async def fetch(self, *, fresh: bool) -> dict[str, Any]:
        if self.metadata is None:
            self.metadata = await discover(self.issuer, self._remote.session())
            self._remote.url = self.metadata.jwks_uri
            if self.on_discovered is not None:
                self.on_discovered(self.metadata)
        return await self._remote.fetch(fresh=fresh)

    async def close(self) -> None:
        await self._remote.close()


def external_verifier(
    issuer: str,
    audience: str | Collection[str],
    *,
    cache: JwksCache | None = None,
    **options: Any,
) -> TokenVerifier:
    """The gateway's verifier for tokens of an external issuer (``--oidc-issuer``): ``iss`` is checked against the
    issuer as discovery spells it (a difference from ``issuer`` is logged as a warning). ``options`` go to
    :class:`~auth.verify.TokenVerifier` (``require_access_token_type=False`` for an issuer without ``typ: at+jwt``)."""
    source = DiscoveredJwks(issuer, cache=cache)
    verifier = TokenVerifier(source, issuer=issuer, audience=audience, **options)

    def discovered(metadata: ProviderMetadata) -> None:
        if metadata.issuer != issuer:
            log.warning(
                "the external issuer is configured as %s but its discovery document spells it %s: tokens are "
                "checked against %s (set the issuer as the document spells it to silence this)",
                issuer,
                metadata.issuer,
                metadata.issuer,
            )
        verifier.use_issuer(metadata.issuer)

    source.on_discovered = discovered
    return verifier
