"""Extreme but real inputs: huge or deeply nested files, odd line ends, a full disk, no memory.

Big inputs are made small here: the limits are module constants the tests lower.
"""

from __future__ import annotations

import resource
from pathlib import Path

import numpy as np
import pytest

from atlas_core.index import postings

# -- the index on a full disk ----------------------------------------------------------


def test_a_spill_that_fills_the_disk_is_removed(tmp_path: Path) -> None:
    """Closing a spill file flushes it, which fails again on a full disk: the files were
    left behind, kept the disk full and every later ``atlas index`` failed. A file-size
    limit stands in for the full disk (Python ignores SIGXFSZ: writes fail with EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, hard))
    try:
        with pytest.raises(OSError), postings.Spill(tmp_path) as spill:
            for _ in range(64):
                spill.add(np.arange(500, dtype=np.uint32), np.ones((500, 3), np.uint16), b"s" * 99)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert list(tmp_path.iterdir()) == []
