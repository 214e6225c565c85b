"""A generated repository of small Python, Go and JavaScript files, and edits to it."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
from pathlib import Path

__all__ = ["TASKS", "generate", "git_commit_all", "mutate", "tree_digest"]

#: fixed tasks whose rankings are compared (their words occur in the generated code)
TASKS = (
    "add retry logic to the http client",
    "where is the cache invalidated when the config changes",
    "parse tokens in the query lexer",
)

AREAS = ("http", "cache", "config", "auth", "storage", "worker", "lexer", "metrics", "queue")
WORDS = (
    "client", "retry", "timeout", "request", "response", "invalidate", "entry", "load",
    "parse", "token", "query", "session", "user", "password", "bucket", "shard", "flush",
    "schedule", "task", "counter", "gauge", "publish", "consume", "backoff", "header",
    "render", "lookup", "evict", "merge", "decode", "encode", "stream", "batch", "commit",
)  # fmt: skip


def _ident(rng: random.Random, n: int = 2) -> list[str]:
    return [rng.choice(WORDS) for _ in range(n)]


def _python(rng: random.Random, area: str, others: list[str]) -> str:
    lines = [f'"""The {area} {" ".join(_ident(rng, 3))} module."""', ""]
    for other in rng.sample(others, min(2, len(others))):
        lines.append(f"from {other.replace('/', '.')} import helper  # noqa")
    for _ in range(rng.randint(1, 4)):
        a, b = _ident(rng)
        lines += ["", "", f"class {a.title()}{b.title()}:", f'    """{a} {b} for {area}."""', ""]
        for _ in range(rng.randint(1, 3)):
            c, d = _ident(rng)
            lines += [f"    def {c}_{d}(self, {a}):", f"        return {a!r} + {area!r}  # {b}", ""]
    return "\n".join(lines) + "\n"


def _go(rng: random.Random, area: str) -> str:
    lines = [f"// Package {area} handles {' '.join(_ident(rng, 3))}.", f"package {area}", ""]
    for _ in range(rng.randint(1, 4)):
        a, b = _ident(rng)
        lines += [f"type {a.title()}{b.title()} struct {{ {b.title()} int }}", ""]
        c = rng.choice(WORDS)
        lines += [
            f"func (x *{a.title()}{b.title()}) {c.title()}() int {{ return x.{b.title()} }}",
            "",
        ]
    return "\n".join(lines)


def _js(rng: random.Random, area: str, others: list[str]) -> str:
    lines = [f"// {area}: {' '.join(_ident(rng, 4))}"]
    for other in rng.sample(others, min(2, len(others))):
        lines.append(f"import {{ helper }} from './{Path(other).name}.js';")
    for _ in range(rng.randint(1, 4)):
        a, b = _ident(rng)
        lines += [
            "",
            f"export function {a}{b.title()}({a}) {{",
            f"  return {a} + '{area} {b}';",
            "}",
        ]
    return "\n".join(lines) + "\n"


def _new_file(root: Path, rng: random.Random, n: int, others: list[str]) -> Path:
    area = rng.choice(AREAS)
    kind = rng.choices(("py", "go", "js", "test", "md"), weights=(5, 3, 3, 2, 1))[0]
    stem = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{n}"
    if kind == "py":
        rel, text = f"src/{area}/{stem}.py", _python(rng, area, others)
    elif kind == "go":
        rel, text = f"go/{area}/{stem}.go", _go(rng, area)
    elif kind == "js":
        rel, text = f"web/{area}/{stem}.js", _js(rng, area, others)
    elif kind == "test":
        rel, text = f"tests/{area}/test_{stem}.py", _python(rng, area, others)
    else:
        rel, text = f"docs/{area}/{stem}.md", f"# {area}\n\n{' '.join(_ident(rng, 30))}\n"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def generate(root: Path, rng: random.Random, files: int = 300) -> None:
    """Write ``files`` small source files under ``root`` (deterministic for a seeded rng)."""
    root.mkdir(parents=True, exist_ok=True)
    others: list[str] = []
    for n in range(files):
        path = _new_file(root, rng, n, others)
        if path.suffix == ".py":
            others.append(str(path.relative_to(root).with_suffix("")))
    (root / "README.md").write_text("# generated\n\nA service with an http client and a cache.\n")


def sources(root: Path) -> list[Path]:
    """The generated source files currently present."""
    return sorted(
        p for top in ("src", "go", "web", "tests", "docs") for p in (root / top).rglob("*")
        if p.is_file()
    )  # fmt: skip


def mutate(root: Path, rng: random.Random, count: int) -> list[str]:
    """Edit, add or delete ``count`` files; return what was done (for a failure report)."""
    done: list[str] = []
    for _ in range(count):
        existing = sources(root)
        action = rng.choice(("edit", "edit", "add", "delete")) if existing else "add"
        if action == "add":
            path = _new_file(root, rng, rng.randrange(10**6), [])
        else:
            path = rng.choice(existing)
            try:
                if action == "delete":
                    path.unlink()
                else:
                    with open(path, "a") as fh:
                        fh.write(f"\n# {' '.join(_ident(rng, 6))}\n")
            except FileNotFoundError:  # a concurrent mutator got there first
                continue
        done.append(f"{action} {path.relative_to(root)}")
    return done


def tree_digest(root: Path, skip: str = ".atlas") -> str:
    """A digest of the paths and contents of the files under ``root`` (cache excluded)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (skip, ".git"))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            h.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def git_commit_all(root: Path, env: dict[str, str], message: str = "snapshot") -> bool:
    """``git init`` (once) and commit everything; False if git is missing or fails."""
    genv = {
        **env,
        "GIT_AUTHOR_NAME": "fault",
        "GIT_AUTHOR_EMAIL": "fault@example.invalid",
        "GIT_COMMITTER_NAME": "fault",
        "GIT_COMMITTER_EMAIL": "fault@example.invalid",
    }
    steps = [["git", "add", "-A"], ["git", "commit", "-q", "--no-gpg-sign", "-m", message]]
    if not (root / ".git").exists():
        steps.insert(0, ["git", "init", "-q"])
    try:
        for step in steps:
            subprocess.run(step, cwd=root, env=genv, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return True
