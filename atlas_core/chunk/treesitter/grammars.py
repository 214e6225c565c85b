"""Grammars of tree-sitter-language-pack, loaded one at a time.

Importing the pack itself loads three large grammars (C#, YAML, embedded templates) and
``importlib.resources`` before the one a run needs: some 30-50 ms, paid by every re-index
that chunks even one file. Each grammar of the pack is its own extension module
(``tree_sitter_language_pack/bindings/<name>.<suffix>``), so the one needed is loaded on
its own. Where that layout is not found (another version of the pack), the pack's own
loader is used.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

__all__ = ["load_language"]

_PACK = "tree_sitter_language_pack"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def load_language(name: str) -> Any:
    """The tree-sitter ``Language`` of grammar ``name`` of the language pack.

    :raises LookupError: when the pack has no such grammar.
    """
    from tree_sitter import Language

    binding = _binding(name)
    if binding is None:
        from tree_sitter_language_pack import get_language

        return get_language(name)  # type: ignore[arg-type]
    return Language(binding)


def _binding(name: str) -> Any:
    """The grammar's capsule from its extension module, or None to use the pack's loader."""
    if not _NAME.fullmatch(name):
        return None
    full = f"{_PACK}.bindings.{name}"
    module = sys.modules.get(full)
    if module is None:
        path = _module_path(name)
        if path is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(full, str(path))
        spec = importlib.util.spec_from_file_location(full, path, loader=loader)
        if spec is None:
            return None
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        sys.modules[full] = module  # the pack, if imported later, finds it loaded
    language = getattr(module, "language", None)
    return language() if callable(language) else None


def _module_path(name: str) -> Path | None:
    spec = importlib.util.find_spec(_PACK)  # a top-level name: nothing is imported
    if spec is None or not spec.submodule_search_locations:
        return None
    bindings = Path(next(iter(spec.submodule_search_locations))) / "bindings"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = bindings / f"{name}{suffix}"
        if path.is_file():
            return path
    return None
