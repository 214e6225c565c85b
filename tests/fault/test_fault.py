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
from faultkit.kill import _before_atlas_ran

SEED = int(os.environ.get("ATLAS_FAULT_SEED") or random.SystemRandom().randrange(10**9))


@pytest.mark.parametrize("part", sorted(PARTS))
def test_part_survives(part: str, tmp_path: Path) -> None:
    print(f"fault seed {SEED} (ATLAS_FAULT_SEED={SEED} to replay)")
    tally = run_part(part, Config(SEED, tmp_path))
    assert tally.tried > 0, tally.summary()
    assert tally.broken == 0, f"seed {SEED}\n{tally.summary()}"


def test_an_interrupt_before_atlas_ran_is_told_apart() -> None:
    """Ctrl-C in Python's own start-up or import machinery is no breakage of Atlas; one in
    Atlas's code, or any other error, is."""
    ignored = (
        "Exception ignored in: <function _get_module_lock.<locals>.cb at 0x7f>\n"
        "Traceback (most recent call last):\n"
        '  File "<frozen importlib._bootstrap>", line 199, in cb\n'
        "KeyboardInterrupt: \n"
    )
    assert _before_atlas_ran(ignored)
    plain = (
        'Traceback (most recent call last):\n  File "<frozen site>", line 1\nKeyboardInterrupt\n'
    )
    assert _before_atlas_ran(plain)
    ours = (
        "Traceback (most recent call last):\n"
        '  File "/x/atlas_core/index/builder.py", line 3, in update\nKeyboardInterrupt\n'
    )
    assert not _before_atlas_ran(ours)
    assert not _before_atlas_ran("Traceback (most recent call last):\nValueError: bad\n")
