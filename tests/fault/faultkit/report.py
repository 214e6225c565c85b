"""Counting trials and describing failures so they can be replayed."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Failure", "Tally", "trial_rng"]


def trial_rng(seed: int, part: str, trial: int) -> random.Random:
    """The random source of one trial: the same seed, part and trial give the same choices."""
    return random.Random(f"{seed}/{part}/{trial}")


@dataclass
class Failure:
    """One broken trial: what was tried, what went wrong, how to run it again."""

    part: str
    trial: int
    seed: int
    case: str
    problems: list[str]
    commands: list[str]

    def describe(self) -> str:
        lines = [f"BROKEN {self.part} trial {self.trial} (seed {self.seed}): {self.case}"]
        lines += [f"  - {p}" for p in self.problems]
        lines += [f"  $ {c}" for c in self.commands[-6:]]
        lines.append(
            f"  replay: scripts/fault --seed {self.seed} --part {self.part} --trial {self.trial}"
        )
        return "\n".join(lines)


@dataclass
class Tally:
    """Figures of one part: trials tried, survived and broken."""

    part: str
    seed: int
    tried: int = 0
    survived: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: what happened that is neither survival nor breakage, counted (e.g. a signal that
    #: arrived before the program started)
    notes: Counter[str] = field(default_factory=Counter)

    @property
    def broken(self) -> int:
        return len(self.failures)

    def record(self, trial: int, case: str, problems: list[str], commands: list[str]) -> None:
        self.tried += 1
        if problems:
            failure = Failure(self.part, trial, self.seed, case, problems, commands)
            self.failures.append(failure)
            print(failure.describe(), flush=True)
        else:
            self.survived += 1

    def figures(self) -> str:
        figures = f"{self.part}: tried {self.tried}, survived {self.survived}, broken {self.broken}"
        return figures + "".join(f"; {what}: {n}" for what, n in sorted(self.notes.items()))

    def summary(self) -> str:
        return "\n".join([self.figures(), *(f.describe() for f in self.failures)])
