"""Errors Atlas raises. Each carries a message fit to show the user on one line."""

from __future__ import annotations

__all__ = [
    "AtlasError",
    "AtlasPluginError",
    "CacheDirError",
    "IndexCorruptError",
    "IndexWriteError",
    "PluginConflictError",
    "PluginFailure",
    "PluginLoadError",
    "UsageError",
]


class AtlasError(Exception):
    """Base class: the message is shown to the user as is, without a traceback."""


class UsageError(AtlasError):
    """Bad input from the user (root, task, preset, format, selection file)."""


class IndexCorruptError(AtlasError):
    """The on-disk index is unreadable, from another format version, or fails its checksum."""


class CacheDirError(AtlasError):
    """The cache directory cannot be used: a symlink, a file, or holding entries Atlas did not
    create. Atlas then neither reads nor writes there."""


class IndexWriteError(AtlasError):
    """The index cannot be written (read-only file system, no permission, disk full)."""


class AtlasPluginError(AtlasError):
    """Raised by a plugin for a clean, user-facing failure."""


class PluginLoadError(AtlasError):
    """An entry-point plugin failed to import or register."""

    def __init__(self, display: str, version: str, cause: BaseException) -> None:
        self.display = display
        self.version = version
        self.cause = cause
        super().__init__(
            f"plugin {display} {version} failed to load: {type(cause).__name__}: {cause}"
        )


class PluginConflictError(AtlasError):
    """Two plugins registered a component under the same name."""


class PluginFailure(AtlasError):
    """An exception escaped a plugin's component or hook: one line naming the distribution,
    the component and the stage (``plugin acme-signal: signal team_dirs failed while
    scoring: ValueError: kaboom``).

    When the plugin raised an :class:`AtlasError` itself (``own``), its message is the
    plugin's own line for the user and is shown as it is. Picklable, so a failure inside an
    indexing worker process reaches the parent whole.
    """

    def __init__(
        self, plugin: str, component: str, stage: str, error: str, own: bool = False
    ) -> None:
        self.plugin = plugin
        self.component = component
        self.stage = stage
        self.error = error
        self.own = own
        super().__init__(
            error if own else f"plugin {plugin}: {component} failed while {stage}: {error}"
        )

    def __reduce__(self) -> tuple[type[PluginFailure], tuple[str, str, str, str, bool]]:
        return (type(self), (self.plugin, self.component, self.stage, self.error, self.own))
