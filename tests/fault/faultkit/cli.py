"""``scripts/fault``: run the fault parts and print their figures."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .common import Config, remove_tree
from .report import Tally

__all__ = ["PARTS", "main", "run_part"]


def _kill(cfg: Config) -> Tally:
    from .kill import run_kill

    return run_kill(cfg)


def _concurrent(cfg: Config) -> Tally:
    from .concurrent import run_concurrent

    return run_concurrent(cfg)


def _corrupt(cfg: Config) -> Tally:
    from .corrupt import run_corrupt

    return run_corrupt(cfg)


def _hostile(cfg: Config) -> Tally:
    from .hostile import run_hostile

    return run_hostile(cfg)


PARTS: dict[str, Callable[[Config], Tally]] = {
    "kill": _kill,
    "concurrent": _concurrent,
    "corrupt": _corrupt,
    "hostile": _hostile,
}


def run_part(name: str, cfg: Config) -> Tally:
    """Run one part and print its figures line."""
    t0 = time.monotonic()
    tally = PARTS[name](cfg)
    print(f"{tally.figures()}  ({time.monotonic() - t0:.1f}s)", flush=True)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/fault", description="Fault-injection runs against the atlas command line."
    )
    parser.add_argument("--seed", type=int, help="random seed (printed; default: random)")
    parser.add_argument("--long", action="store_true", help="hundreds of trials instead of a few")
    parser.add_argument(
        "--part", action="append", choices=sorted(PARTS), help="run only this part (repeatable)"
    )
    parser.add_argument("--trial", type=int, help="run only this trial (replay a failure)")
    parser.add_argument("--trials", type=int, help="trials per part instead of the default")
    parser.add_argument("--work", type=Path, help="working directory (kept afterwards)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per trial")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    parts = args.part or list(PARTS)
    print(f"fault: seed {seed} ({'long' if args.long else 'short'} form; parts {', '.join(parts)})")
    work = args.work or Path(tempfile.mkdtemp(prefix="atlas-fault-"))
    work.mkdir(parents=True, exist_ok=True)
    cfg = Config(seed, work.resolve(), args.long, args.trials, args.trial, args.verbose)
    tallies = [run_part(name, cfg) for name in parts]
    print("\n".join(t.figures() for t in tallies))
    broken = sum(t.broken for t in tallies)
    if broken:
        print(f"{broken} broken; replay one with: scripts/fault --seed {seed} --part P --trial N")
    if args.work is None:
        remove_tree(work)
    else:
        print(f"work directory kept: {work}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
