"""Plugin registries: collectors, sinks, checks, inventory loaders (nornir's PluginRegister).

Built-in plugins are listed once, in setup.cfg's entry-point groups (``nms.collectors``,
``nms.sinks``, ``nms.checks``, ``nms.inventory_loaders``, ``nms.apps``, ``nms.receivers``);
third-party packages add theirs the same way. Core code finds plugins here by name and never
imports the plugin packages, which keeps dependencies pointing inward.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class RegistryError(LookupError):
    """Unknown or duplicate plugin name."""


class Registry(Generic[T]):
    """A name -> plugin map filled by the ``register`` decorator and by an entry-point group."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._plugins: dict[str, T] = {}
        self._loaded = False

    def register(self, plugin: T, name: str | None = None) -> T:
        """Register ``plugin`` under ``name`` (default: its ``name`` attribute); usable as decorator."""
        key = name or getattr(plugin, "name", None) or getattr(plugin, "id", None)
        if not key:
            raise RegistryError(f"{self.group}: plugin {plugin!r} has no name")
        existing = self._plugins.get(key)
        if existing is not None and existing is not plugin:
            raise RegistryError(f"{self.group}: duplicate plugin name {key!r}")
        self._plugins[key] = plugin
        return plugin

    def load_entry_points(self) -> None:
        """Import every plugin declared in this registry's entry-point group (once)."""
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            obj = ep.load()
            if ep.name not in self._plugins:
                self.register(obj, ep.name)

    def get(self, name: str) -> T:
        """The plugin called ``name``; raises RegistryError listing the known names."""
        self.load_entry_points()
        try:
            return self._plugins[name]
        except KeyError:
            known = ", ".join(sorted(self._plugins)) or "none"
            raise RegistryError(f"{self.group}: no plugin {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        """Sorted names of every registered plugin."""
        self.load_entry_points()
        return sorted(self._plugins)

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, plugin) pairs sorted by name."""
        self.load_entry_points()
        yield from sorted(self._plugins.items())

    def __contains__(self, name: object) -> bool:
        self.load_entry_points()
        return name in self._plugins


collectors: Registry[Callable[..., object]] = Registry("nms.collectors")
sinks: Registry[Callable[..., object]] = Registry("nms.sinks")
checks: Registry[object] = Registry("nms.checks")
inventory_loaders: Registry[Callable[..., object]] = Registry("nms.inventory_loaders")
apps: Registry[Callable[..., object]] = Registry("nms.apps")
#: listeners devices push to (SNMP traps): classes with ``from_config(config, snapshot, on_events)``
receivers: Registry[Callable[..., object]] = Registry("nms.receivers")
