"""Per-invocation CLI state: global options, the plugin manager, messages to stderr."""

from __future__ import annotations

import contextlib
import os
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from atlas_core.errors import UsageError
from atlas_core.plugin.manager import AtlasPluginManager

if TYPE_CHECKING:
    from atlas_core.repository import Repository

__all__ = ["COLOR_MODES", "AppState"]

#: ``--color`` values; ``--no-color`` is ``never``.
COLOR_MODES = ("auto", "always", "never")


@attrs.define
class AppState:
    """What every command needs; built from the global options."""

    manager: AtlasPluginManager
    root_option: str | None = None
    format: str = "auto"
    quiet: bool = False
    verbose: int = 0
    no_color: bool = False
    color_mode: str = "auto"

    def __attrs_post_init__(self) -> None:
        from atlas_core.progress import set_quiet

        set_quiet(self.quiet)  # plugins draw progress bars too; -q silences them all

    def info(self, message: str) -> None:
        """Shown under ``-v``."""
        if self.verbose and not self.quiet:
            print(f"atlas: {message}", file=sys.stderr)

    def warn(self, message: str) -> None:
        """Always shown unless ``-q``."""
        if not self.quiet:
            print(f"atlas: warning: {message}", file=sys.stderr)

    @cached_property
    def root(self) -> Path:
        from atlas_core.engine import resolve_root

        return resolve_root(self.root_option)

    @cached_property
    def base(self) -> str:
        """The current directory inside the root (``""`` at the root or outside it)."""
        from atlas_core.engine import relative_base

        return relative_base(self.root)

    @cached_property
    def repo(self) -> Repository:
        """The repository (:mod:`atlas_core.repository`): every command goes through it."""
        from atlas_core.index.lock import env_lock_timeout
        from atlas_core.repository import Repository

        env_lock_timeout()  # a bad value fails now, not only when a lock is contended

        return Repository(self.root, manager=self.manager, on_message=self.warn)

    @property
    def atlas(self) -> Any:
        """The engine under :attr:`repo` (kept for plugin commands written against it)."""
        return self.repo.engine

    def color(self, stream: TextIO) -> bool:
        """ANSI colours on ``stream``? ``--color always|never`` decides; ``auto``: on a
        terminal unless ``NO_COLOR`` is set (to anything but an empty string)."""
        mode = "never" if self.no_color else self.color_mode
        if mode != "auto":
            return mode == "always"
        if os.environ.get("NO_COLOR"):
            return False
        return stream.isatty()

    def output_format(self, stream: TextIO) -> Any:
        name = self.format
        if name == "auto":
            name = "human" if stream.isatty() else "jsonl"
        formats = self.manager.registry("formats")
        fmt = formats.get(name)
        if fmt is None:
            known = ", ".join(["auto", *formats.names()])
            raise UsageError(f"unknown format {name!r} (known: {known})")
        return fmt

    def progress(self) -> Any:
        """A stderr progress callback on a terminal (unless ``-q``); None otherwise."""
        from atlas_core.progress import progress_bar

        return None if self.quiet else progress_bar("indexing", "files")


def _setter(attr: str) -> Any:
    import click

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        state = ctx.find_object(AppState)
        if state is not None and value not in (None, False, 0, ()):
            if attr == "verbose":
                state.verbose += int(value)
            elif attr == "quiet":
                from atlas_core.progress import set_quiet

                state.quiet = True
                set_quiet(True)
            elif attr == "color_mode":  # the later of --color and --no-color wins
                state.color_mode = value
                state.no_color = False
            elif attr == "root_option":
                state.root_option = value
                for cached in ("root", "repo", "base"):  # slotted class: no __dict__ to pop from
                    with contextlib.suppress(AttributeError):
                        delattr(state, cached)
            else:
                setattr(state, attr, value)
        return value

    return callback


def common_options(func: Any) -> Any:
    """Let the global options also follow the command (``atlas query X --format json``)."""
    import click

    options = [
        click.option(
            "--root",
            default=None,
            metavar="DIR",
            expose_value=False,
            callback=_setter("root_option"),
            help="Repository root.",
        ),
        click.option(
            "--format",
            default=None,
            metavar="NAME",
            expose_value=False,
            callback=_setter("format"),
            help="auto|jsonl|json|human|compact|context.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            expose_value=False,
            callback=_setter("quiet"),
            help="No messages on stderr.",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_setter("verbose"),
            help="Explain what happens.",
        ),
        click.option(
            "--color",
            type=click.Choice(COLOR_MODES),
            default=None,
            expose_value=False,
            callback=_setter("color_mode"),
            help="ANSI colours: auto, always or never.",
        ),
        click.option(
            "--no-color",
            is_flag=True,
            expose_value=False,
            callback=_setter("no_color"),
            help="Same as --color never.",
        ),
        # read from the whole command line before the plugins load (main.py): accepted here
        click.option(
            "--disable-plugin",
            multiple=True,
            metavar="NAME",
            expose_value=False,
            help="Do not load this plugin (repeatable).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func
