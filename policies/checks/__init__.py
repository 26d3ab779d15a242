"""Class checks: logic that spans objects (a prefix and its site's block, both ends of a link).

One module per area (``ip_plan``, ``link_health``); each check is registered in
``nms.registry.checks`` by its decorator and listed in setup.cfg's ``nms.checks`` group.
"""
