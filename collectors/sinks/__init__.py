"""Time-series sinks: implementations of ``nms.sink.Sink``.

Each module is one store (``sqlite``, ``influx``, ``memory``); they are listed in setup.cfg's
``nms.sinks`` entry-point group and opened by ``nms.sink.open_sink``. Shared behaviour (input
rules, aggregation semantics, availability) lives in ``nms.sink`` so that every store agrees.
"""
