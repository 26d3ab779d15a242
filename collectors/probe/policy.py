"""Which addresses a probe or a sweep may send packets to.

Why: a sweep sends a packet to every address of a prefix; pointed at the wrong prefix it is a
scan of someone else's network. So sweeps take an explicit allow-list from the caller (never a
default) and refuse anything outside it, and the tests use it to keep every packet inside the
lab or loopback. Probes of inventory devices may pass one too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from nms.errors import NmsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetNotAllowedError(NmsError):
    """A probe or sweep target lies outside what the caller explicitly allowed."""


class RawSocketPermissionError(NmsError):
    """Raw sockets are not permitted here (scapy needs root or CAP_NET_RAW)."""

    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__(
            f"{what} needs raw sockets, which this process may not open "
            f"(run as root or grant CAP_NET_RAW, e.g. `setcap cap_net_raw+ep <python>`); "
            f"use --method ping or --method connect for the unprivileged fallback"
            + (f" ({detail})" if detail else ""))


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Parse CIDR strings (a bare address is a /32 or /128).

    Raises:
        TargetNotAllowedError: a value is not an address or network.
    """
    out: list[Network] = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError as exc:
            raise TargetNotAllowedError(f"not a network: {value!r} ({exc})") from None
    return out


def check_prefix(prefix: str, allowed: Sequence[str], *, max_hosts: int = 4096) -> Network:
    """Validate a sweep prefix against the caller's allow-list.

    Args:
        prefix: the prefix to sweep, e.g. ``198.19.0.0/24``.
        allowed: networks the caller explicitly allows; empty means nothing is allowed.
        max_hosts: refuse larger prefixes (a sweep is not a scanner).

    Returns:
        the parsed prefix.

    Raises:
        TargetNotAllowedError: no allow-list, prefix outside it, or too large.
    """
    if not allowed:
        raise TargetNotAllowedError("a sweep needs an explicit allow-list (--allow PREFIX); "
                                    "nothing is allowed by default")
    net = parse_networks([prefix])[0]
    nets = parse_networks(allowed)
    if not any(net.version == a.version and net.subnet_of(a) for a in nets):  # type: ignore[arg-type]
        raise TargetNotAllowedError(
            f"refusing to sweep {net}: outside the allowed networks "
            f"({', '.join(map(str, nets))})")
    hosts = net.num_addresses - (2 if net.version == 4 and net.prefixlen < 31 else 0)
    if hosts > max_hosts:
        raise TargetNotAllowedError(f"refusing to sweep {net}: {hosts} addresses is more than "
                                    f"the limit of {max_hosts}")
    return net


def check_targets(targets: Iterable[str], allowed: Sequence[str] | None) -> list[str]:
    """Return ``targets`` if every one is inside ``allowed`` (None: no restriction).

    Raises:
        TargetNotAllowedError: naming the first target outside the allow-list.
    """
    addresses = [str(t) for t in targets]
    if allowed is None:
        return addresses
    nets = parse_networks(allowed)
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise TargetNotAllowedError(f"not an IP address: {address!r}") from None
        if not any(ip in net for net in nets):
            raise TargetNotAllowedError(
                f"refusing to probe {address}: outside the allowed networks "
                f"({', '.join(map(str, nets))})")
    return addresses
