"""Tests of the time-series sinks (nms.sink, nms.spool, collectors.sinks) against real stores."""
