"""Run ``policies.audit.probes.run_probes`` for jobs given as JSON; print the results as JSON.

``test_probes_live`` starts this under ``setpriv --bounding-set -net_raw`` so the probes run in a
process without CAP_NET_RAW -- the unprivileged path a non-root console takes (TCP/23 by
``connect()`` instead of a scapy SYN) -- while the test itself may be root.

    python tests/audit/probe_runner.py '[{"address": "127.0.0.1", "telnet_port": 2323}]'
"""

from __future__ import annotations

import json
import sys

from policies.audit.probes import run_probes


def main() -> None:
    jobs = json.loads(sys.argv[1])
    print(json.dumps([run_probes(job.pop("address"), **job) for job in jobs]))


if __name__ == "__main__":
    main()
