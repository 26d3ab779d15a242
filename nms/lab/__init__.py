"""The simulated township-to-city e-government network behind ``nms lab``.

``generator`` writes the network (snmpsim recordings, inventory.yaml, ipplan.yaml, faults.yaml),
``snmpsim`` runs the SNMP agent simulator that serves it, ``service`` keeps one running in the
background for the CLI. Nothing here is imported by the rest of nms at run time.
"""
