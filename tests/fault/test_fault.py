"""The fault harness in its short form: each part must report "broken 0".

``scripts/fault --long`` runs hundreds of trials. The seed is random unless
``ATLAS_FAULT_SEED`` is set; a failure names the seed, the case and the command to replay it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from faultkit.cli import PARTS, run_part
from faultkit.common import Config

SEED = int(os.environ.get("ATLAS_FAULT_SEED") or random.SystemRandom().randrange(10**9))


@pytest.mark.parametrize("part", sorted(PARTS))
def test_part_survives(part: str, tmp_path: Path) -> None:
    print(f"fault seed {SEED} (ATLAS_FAULT_SEED={SEED} to replay)")
    tally = run_part(part, Config(SEED, tmp_path))
    assert tally.tried > 0, tally.summary()
    assert tally.broken == 0, f"seed {SEED}\n{tally.summary()}"
