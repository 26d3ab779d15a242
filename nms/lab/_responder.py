"""Launch snmpsim's command responder with recording selection by transport endpoint restored.

Run by the interpreter of ``.venv-lab`` (``.venv-lab/bin/python _responder.py <responder args>``),
never imported by nms: it imports snmpsim, which nms's own environment does not have.

Why this exists: snmpsim 1.2.2 selects a recording by ``<context>/<transport domain>/<source
address>`` path under ``--data-dir`` in its ``handleMgmtOperation`` overrides, but pysnmp 7 renamed
that hook to ``handle_management_operation`` (and dropped its ``acInfo`` argument). The overrides
are never called, so every request is answered from the community's own recording and one
snmpsim process cannot serve different devices on different addresses with one community. This
module installs the hook under its new name and otherwise leaves snmpsim alone.

Selection, as in snmpsim's ``datafile.probe_context``: a v1/v2c community ``C`` is mapped by
snmpsim to the context name ``md5hex(C)``; for a request that arrives on the N-th
``--agent-udpv4-endpoint`` (transport domain ``1.3.6.1.6.1.1.N``, N counted from 0 in command
line order) from source address ``S``, the first existing recording of

    <data-dir>/<md5hex(C)>/1.3.6.1.6.1.1.N/S.snmprec
    <data-dir>/<md5hex(C)>/1.3.6.1.6.1.1.N.snmprec
    <data-dir>/C.snmprec

answers. ``<data-dir>/C.snmprec`` must exist: it is what makes snmpsim accept the community.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

# Python puts this file's directory first on sys.path, where nms/lab/snmpsim.py would shadow the
# snmpsim package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

from pysnmp.entity.rfc3413 import cmdrsp  # noqa: E402
from pysnmp.smi import error as smi_error  # noqa: E402
from snmpsim import datafile  # noqa: E402
from snmpsim.commands import responder  # noqa: E402


def _select_context(handler: cmdrsp.CommandResponderBase, snmp_engine: object,
                    context_name: bytes) -> bytes:
    """Return the context name of the most specific recording for this request."""
    exec_ctx = snmp_engine.observer.get_execution_context(  # type: ignore[attr-defined]
        "rfc3412.receiveMessage:request")
    engine_id = exec_ctx["contextEngineId"]
    if engine_id == snmp_engine.snmpEngineID:  # type: ignore[attr-defined]
        engine_id = datafile.SELF_LABEL
    else:
        engine_id = engine_id.prettyPrint()
    for candidate in datafile.probe_context(exec_ctx["transportDomain"],
                                            exec_ctx["transportAddress"], engine_id,
                                            exec_ctx["contextName"].prettyPrint()):
        # snmpsim registers a recording under md5hex(path) when the path is longer than 32
        probed = hashlib.md5(candidate).hexdigest().encode() if len(candidate) > 32 else candidate
        try:
            handler.snmpContext.get_mib_instrum(probed)
        except smi_error.PySnmpError:
            continue
        return probed
    return context_name


def _install(name: str) -> None:
    """Give snmpsim's responder class ``name`` the pysnmp 7 hook that selects the recording."""
    base = getattr(cmdrsp, name)

    def handle_management_operation(self: Any, snmp_engine: Any, state_reference: Any,
                                    context_name: bytes, pdu: Any) -> None:
        context_name = _select_context(self, snmp_engine, context_name)
        base.handle_management_operation(self, snmp_engine, state_reference, context_name, pdu)

    getattr(responder, name).handle_management_operation = handle_management_operation


for _name in ("GetCommandResponder", "NextCommandResponder", "BulkCommandResponder",
              "SetCommandResponder"):
    _install(_name)

if __name__ == "__main__":
    sys.argv[0] = "snmpsim-command-responder"
    sys.exit(responder.main())
