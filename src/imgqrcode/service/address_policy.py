"""Which network addresses an ``img_url`` fetch may connect to.

Only public unicast addresses, unless the operator allows a range explicitly. An IPv6
address that carries an IPv4 address inside it (IPv4-mapped ``::ffff:a.b.c.d``,
IPv4-compatible, 6to4 ``2002::/16``, Teredo, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``)
is judged by that IPv4 address too, so ``::ffff:127.0.0.1`` is loopback here as it is to
the kernel. Numeric host spellings (``2130706433``, ``0x7f000001``, ``0177.0.0.1``) need
no rule of their own: the resolver turns them into the address that is checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_EXTRA_FORBIDDEN: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
    ipaddress.ip_network("240.0.0.0/4"),
    ipaddress.ip_network("fc00::/7"),
    ipaddress.ip_network("fec0::/10"),
    ipaddress.ip_network("100::/64"),
)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class ForbiddenAddressError(Exception):
    """A fetch was refused before any connection: the address is not a public one."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the transition forms."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    compatible = address in _IPV4_COMPATIBLE and int(address) > 1  # not :: or ::1
    if compatible or any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address, or None if it is one."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("special-purpose", any(address in net for net in _EXTRA_FORBIDDEN)),
        ("not global", not address.is_global),
    )
    return next((reason for reason, hit in checks if hit), None)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses plus the operator's explicitly allowed ranges."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip()))

    def _allowed(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.allowed)

    def check(self, text: str) -> IPAddress:
        """The parsed address if a fetch may connect to it; else ForbiddenAddressError."""
        address = ipaddress.ip_address(text.split("%", 1)[0])
        judged: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address):
            inner = embedded_ipv4(address)
            if inner is not None:
                judged = [inner]
        if all(self._allowed(a) for a in judged):
            return address
        for candidate in (*judged, address):
            reason = non_public_reason(candidate)
            if reason is not None:
                raise ForbiddenAddressError(f"{text} is {reason}")
        return address
