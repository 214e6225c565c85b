"""What contributors do to the path prior (``Contributor.prior_factors``; atlas-git's:
libraries copied into the source tree).

A contributor gives its factors at index time, right after ``contribute``, for the index
generation just written; they are stored beside its data (``extras/<name>.priors.msgpack``)
so a query reads one small record and calls no plugin. A query applies them while the
generation is the same and the plugin that gave them is still loaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from atlas_core.paths import display_text

if TYPE_CHECKING:
    from atlas_core.components import IndexView
    from atlas_core.index.reader import IndexReader

__all__ = ["PRIORS_SUFFIX", "contributed_factor", "prior_record", "prior_summary"]

#: a contributor's factors are stored as the extra record ``<name>.priors`` (contributor
#: names hold no dot, so none can collide with it)
PRIORS_SUFFIX = ".priors"


def prior_record(
    contributor: Any, data: Any, view: IndexView, plugin: str
) -> dict[str, Any] | None:
    """The record of ``contributor``'s factors for ``data`` on ``view`` (``factors`` empty
    when it gives none); None when it has no ``prior_factors`` (plugin API 1.0).

    :raises ValueError: an id that is not a file of ``view``, a factor that is not a
        finite number >= 0, or a reason that is not a string (the caller reports it naming
        the plugin).
    """
    method = getattr(contributor, "prior_factors", None)  # API 1.1: may be missing
    if method is None:
        return None
    factors = []
    for item in method(data, view):
        ids = np.unique(np.asarray(item.ids, dtype=np.int64))
        if len(ids) and (ids[0] < 0 or ids[-1] >= len(view)):
            raise ValueError(
                f"file id {int(ids[0] if ids[0] < 0 else ids[-1])} is not in the index"
            )
        factor = item.factor
        if not isinstance(factor, int | float) or not math.isfinite(factor) or factor < 0:
            raise ValueError(f"prior factor {factor!r} is not a finite number >= 0")
        if not isinstance(item.reason, str):
            raise ValueError(f"prior factor reason {item.reason!r} is not a string")
        if len(ids):
            factors.append(
                {"ids": ids.astype("<i4").tobytes(), "factor": float(factor), "reason": item.reason}
            )
    return {"generation": view.generation, "plugin": plugin, "factors": factors}


def contributed_factor(
    reader: IndexReader, plugins: Collection[str], note: Callable[[str], None]
) -> np.ndarray | None:
    """Per file, the product of the stored factors for ``reader``'s generation from the
    ``plugins`` (distributions) loaded now; None when none applies."""
    factor: np.ndarray | None = None
    for _, record in _current(reader):
        if record.get("plugin") not in plugins:
            continue
        for item in record.get("factors", ()):
            ids = np.frombuffer(item["ids"], dtype="<i4")
            if factor is None:
                factor = np.ones(len(reader))
            factor[ids] *= item["factor"]
            reason = display_text(item["reason"])  # a plugin's words, naming directories
            note(f"{reason}: path prior x{item['factor']:g} ({len(ids)} files)")
    return factor


def prior_summary(reader: IndexReader) -> dict[str, list[str]]:
    """Per contributor, what its stored factors for ``reader``'s generation do, a line each
    (``atlas inspect``)."""
    out: dict[str, list[str]] = {}
    for owner, record in _current(reader):
        lines = [
            f"{display_text(item['reason'])}: x{item['factor']:g} ({len(item['ids']) // 4} files)"
            for item in record.get("factors", ())
        ]
        if lines:
            out[owner] = lines
    return out


def _current(reader: IndexReader) -> Iterator[tuple[str, dict[str, Any]]]:
    """(contributor, record) of every stored prior-factor record for ``reader``'s generation."""
    for name in reader.extra_names():
        if not name.endswith(PRIORS_SUFFIX):
            continue
        record = reader.extra(name)
        if isinstance(record, dict) and record.get("generation") == reader.generation:
            yield name.removesuffix(PRIORS_SUFFIX), record
