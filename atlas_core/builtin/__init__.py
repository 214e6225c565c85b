"""Atlas's own behaviour, registered through the same hooks a third-party plugin uses."""

from __future__ import annotations

__all__ = ["BUILTIN_PLUGINS", "ESSENTIAL"]

#: registered first, in this order, as ``builtin.<module>``
BUILTIN_PLUGINS = (
    "atlas_core.builtin.walk_fs",
    "atlas_core.builtin.classify_default",
    "atlas_core.builtin.chunk_regex",
    "atlas_core.builtin.chunk_treesitter",
    "atlas_core.builtin.signal_bm25f",
    "atlas_core.builtin.signal_path",
    "atlas_core.builtin.signal_mentions",
    "atlas_core.builtin.fuse_rrf",
    "atlas_core.builtin.fuse_weighted",
    "atlas_core.builtin.formats",
    "atlas_core.builtin.format_context",
    "atlas_core.builtin.cmd_init",
)

#: built-ins that ``--disable-plugin`` cannot turn off: without them nothing works
ESSENTIAL = frozenset({"walk_fs", "classify_default", "fuse_weighted", "formats"})
