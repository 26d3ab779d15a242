"""nms: network operations and security management console."""

__version__ = "0.1.0"
