"""What every part shares: its settings, a generated repository, reference rankings."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import jsonl, proc, repo

__all__ = ["Config", "Workspace", "remove_tree"]


@dataclass
class Config:
    """Settings of one harness run."""

    seed: int
    work: Path
    long: bool = False
    trials: int | None = None  # override the number of trials per part
    only: int | None = None  # run just this trial
    verbose: bool = False

    def trial_ids(self, short: int, long: int) -> list[int]:
        if self.only is not None:
            return [self.only]
        return list(
            range(self.trials if self.trials is not None else (long if self.long else short))
        )

    def say(self, text: str) -> None:
        if self.verbose:
            print(text, flush=True)


def remove_tree(path: Path) -> None:
    """Remove a tree of any depth without following symlinks (``rm -rf``)."""
    if path.exists() or path.is_symlink():
        subprocess.run(["rm", "-rf", "--", str(path)], check=False, timeout=120)


@dataclass
class Workspace:
    """A generated repository under ``work/<part>/repo`` and the commands run on it."""

    cfg: Config
    part: str
    files: int = 300
    git: bool = True
    root: Path = field(init=False)
    env: dict[str, str] = field(init=False)
    commands: list[str] = field(default_factory=list)
    _refs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        base = self.cfg.work / self.part
        remove_tree(base)
        (base / "home").mkdir(parents=True)
        self.base = base
        self.root = base / "repo"
        self.env = proc.base_env(base / "home")
        repo.generate(self.root, random.Random(f"{self.cfg.seed}/{self.part}/repo"), self.files)
        if self.git:
            repo.git_commit_all(self.root, self.env)

    def args(self, *rest: str) -> list[str]:
        return ["--root", str(self.root), *rest]

    def run(
        self,
        *rest: str,
        timeout: float = 60.0,
        env: dict[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> proc.Result:
        result = proc.run(
            self.args(*rest), env=env or self.env, timeout=timeout, stdin=stdin, cwd=self.base
        )
        self.note(result.argv, env)
        return result

    def note(self, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
        prefix = ""
        if env and "ATLAS_CACHE_DIR" in env:
            prefix = f"ATLAS_CACHE_DIR={env['ATLAS_CACHE_DIR']} "
        self.commands.append(prefix + proc.Result(list(argv), 0, b"", b"", 0).shell())

    def query(self, task: str, problems: list[str], label: str, **kw: Any) -> list[Any] | None:
        """``atlas query TASK`` (whole ranking); adds what is wrong to ``problems``."""
        result = self.run("query", task, *jsonl.QUERY_ARGS, **kw)
        bad = result.problems(allow_error=False)
        if bad:
            problems += [f"{label}: {p}" for p in bad]
            return None
        records, why = jsonl.parse(result.stdout)
        if why:
            problems.append(f"{label}: invalid output: {why}")
        return records

    def reference(self, tasks: Sequence[str], problems: list[str]) -> dict[str, Any]:
        """Rankings from ``atlas index --force`` in a separate cache (memoised per tree)."""
        digest = repo.tree_digest(self.root)
        if digest in self._refs:
            return self._refs[digest]
        cache = self.base / "refcache"
        remove_tree(cache)
        env = {**self.env, "ATLAS_CACHE_DIR": str(cache)}
        built = self.run("index", "--force", env=env)
        bad = built.problems(allow_error=False)
        if bad:
            problems += [f"reference index --force: {p}" for p in bad]
            return {}
        refs = {t: self.query(t, problems, "reference query", env=env) for t in tasks}
        if all(v is not None for v in refs.values()):
            self._refs[digest] = refs
        return refs

    def timed(self, *rest: str) -> float:
        t0 = time.monotonic()
        self.run(*rest)
        return time.monotonic() - t0

    def remove_cache(self) -> None:
        cache = self.root / ".atlas"
        if cache.is_symlink():
            cache.unlink()
        else:
            shutil.rmtree(cache, ignore_errors=True)
