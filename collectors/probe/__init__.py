"""Reachability probes (device I/O, so not in nms core): ICMP echo and TCP SYN with scapy.

Modules:
  ``policy``  which addresses may be probed or swept (explicit allow-lists; refusals are errors)
  ``icmp``    ICMP echo / TCP SYN probes with scapy (raw sockets), and the unprivileged
              fallbacks: the ``ping`` program and TCP connect() timing
  ``runner``  probe targets from the inventory (devices and planned link endpoints), one round
              -> ``probe`` samples, and a schedule loop
  ``sweep``   ping/ARP sweep of a prefix + an SNMP identity probe -> proposed inventory rows
  ``cli``     ``nms probe run|sweep``

Samples: measurement ``probe``, tags ``device``, ``target`` (address), ``kind`` (``device`` or
``link_endpoint``), ``method``, plus ``link``/``ifname`` for link endpoints; fields
``loss_percent``, ``rtt_avg_ms``, ``rtt_min_ms``, ``rtt_max_ms``, ``rtt_mdev_ms``, ``sent``,
``received``, ``reachable``.
"""
