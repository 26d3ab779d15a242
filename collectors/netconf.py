"""NETCONF (RFC 6241) with ncclient: ``<get-config>`` backups and ietf-interfaces state samples.

* ``get_config_xml`` reads the running datastore (optionally one subtree) as pretty XML text,
  which ``nms.configs`` stores like any other config (kind ``netconf``); ``collect_and_store``
  does both, with the same contract as ``collectors.ssh.collect_and_store``.
* ``NetconfCollector.collect`` ``<get>`` s ``/interfaces-state`` (RFC 7223, pre-NMDA as netconfd
  serves it) and returns ``interface`` samples with the same schema the SNMP collector emits from
  IF-MIB (collectors/snmp/profiles/if_mib.yaml): tags ``device``/``ifname``/``ifindex``, fields
  ``in_octets``, ``out_octets``, ``in_ucast_packets`` …, ``in_errors``, ``out_discards``,
  ``admin_status``, ``oper_status``, ``speed_bps``, plus ``counter_bits`` 64 (ietf counters are
  yang:counter64). ``oper-status`` values are given their IF-MIB names (RFC 7223 defines them
  as ifOperStatus: ``lower-layer-down`` -> ``lowerLayerDown``), so a dashboard or check reads
  one vocabulary whichever collector polled. There is no ``ifindex`` tag unless the server
  fills ``if-index`` (netconfd does not). Errors become a ``PollResult`` status, never an
  exception.
"""

from __future__ import annotations

import time
from typing import Any

from collectors.ssh import ConfigResult
from nms.config import SshAuth
from nms.models import PollResult, PollStatus, Sample, utcnow

IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
STATE_FILTER = ("subtree", f'<interfaces-state xmlns="{IF_NS}"/>')
# ietf-interfaces statistics leaf -> our field name (same names as the IF-MIB profile)
STAT_FIELDS = {
    "in-octets": "in_octets", "out-octets": "out_octets",
    "in-unicast-pkts": "in_ucast_packets", "out-unicast-pkts": "out_ucast_packets",
    "in-multicast-pkts": "in_multicast_packets", "out-multicast-pkts": "out_multicast_packets",
    "in-broadcast-pkts": "in_broadcast_packets", "out-broadcast-pkts": "out_broadcast_packets",
    "in-errors": "in_errors", "out-errors": "out_errors", "in-discards": "in_discards",
    "out-discards": "out_discards",
}
# ietf-interfaces enumeration names -> IF-MIB names (enums.yaml ifOperStatus / ifAdminStatus)
STATUS_NAMES = {"lower-layer-down": "lowerLayerDown", "not-present": "notPresent"}


def _connect(device: dict[str, Any], auth: SshAuth, timeout_s: float) -> Any:
    from ncclient import manager

    return manager.connect(host=device["address"], port=int(device.get("netconf_port") or auth.netconf_port),
                           username=auth.username, password=auth.password, key_filename=auth.key_file,
                           hostkey_verify=False, allow_agent=False, look_for_keys=bool(auth.key_file),
                           timeout=timeout_s)


def _status(exc: BaseException) -> tuple[PollStatus, str]:
    from ncclient.transport.errors import AuthenticationError, SSHError

    if isinstance(exc, AuthenticationError):
        return PollStatus.AUTH_FAILURE, f"authentication failed: {exc}"
    if isinstance(exc, TimeoutError) or "timed out" in str(exc).lower():
        return PollStatus.TIMEOUT, f"timed out: {exc}"
    if isinstance(exc, ConnectionRefusedError) or "refused" in str(exc).lower():
        return PollStatus.UNREACHABLE, f"connection refused: {exc}"
    if isinstance(exc, SSHError | OSError | EOFError):
        return PollStatus.ERROR, f"connection dropped: {type(exc).__name__}: {exc}"
    return PollStatus.ERROR, f"{type(exc).__name__}: {exc}"


