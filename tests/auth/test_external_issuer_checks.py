"""What the gateway checks of an external issuer beyond the signature: the key set is re-read on a schedule that
honours Cache-Control within bounds (a withdrawn key stops being trusted), tokens must be access tokens
(``typ: at+jwt``, RFC 9068 §4) unless a setting says the issuer does not send it, and the issuer is compared as its
discovery document spells it, with a warning when the configured one differs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from auth.discovery import external_verifier
from auth.errors import Unauthenticated
from auth.jwks import LocalJwks, RemoteJwks, cache_max_age
from auth.verify import TokenVerifier
from gateway.settings import GatewaySettings
from tests.auth.issuer import AUDIENCE, TinyIssuer, serve_issuer
from tests.support.servers import BackgroundServer


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def remote() -> Iterator[tuple[TinyIssuer, BackgroundServer]]:
    issuer, server = serve_issuer()
    try:
        yield issuer, server
    finally:
        server.stop()


# -- the key set's schedule ------------------------------------------------------------------------------------


async def test_a_withdrawn_key_is_refused_once_the_key_set_is_past_its_max_age(
    remote: tuple[TinyIssuer, BackgroundServer],
) -> None:
    issuer, server = remote
    issuer.cache_control = "public, max-age=120"
    clock = FakeMonotonic()
    verifier = TokenVerifier(RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE, monotonic=clock)
    try:
        issuer.rotate("k2")
        old = issuer.token(key=issuer.keys[0])
        assert (await verifier.verify(old)).subject == "u-1001"
        issuer.withdraw("k1")
        clock.now += 119
        assert (await verifier.verify(old)).subject == "u-1001"  # within max-age the key set is not read again
        assert issuer.jwks_requests == 1
        clock.now += 2
        with pytest.raises(Unauthenticated, match="unknown key"):
            await verifier.verify(old)  # the remembered verification is dropped with the key
        assert issuer.jwks_requests == 2
        assert (await verifier.verify(issuer.token())).subject == "u-1001"
    finally:
        await verifier.close()


@pytest.mark.parametrize(
    ("cache_control", "age"),
    [
        ("max-age=120", 120.0),
        ("public, max-age=5", 60.0),  # bounded below: a provider cannot make every request fetch keys
        ("max-age=999999", 3600.0),  # bounded above: a withdrawn key is dropped within the hour
        ("no-store", 60.0),
        (None, 300.0),  # nothing said: the default
    ],
)
async def test_the_key_sets_age_follows_cache_control_within_bounds(
    remote: tuple[TinyIssuer, BackgroundServer], cache_control: str | None, age: float
) -> None:
    issuer, server = remote
    issuer.cache_control = cache_control
    verifier = TokenVerifier(RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE)
    try:
        assert await verifier.warm()
        assert verifier.key_max_age_s() == age
    finally:
        await verifier.close()


async def test_an_issuer_that_is_down_at_the_scheduled_read_keeps_the_keys(
    remote: tuple[TinyIssuer, BackgroundServer],
) -> None:
    issuer, server = remote
    clock = FakeMonotonic()
    verifier = TokenVerifier(RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE, monotonic=clock)
    try:
        token = issuer.token()
        await verifier.verify(token)
        server.stop()
        clock.now += 301
        assert (await verifier.verify(token)).subject == "u-1001"
        assert verifier.fetches == 2  # it tried
    finally:
        await verifier.close()


def test_cache_control_is_read_as_rfc_9111_says() -> None:
    assert cache_max_age('private, max-age="90"') == 90.0
    assert cache_max_age("no-cache") == 0.0
    assert cache_max_age("max-age=soon") is None
    assert cache_max_age(None) is None


# -- typ: at+jwt -----------------------------------------------------------------------------------------------


async def test_an_id_token_with_the_gateways_audience_is_not_an_access_token() -> None:
    issuer = TinyIssuer("https://login.example")
    verifier = TokenVerifier(LocalJwks(issuer.jwks), issuer=issuer.issuer, audience=AUDIENCE)
    with pytest.raises(Unauthenticated, match="type is not at\\+jwt"):
        await verifier.verify(issuer.token(header={"typ": "JWT"}, nonce="n-1"))
    assert (await verifier.verify(issuer.token(header={"typ": "application/at+JWT"}))).subject == "u-1001"


async def test_an_issuer_without_typ_is_accepted_when_the_setting_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = TinyIssuer("https://login.example")
    lenient = TokenVerifier(
        LocalJwks(issuer.jwks), issuer=issuer.issuer, audience=AUDIENCE, require_access_token_type=False
    )
    assert (await lenient.verify(issuer.token(header={"typ": None}))).subject == "u-1001"
    monkeypatch.setenv("MINYI_GATEWAY_OIDC_REQUIRE_AT_JWT", "false")
    assert GatewaySettings().options().oidc_require_at_jwt is False
    monkeypatch.delenv("MINYI_GATEWAY_OIDC_REQUIRE_AT_JWT")
    assert GatewaySettings().options().oidc_require_at_jwt is True


# -- the issuer as discovery spells it -------------------------------------------------------------------------


async def test_a_trailing_slash_in_the_configured_issuer_is_warned_about_and_tokens_verify(
    remote: tuple[TinyIssuer, BackgroundServer], caplog: pytest.LogCaptureFixture
) -> None:
    issuer, _ = remote
    verifier = external_verifier(issuer.issuer + "/", AUDIENCE)
    try:
        with caplog.at_level(logging.WARNING, logger="minyi.auth.discovery"):
            assert await verifier.warm()  # what the gateway does at start-up
        [warning] = [r.getMessage() for r in caplog.records if r.name == "minyi.auth.discovery"]
        assert f"configured as {issuer.issuer}/ but its discovery document spells it {issuer.issuer}" in warning
        assert (await verifier.verify(issuer.token())).subject == "u-1001"
    finally:
        await verifier.close()


async def test_an_issuer_configured_as_discovery_spells_it_gives_no_warning(
    remote: tuple[TinyIssuer, BackgroundServer], caplog: pytest.LogCaptureFixture
) -> None:
    issuer, _ = remote
    verifier = external_verifier(issuer.issuer, AUDIENCE)
    try:
        with caplog.at_level(logging.WARNING, logger="minyi.auth.discovery"):
            assert await verifier.warm()
        assert not [r for r in caplog.records if r.name == "minyi.auth.discovery"]
        assert (await verifier.verify(issuer.token())).subject == "u-1001"
    finally:
        await verifier.close()
