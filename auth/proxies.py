"""The client address of a request, seen through trusted reverse proxies (``MINYI_AUTH_TRUSTED_PROXIES``).

Only when the socket peer is a trusted proxy is ``X-Forwarded-For`` read at all, and then from the right: each
trusted proxy appends the address it received the request from, so the right-most address that is not itself a
trusted proxy is the client. Anything to its left was written by the client and may be spoofed. Without trusted
proxies (the default) the socket peer is the client, whatever the header says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["TrustedProxies"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, proxies: Iterable[str] = ()) -> None:
        """``proxies``: IP addresses or CIDR networks (``10.0.0.0/8``, ``::1``); a bad entry raises ValueError."""
        self._networks: tuple[_Network, ...] = tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies)

    def trusted(self, address: str) -> bool:
        ip = _address(address)
        return ip is not None and any(ip in network for network in self._networks)

    def client_ip(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address: ``peer`` unless it is a trusted proxy, else the right-most untrusted address of
        the ``X-Forwarded-For`` values (all of the request's headers, in order). A malformed entry stops the walk
        at the last trusted hop; when every hop is trusted the left-most one is the client."""
        if peer is None:
            return "unknown"
        if not self._networks or not self.trusted(peer):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
        client = peer
        for hop in reversed(hops):
            ip = _address(hop)
            if ip is None:
                return client
            client = str(ip)
            if not any(ip in network for network in self._networks):
                return client
        return client