def get_config_xml(device: dict[str, Any], auth: SshAuth, *, subtree: str | None = None,
                   timeout_s: float = 20.0) -> tuple[str | None, PollStatus, str | None]:
    """(xml text or None, status, error) of ``<get-config source=running>``; never raises."""
    from lxml import etree

    try:
        with _connect(device, auth, timeout_s) as m:
            reply = m.get_config(source="running", filter=("subtree", subtree) if subtree else None)
            data = reply.data_ele if hasattr(reply, "data_ele") else etree.fromstring(reply.xml.encode())
            text = etree.tostring(data, pretty_print=True, encoding="unicode")
            return text, PollStatus.OK, None
    except Exception as exc:  # noqa: BLE001 - per-device failure is a value
        status, message = _status(exc)
        return None, status, f"{device['name']}: {message}"


def collect_and_store(engine: Any, device: dict[str, Any], auth: SshAuth, *, by: str = "scheduler",
                      timeout_s: float = 20.0, subtree: str | None = None) -> tuple[ConfigResult, list[Any]]:
    """``<get-config>`` one device and store the XML (kind ``netconf``) when it changed.

    Returns:
        (result, [(VersionInfo, created)]); nothing is stored when the read failed.
    """
    from nms.configs import store_config

    started = time.monotonic()
    result = ConfigResult(str(device["name"]), str(device.get("platform") or "netconf"))
    text, result.status, result.error = get_config_xml(device, auth, subtree=subtree, timeout_s=timeout_s)
    result.duration_s = time.monotonic() - started
    stored = []
    if text is not None and result.status is PollStatus.OK and text.strip():
        result.texts["running"] = text
        stored.append(store_config(engine, result.device, text, kind="netconf", source="netconf", by=by))
    return result, stored


def interface_samples(device: str, state_xml: Any, when: Any) -> list[Sample]:
    """``interface`` samples from an ``<interfaces-state>`` element (lxml)."""
    samples = []
    ns = {"if": IF_NS}
    for intf in state_xml.iterfind(".//if:interfaces-state/if:interface", ns):
        name = intf.findtext("if:name", namespaces=ns)
        if not name:
            continue
        tags = {"device": device, "ifname": name}
        if_index = intf.findtext("if:if-index", namespaces=ns)
        if if_index:
            tags["ifindex"] = if_index
        fields: dict[str, Any] = {}
        for leaf, key in STAT_FIELDS.items():
            value = intf.findtext(f"if:statistics/if:{leaf}", namespaces=ns)
            if value is not None and value.strip().isdigit():
                fields[key] = int(value)
        for leaf, key in (("admin-status", "admin_status"), ("oper-status", "oper_status")):
            value = intf.findtext(f"if:{leaf}", namespaces=ns)
            if value:
                fields[key] = STATUS_NAMES.get(value.strip(), value.strip())
        speed = intf.findtext("if:speed", namespaces=ns)
        if speed and speed.isdigit():
            fields["speed_bps"] = int(speed)
        if fields:
            if "in_octets" in fields:
                fields["counter_bits"] = 64
            samples.append(Sample("interface", tags, fields, when))
    return samples


class NetconfCollector:
    """State collector over NETCONF: ietf-interfaces counters/status as ``interface`` samples."""

    name = "netconf"

    def __init__(self, timeout_s: float = 20.0) -> None:
        self.timeout_s = timeout_s

    def collect(self, device: Any, auth: Any) -> PollResult:
        """Poll one device; errors are returned in the result."""
        dev = device if isinstance(device, dict) else device.as_dict()
        started = utcnow()
        t0 = time.monotonic()
        result = PollResult(device=str(dev["name"]), collector=self.name, started=started)
        try:
            with _connect(dev, auth, self.timeout_s) as m:
                reply = m.get(filter=STATE_FILTER)
                result.samples = interface_samples(result.device, reply.data_ele, started)
                result.state["interfaces"] = [
                    {"name": s.tags["ifname"], **{k: v for k, v in s.fields.items()}} for s in result.samples]
        except Exception as exc:  # noqa: BLE001 - per-device failure is a value
            result.status, message = _status(exc)
            result.error = f"{result.device}: {message}"
        result.duration_s = time.monotonic() - t0
        result.samples.append(result.status_sample())
        return result

    async def collect_async(self, device: Any, auth: Any) -> PollResult:
        """The blocking poll in a worker thread (ncclient is synchronous)."""
        import asyncio

        return await asyncio.to_thread(self.collect, device, auth)
