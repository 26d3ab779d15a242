"""The nms error hierarchy.

Library exceptions (pysnmp, gufo-snmp, netmiko, influxdb-client, SQLAlchemy) are translated into
these at the collector, sink or store boundary, so the pipeline and the CLI deal with one family.
Per-device errors are values in a ``PollResult``; only a start-up ``ConfigError`` ends the process.
"""

from __future__ import annotations


class NmsError(Exception):
    """Base of every error nms raises on purpose."""


class ConfigError(NmsError):
    """config.yaml (or another input file) is malformed; the message names file and key path."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        where = ""
        if path:
            where = f"{path}: "
        if key:
            where += f"{key}: "
        super().__init__(f"{where}{message}")


class ImportRowError(NmsError):
    """A row of an inventory import file is invalid; nothing of the file is written."""

    def __init__(self, errors: list[str], *, path: str | None = None) -> None:
        self.errors = errors
        self.path = path
        head = f"{path}: " if path else ""
        super().__init__(head + f"{len(errors)} invalid row(s), nothing imported:\n  " + "\n  ".join(errors))


class DeviceError(NmsError):
    """Something went wrong talking to one device."""


class DeviceTimeoutError(DeviceError):
    """The device did not answer in time (or not within its time budget)."""


class DeviceAuthError(DeviceError):
    """The device refused our credentials (wrong community, unknown v3 user, bad keys)."""


class DeviceUnreachableError(DeviceError):
    """No route, port closed, or ICMP unreachable."""


class ProtocolError(DeviceError):
    """The device answered with something we cannot use (garbled PDU, non-increasing OID...)."""


class ParseError(NmsError):
    """Input text (a config, a recording) could not be parsed."""


class SinkError(NmsError):
    """The time-series store refused or could not take a write or a query."""


class StoreError(NmsError):
    """The relational (inventory) store is unreachable or inconsistent."""
