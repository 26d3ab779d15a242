"""SNMP trap receiver: traps and informs (v1, v2c, v3) decoded into alarm events (pysnmp 7)."""
