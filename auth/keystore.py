"""The gateway's *internal* signing key in the ``minyi:jwks`` Redis area (``minyi:jwks:internal``).

The OIDC provider's key set lives beside it in :mod:`auth.keys` (``minyi:jwks:keyset``); the internal key is kept
apart because it signs only the gateway-to-subgraph tokens of :mod:`auth.internal`. (Once :class:`auth.keys.KeyStore`
takes a key name, this module folds into it.)

:func:`load_or_create_key` is how replicas agree on one key: the first one to start writes its freshly generated
key with ``SET NX``, and every replica (itself included) uses whatever the store then holds. The store is a
:class:`~auth.store.KeyValue`: a real Redis, or :class:`~auth.store.MemoryStore` for one process without Redis.
Redis errors are translated here into :class:`KeyStoreUnavailable`; values are key material and never logged.
"""

from __future__ import annotations

from collections.abc import Callable

from redis.exceptions import RedisError

from auth.errors import AuthError
from auth.store import KeyValue

__all__ = ["INTERNAL_KEY", "KeyStoreUnavailable", "load_or_create_key"]

INTERNAL_KEY = "minyi:jwks:internal"


class KeyStoreUnavailable(AuthError):
    """The key store (Redis) could not be read or written."""

    code = "INTERNAL_SERVER_ERROR"


async def load_or_create_key(kv: KeyValue, make: Callable[[], str], name: str = INTERNAL_KEY) -> str:
    """The key stored as ``name``; when there is none, ``make()`` is stored (unless another replica stored one
    first) and the stored one is returned."""
    try:
        found = await kv.get(name)
        if found is None:
            await kv.set(name, make(), nx=True)
            found = await kv.get(name)
    except RedisError as exc:
        raise KeyStoreUnavailable(f"the key store cannot be reached ({type(exc).__name__})") from None
    if found is None:
        raise KeyStoreUnavailable("the key store lost a key it had just stored")
    return found.decode() if isinstance(found, bytes) else str(found)
