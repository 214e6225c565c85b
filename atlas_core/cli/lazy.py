"""Commands imported when first used: ``atlas query`` does not pay for ``atlas init``'s imports.

A command is added to the ``atlas`` group as a :class:`LazyCommand` placeholder naming where
the real command lives (``"package.module:attr"``). The group's command table is a
:class:`LazyCommands` mapping, which swaps a placeholder for the real command the first
time it is looked up (running a command, ``--help``, completion), so everything that reads
the table sees real commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from typing import Any

import click

__all__ = ["LazyCommand", "LazyCommands", "lazy_command"]


class LazyCommand(click.Command):
    """A placeholder for the command ``target`` (``"module:attr"``) of the atlas group."""

    def __init__(self, name: str, target: str, *, hidden: bool = False) -> None:
        super().__init__(name, hidden=hidden)
        self.target = target

    def load(self) -> click.Command:
        """Import and return the real command."""
        module_name, _, attr = self.target.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
        if not isinstance(obj, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return obj


def lazy_command(name: str, target: str, *, hidden: bool = False) -> click.Command:
    """A command for ``cli.add_command`` in ``atlas_add_commands`` that is imported from
    ``target`` (``"module:attr"``) only when it is used, so other commands start faster."""
    return LazyCommand(name, target, hidden=hidden)


class LazyCommands(dict[str, click.Command]):
    """A group's command table that loads placeholders when they are looked up."""

    def __init__(
        self,
        commands: Mapping[str, click.Command],
        on_load: Callable[[str, click.Command], None] | None = None,
    ) -> None:
        super().__init__(commands)
        #: called with each command as it is loaded (the CLI adds its examples)
        self.on_load = on_load

    def _resolve(self, name: str, command: click.Command) -> click.Command:
        if not isinstance(command, LazyCommand):
            return command
        real = command.load()
        super().__setitem__(name, real)
        if self.on_load is not None:
            self.on_load(name, real)
        return real

    def __getitem__(self, name: str) -> click.Command:
        return self._resolve(name, super().__getitem__(name))

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        command = super().get(name)
        return default if command is None else self._resolve(name, command)

    def items(self) -> ItemsView[str, click.Command]:  # type: ignore[override]
        for name in list(self):
            self[name]
        return super().items()

    def values(self) -> ValuesView[click.Command]:  # type: ignore[override]
        self.items()
        return super().values()

    def __iter__(self) -> Iterator[str]:
        return iter(list(super().keys()))
