"""Collected state for the fixture inventory, shaped as the SNMP collector stores it.

``fixtures/inventory.yaml`` plans the network; this builds what polling it would have found
(``facts``, ``interfaces`` with ifOperStatus, ``addresses`` from IP-MIB, ``lldp_neighbors``;
the shapes of ``collectors/snmp/state.py``), with the faults the console must show:

* county A's uplink is cut: ``city-core-1 GE0/0/1`` and ``ca-r1 GE0/0/0`` are oper-down and
  no LLDP crosses them (their /30 is still configured, so the subnet fallback still finds the
  link, as ``nms.topology`` documents);
* ``tb1-sw1`` is cabled to ``cb-r1 GE0/0/3`` instead of the planned ``GE0/0/1`` (wrong port);
* ``ta1-sw1 Gi0/2`` and ``ta2-sw1 Gi0/2`` are linked although the plan has no such link;
* ``tb2-sw1 Gi0/3`` sees an IP phone that is not in the inventory;
* the firewall speaks no LLDP (found by its /30 only).

``reachability()`` is what the poller would report with that cut: county A's router and its
two townships do not answer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from nms.models import Sample, utcnow

FIXTURES = Path(__file__).parent / "fixtures"
CUT = (("city-core-1", "GE0/0/1"), ("ca-r1", "GE0/0/0"))
#: (device, planned port) -> the port the cable is really in
MOVED = {("cb-r1", "GE0/0/1"): "GE0/0/3"}
UNPLANNED = (("ta1-sw1", "Gi0/2"), ("ta2-sw1", "Gi0/2"))
NO_LLDP = {"city-fw-1"}
UNREACHABLE = {"ca-r1", "ta1-sw1", "ta2-sw1"}
PHONE = {"remote_chassis_id": "02:aa:bb:cc:dd:01", "remote_chassis_id_subtype": "macAddress",
         "remote_port_id": "02:aa:bb:cc:dd:01", "remote_port_id_subtype": "macAddress",
         "remote_port_description": "eth0", "remote_sysname": "ip-phone-1",
         "remote_system_description": "SIP phone", "remote_mgmt_address": "192.0.2.50"}


def collected_state(cut: bool = True) -> dict[str, dict[str, Any]]:
    """``{device: {getter: data}}`` for every fixture device (see the module docstring)."""
    inventory = yaml.safe_load((FIXTURES / "inventory.yaml").read_text(encoding="utf-8"))
    cut_ports = set(CUT) if cut else set()
    ports: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    addresses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    mac = {d["name"]: 0x0200_0000_0000 + (i << 8) for i, d in enumerate(inventory["devices"])}

    def port(device: str, name: str) -> dict[str, Any]:
        table = ports[device]
        if name not in table:
            n = len(table) + 1
            table[name] = {"ifIndex": n, "ifName": name, "ifDescr": name, "ifAlias": "",
                           "ifType": "ethernetCsmacd", "speed_bps": 10**9,
                           "ifAdminStatus": "up",
                           "ifOperStatus": "down" if (device, name) in cut_ports else "up",
                           "ifPhysAddress": f"{mac[device] + n:012x}"}
        return table[name]

    for dev in inventory["devices"]:
        addresses[dev["name"]].append({"ifIndex": 0, "address": dev["address"],
                                       "prefix_length": 32, "family": 4})
    for iface in inventory["interfaces"]:
        row = port(iface["device"], iface["name"])
        if iface.get("address"):
            address, length = iface["address"].split("/")
            addresses[iface["device"]].append({"ifIndex": row["ifIndex"], "address": address,
                                               "prefix_length": int(length), "family": 4})
    lldp: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def neighbour(here: str, here_port: str, there: str, there_port: str) -> None:
        if here in NO_LLDP or there in NO_LLDP:
            return
        local = port(here, here_port)["ifIndex"]
        chassis = f"{mac[there] + 1:012x}"
        lldp[here].append({
            "local_ifIndex": local, "local_port_num": local,
            "remote_chassis_id": ":".join(chassis[i:i + 2] for i in range(0, 12, 2)),
            "remote_chassis_id_subtype": "macAddress", "remote_port_id": there_port,
            "remote_port_id_subtype": "interfaceName", "remote_port_description": None,
            "remote_sysname": there, "remote_system_description": "",
            "remote_mgmt_address": next(d["address"] for d in inventory["devices"]
                                        if d["name"] == there)})

    for link in inventory["links"]:
        a = (link["a_device"], MOVED.get((link["a_device"], link["a_interface"]),
                                         link["a_interface"]))
        b = (link["b_device"], MOVED.get((link["b_device"], link["b_interface"]),
                                         link["b_interface"]))
        if a in cut_ports or b in cut_ports:
            continue  # a cut cable carries no LLDP
        neighbour(*a, *b)
        neighbour(*b, *a)
    (d1, p1), (d2, p2) = UNPLANNED
    neighbour(d1, p1, d2, p2)
    neighbour(d2, p2, d1, p1)
    phone_port = port("tb2-sw1", "Gi0/3")["ifIndex"]
    lldp["tb2-sw1"].append({"local_ifIndex": phone_port, "local_port_num": phone_port, **PHONE})
    return {dev["name"]: {
        "facts": {"sysName": dev["name"], "vendor": dev.get("vendor")},
        "interfaces": list(ports[dev["name"]].values()),
        "addresses": addresses[dev["name"]],
        "lldp_neighbors": lldp[dev["name"]],
    } for dev in inventory["devices"]}


def reachability(cut: bool = True) -> list[Sample]:
    """``poll_status`` samples of every fixture device, 30 s old."""
    inventory = yaml.safe_load((FIXTURES / "inventory.yaml").read_text(encoding="utf-8"))
    when = utcnow().replace(microsecond=0) - timedelta(seconds=30)
    return [Sample("poll_status", {"device": d["name"]},
                   {"reachable": not (cut and d["name"] in UNREACHABLE)}, when)
            for d in inventory["devices"]]


def write(app: Any, cut: bool = True) -> None:
    """Store the collected state (``nms.state``) and the polls (the app's sink)."""
    from nms.state import save_state

    engine = app.extensions["nms"].engine
    for device, state in collected_state(cut).items():
        save_state(engine, device, state)
    app.extensions["nms"].timeseries.sink().write(reachability(cut))
