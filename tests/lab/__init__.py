"""Tests of nms.lab. Helpers here read generated lab files back the way a poller sees them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_PHYS = "1.3.6.1.2.1.2.2.1.6"
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"
IP_AD_IFINDEX = "1.3.6.1.2.1.4.20.1.2"
IP_AD_MASK = "1.3.6.1.2.1.4.20.1.3"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"


def oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in oid.split("."))


@dataclass
class Recording:
    """One .snmprec file: OID -> (tag, value), values decoded to text where they are strings."""

    path: Path
    rows: dict[str, tuple[str, str]]
    order: list[str]

    @classmethod
    def read(cls, path: Path) -> Recording:
        rows: dict[str, tuple[str, str]] = {}
        order: list[str] = []
        for line in path.read_text(encoding="ascii").splitlines():
            oid, tag, value = line.split("|", 2)
            if tag == "4x":
                raw = bytes.fromhex(value)
                try:
                    value = raw.decode("utf-8")
                    tag = "4"
                except UnicodeDecodeError:
                    pass
            rows[oid] = (tag, value)
            order.append(oid)
        return cls(path, rows, order)

    def value(self, oid: str) -> str:
        return self.rows[oid][1]

    def column(self, prefix: str) -> dict[str, str]:
        """{index suffix: value} for every OID under ``prefix``."""
        head = prefix + "."
        return {oid[len(head):]: v for oid, (_, v) in self.rows.items() if oid.startswith(head)}

    def if_names(self) -> dict[int, str]:
        return {int(i): name for i, name in self.column(IF_NAME).items()}

    def addresses(self) -> list[tuple[str, ipaddress.IPv4Interface]]:
        """(ifName, address/prefix) for every ipAddrTable row."""
        names = self.if_names()
        masks = self.column(IP_AD_MASK)
        out = []
        for addr, index in self.column(IP_AD_IFINDEX).items():
            out.append((names[int(index)], ipaddress.IPv4Interface(f"{addr}/{masks[addr]}")))
        return out

    def lldp_neighbours(self, macs: dict[str, tuple[str, str]]) -> set[tuple[str, str, str]]:
        """(local ifName, remote sysName, remote port name) from lldpRemTable.

        ``macs`` maps a port MAC (hex) to (device, ifName), for peers that identify their port
        by MAC address (LLDP port id subtype 3).
        """
        names = self.if_names()
        out = set()
        for index, sysname in self.column(f"{LLDP_REM}.9").items():
            _, local, _ = index.split(".")
            subtype = self.value(f"{LLDP_REM}.6.{index}")
            port = self.value(f"{LLDP_REM}.7.{index}")
            if subtype == "3":
                port = macs[port.lower()][1]
            out.add((names[int(local)], sysname, port))
        return out


def load_lab(out_dir: Path) -> dict[str, Any]:
    """inventory.yaml, ipplan.yaml, faults.yaml, manifest.yaml and every recording."""
    lab: dict[str, Any] = {}
    for name in ("inventory", "ipplan", "faults", "manifest"):
        lab[name] = yaml.safe_load((out_dir / f"{name}.yaml").read_text(encoding="utf-8"))
    lab["recordings"] = {d["name"]: Recording.read(out_dir / d["recording"])
                         for d in lab["manifest"]["devices"]}
    return lab
