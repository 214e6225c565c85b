"""Time every regex Atlas compiles against adversarial input built from the pattern itself.

Python's ``re`` backtracks: a pattern with ambiguous adjacent quantifiers can take
quadratic or exponential time on input that almost matches. This script imports every
module of ``atlas_core`` and of the plugins, collects the compiled patterns it can reach
(module attributes, class attributes, and patterns held one level down in tuples, lists,
dicts and attrs objects), and times ``search``, ``match`` and ``finditer`` on inputs made
of the characters and literals the pattern itself accepts: long runs of one character,
alternating pairs, a literal prefix repeated, a prefix followed by a long run; each on
one line and broken into 80-character lines, at 10k and 100k characters (200k to confirm
a flag). It then lists, by grepping, the regexes built inside functions that it cannot
reach, so nothing is skipped silently.

It is a measurement, not a test: it prints figures and exits 0.

    .venv/bin/python scripts/regex_audit.py [--top 25] [--only SUBSTRING] [--budget 3]
"""

from __future__ import annotations

import argparse
import ast
import importlib
import pkgutil
import re
import re._constants as sre_c  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000)
STOP = 0.2  # seconds: a shape this slow is not grown further
CONFIRM = 200_000
SLOW_AT_100K = 0.050  # seconds: flagged whatever the growth
SUPERLINEAR = 25.0  # t(100k)/t(10k); linear is 10
NOISE = 0.002  # below this, growth ratios are timer noise
#: tables of pattern strings compiled lazily inside a function (name -> how to list them)
LAZY_TABLES = ("atlas_core.chunk.regex:RULES",)


@dataclass
class Found:
    pattern: re.Pattern[Any]
    where: str  # module:attribute


@dataclass
class Timing:
    found: Found
    method: str
    shape: str
    seconds: dict[int, float] = field(default_factory=dict)
    timed_out: int | None = None  # the size that hit the budget

    @property
    def worst(self) -> float:
        return max(self.seconds.values(), default=0.0)


# -- collecting -------------------------------------------------------------------------


def _packages() -> list[ModuleType]:
    names = ["atlas_core"]
    for plugin in sorted((ROOT / "plugins").glob("*/atlas_*")):
        if (plugin / "__init__.py").exists():
            names.append(plugin.name)
    out = []
    for name in names:
        try:
            out.append(importlib.import_module(name))
        except Exception as exc:  # report and go on: a plugin may be absent
            print(f"# cannot import {name}: {exc}", file=sys.stderr)
    return out


def _modules() -> Iterator[ModuleType]:
    for package in _packages():
        yield package
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith(".__main__"):
                continue  # running it would start the command line
            try:
                yield importlib.import_module(info.name)
            except Exception as exc:  # optional dependencies
                print(f"# cannot import {info.name}: {exc}", file=sys.stderr)


def _inner(value: Any) -> Iterator[tuple[str, Any]]:
    """Values one level inside a container or an attrs/dataclass object."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"[{key!r}]", item
    elif isinstance(value, (tuple, list, frozenset, set)):
        for i, item in enumerate(value):
            yield f"[{i}]", item
    elif hasattr(value, "__attrs_attrs__") or hasattr(value, "__dataclass_fields__"):
        for name in dir(value):
            if not name.startswith("__"):
                try:
                    yield f".{name}", getattr(value, name)
                except Exception:  # a property that raises
                    continue


def _patterns_in(value: Any, where: str, depth: int) -> Iterator[Found]:
    if isinstance(value, re.Pattern):
        yield Found(value, where)
    elif depth > 0 and not isinstance(value, (str, bytes, ModuleType, type)):
        for suffix, item in _inner(value):
            yield from _patterns_in(item, where + suffix, depth - 1)


def collect() -> list[Found]:
    """Every distinct compiled pattern reachable from Atlas's modules."""
    seen: dict[tuple[Any, int], Found] = {}
    for module in _modules():
        for name, value in vars(module).items():
            scopes = [(name, value)]
            if isinstance(value, type) and value.__module__ == module.__name__:
                scopes += [(f"{name}.{k}", v) for k, v in vars(value).items()]
            for label, item in scopes:
                for found in _patterns_in(item, f"{module.__name__}:{label}", depth=3):
                    key = (found.pattern.pattern, found.pattern.flags)
                    seen.setdefault(key, found)
    for table in LAZY_TABLES:
        module_name, attr = table.split(":")
        rules = getattr(importlib.import_module(module_name), attr)
        for language, entries in rules.items():
            for i, (_kind, source) in enumerate(entries):
                key = (source, re.compile(source).flags)
                seen.setdefault(key, Found(re.compile(source), f"{table}[{language!r}][{i}]"))
    return list(seen.values())


_RE_CALLS = frozenset("compile search match fullmatch findall finditer sub subn split".split())


def unreachable() -> list[str]:
    """``re`` calls inside function bodies: their patterns are not collected above."""
    out = []
    files = sorted((ROOT / "atlas_core").rglob("*.py"))
    files += sorted(p for p in (ROOT / "plugins").glob("*/atlas_*/**/*.py"))
    for path in files:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for func in ast.walk(ast.parse(source)):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re"
                    and node.func.attr in _RE_CALLS
                ):
                    line = lines[node.lineno - 1].strip()[:100]
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line}")
    return sorted(set(out))


# -- adversarial inputs -----------------------------------------------------------------

_CATEGORY_SAMPLE = {
    sre_c.CATEGORY_DIGIT: "1",
    sre_c.CATEGORY_NOT_DIGIT: "a",
    sre_c.CATEGORY_SPACE: " ",
    sre_c.CATEGORY_NOT_SPACE: "a",
    sre_c.CATEGORY_WORD: "a",
    sre_c.CATEGORY_NOT_WORD: " ",
    sre_c.CATEGORY_LINEBREAK: "\n",
    sre_c.CATEGORY_NOT_LINEBREAK: "a",
}


def _class_samples(items: list[tuple[Any, Any]]) -> list[str]:
    """A few characters a character class accepts (or one it rejects, if negated)."""
    negate = any(op is sre_c.NEGATE for op, _ in items)
    chars: list[str] = []
    banned: set[str] = set()
    for op, arg in items:
        if op is sre_c.LITERAL:
            if negate:
                banned.add(chr(arg))
            else:
                chars.append(chr(arg))
        elif op is sre_c.RANGE:
            lo, hi = arg
            if negate:
                banned.update(chr(c) for c in range(lo, min(hi, lo + 300) + 1))
            else:
                chars += [chr(lo), chr((lo + hi) // 2)]
        elif op is sre_c.CATEGORY:
            sample = _CATEGORY_SAMPLE.get(arg)
            if sample and not negate:
                chars.append(sample)
            elif sample:
                banned.add(sample)
    if negate:
        chars = [c for c in "a1 ._-/:x\"'" if c not in banned][:3]
    return chars


def _walk(tree: Any, chars: list[str], literals: list[str]) -> None:
    run: list[str] = []
    for op, arg in tree:
        if op is sre_c.LITERAL:
            run.append(chr(arg))
            chars.append(chr(arg))
            continue
        if len(run) >= 2:
            literals.append("".join(run))
        run = []
        if op is sre_c.IN:
            chars += _class_samples(arg)
        elif op is sre_c.ANY:
            chars.append("x")
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            _walk(arg[2], chars, literals)
        elif op is sre_c.SUBPATTERN:
            _walk(arg[3], chars, literals)
        elif op is sre_c.ATOMIC_GROUP:
            _walk(arg, chars, literals)
        elif op is sre_c.BRANCH:
            for branch in arg[1]:
                _walk(branch, chars, literals)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            _walk(arg[1], chars, literals)
        elif op is sre_c.GROUPREF_EXISTS:
            for branch in arg[1:]:
                if branch is not None:
                    _walk(branch, chars, literals)
    if len(run) >= 2:
        literals.append("".join(run))


def shapes(pattern: re.Pattern[Any], size: int) -> Iterator[tuple[str, str]]:
    """(name, text) pairs of adversarial inputs of about ``size`` characters."""
    source = pattern.pattern
    if isinstance(source, bytes):
        source = source.decode("latin-1")
    chars: list[str] = []
    literals: list[str] = []
    _walk(sre_parse.parse(source, pattern.flags & ~re.ASCII), chars, literals)
    alphabet = list(dict.fromkeys(c for c in chars if c != "\n"))[:14] or ["a"]
    literals = sorted(set(literals), key=len, reverse=True)[:8]
    extra = [c for c in " a1._-/:" if c not in alphabet]
    pairs = [(a, b) for a in alphabet[:6] for b in (alphabet[:8] + extra[:2]) if a != b][:16]
    base: list[tuple[str, str]] = []
    for c in alphabet:
        base.append((f"{c!r}*n", c * size))
    for a, b in pairs:
        base.append((f"{a + b!r}*n", (a + b) * (size // 2)))
    for lit in literals:
        base.append((f"{lit[:20]!r}*k", lit * (size // len(lit))))
        filler = alphabet[0]
        base.append((f"{lit[:20]!r}+{filler!r}*n", lit + filler * size))
        base.append((f"({lit[:12]!r}+' ')*k", (lit + " ") * (size // (len(lit) + 1))))
    for name, text in base:
        yield name, text
        if "\n" not in text:
            yield name + " /80", "\n".join(text[i : i + 80] for i in range(0, len(text), 80))


# -- timing -----------------------------------------------------------------------------


class _Budget(Exception):
    pass


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _Budget


def _run(pattern: re.Pattern[Any], method: str, text: Any, budget: float) -> float | None:
    """Seconds one call took, or None if it ran past ``budget``."""
    signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    try:
        if method == "search":
            pattern.search(text)
        elif method == "match":
            pattern.match(text)
        else:
            for _ in pattern.finditer(text):
                pass
    except _Budget:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start


def measure(found: Found, budget: float) -> list[Timing]:
    """Time one pattern on every shape and method at growing sizes; a shape stops growing
    once a call takes more than ``STOP`` seconds (the next size would only take longer)."""
    timings: dict[tuple[str, str], Timing] = {}
    is_bytes = isinstance(found.pattern.pattern, bytes)
    for size in SIZES:
        for shape, text in shapes(found.pattern, size):
            data: Any = text.encode("utf-8") if is_bytes else text
            for method in ("search", "match", "finditer"):
                timing = timings.setdefault((shape, method), Timing(found, method, shape))
                if timing.timed_out is not None or timing.worst > STOP:
                    continue
                seconds = _run(found.pattern, method, data, budget)
                if seconds is None:
                    timing.timed_out = size
                else:
                    timing.seconds[size] = seconds
    return list(timings.values())


def flagged(timing: Timing) -> str:
    """Why a timing is suspicious, or ""."""
    if timing.timed_out is not None:
        return f"over budget at {timing.timed_out // 1000}k"
    big = timing.seconds.get(SIZES[-1])
    if big is not None and big > SLOW_AT_100K:
        return "slow at 100k"
    sizes = sorted(timing.seconds)
    if len(sizes) >= 2:
        small, large = timing.seconds[sizes[-2]], timing.seconds[sizes[-1]]
        growth = large / max(small, 1e-6)
        if large > NOISE and growth > SUPERLINEAR:
            return f"super-linear x{growth:.0f} {sizes[-2] // 1000}k->{sizes[-1] // 1000}k"
    return ""


def confirm(timing: Timing, budget: float) -> str:
    """Time a flagged shape at 200k: quadratic time grows 4x from 100k, linear 2x."""
    if timing.timed_out is not None or SIZES[-1] not in timing.seconds:
        return ""
    for shape, text in shapes(timing.found.pattern, CONFIRM):
        if shape == timing.shape:
            data: Any = text.encode() if isinstance(timing.found.pattern.pattern, bytes) else text
            seconds = _run(timing.found.pattern, timing.method, data, budget)
            if seconds is None:
                return f"200k: over {budget:.0f}s"
            timing.seconds[CONFIRM] = seconds
            ratio = seconds / max(timing.seconds[SIZES[-1]], 1e-6)
            return f"200k: {seconds:.3f}s (x{ratio:.1f} from 100k)"
    return ""


def _fmt(timing: Timing, size: int) -> str:
    if timing.timed_out is not None and size >= timing.timed_out:
        return ">budget"
    seconds = timing.seconds.get(size)
    return "-" if seconds is None else f"{seconds:.4f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=25, help="rows in the slowest table")
    parser.add_argument("--only", default="", help="audit patterns whose location has this")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per call")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)

    found = [f for f in collect() if args.only in f.where]
    started = time.perf_counter()
    all_timings: list[Timing] = []
    for item in found:
        all_timings += measure(item, args.budget)
    elapsed = time.perf_counter() - started
    worst_per_pattern: dict[str, Timing] = {}
    for timing in all_timings:
        best = worst_per_pattern.get(timing.found.where)
        score = float("inf") if timing.timed_out is not None else timing.worst
        if best is None or score > (float("inf") if best.timed_out is not None else best.worst):
            worst_per_pattern[timing.found.where] = timing
    rows = sorted(
        worst_per_pattern.values(),
        key=lambda t: float("inf") if t.timed_out is not None else t.worst,
        reverse=True,
    )
    print(
        f"{len(found)} patterns, {len(all_timings)} (pattern, shape, method) timings "
        f"in {elapsed:.1f}s; budget {args.budget:.1f}s a call\n"
    )
    print(f"slowest {args.top} patterns (each at its worst shape):")
    print(f"{'1k s':>9} {'10k s':>9} {'100k s':>9}  {'method':8} {'where':55} shape / pattern")
    for timing in rows[: args.top]:
        source = timing.found.pattern.pattern
        print(
            f"{_fmt(timing, SIZES[0]):>9} {_fmt(timing, SIZES[1]):>9} "
            f"{_fmt(timing, SIZES[2]):>9}  {timing.method:8} "
            f"{timing.found.where[:55]:55} {timing.shape}\n{'':30}{str(source)[:120]!r}"
        )
    by_pattern: dict[str, list[tuple[Timing, str]]] = {}
    for timing in all_timings:
        why = flagged(timing)
        if why:
            by_pattern.setdefault(timing.found.where, []).append((timing, why))
    confirmed: dict[str, list[tuple[Timing, str, str]]] = {}
    noise = 0
    for where, items in by_pattern.items():
        items.sort(key=lambda x: float("inf") if x[0].timed_out else x[0].worst, reverse=True)
        for timing, why in items[:4]:
            note = confirm(timing, args.budget)
            grew = CONFIRM in timing.seconds and timing.seconds[CONFIRM] > 3 * max(
                timing.seconds[SIZES[-1]], 1e-6
            )
            if SIZES[-1] not in timing.seconds or grew or "over" in note or why.startswith("slow"):
                confirmed.setdefault(where, []).append((timing, why, note))
            else:
                noise += 1
    print(
        f"\nflagged: {len(confirmed)} patterns super-linear or over {SLOW_AT_100K * 1000:.0f} ms "
        f"at 100k and confirmed (over budget, stopped growing, or x3+ from 100k to 200k); "
        f"{noise} other flags were timer noise (not confirmed at 200k)"
    )
    print("(every pattern is timed with search, match and finditer, whatever its callers use)")
    for where, lines in confirmed.items():
        print(f"\n  {where}: {str(lines[0][0].found.pattern.pattern)[:150]!r}")
        for shown, why, note in lines:
            print(
                f"    {shown.method:8} {shown.shape:28} "
                + "  ".join(f"{n // 1000}k {_fmt(shown, n)}s" for n in SIZES)
                + f"  {why}  {note}"
            )
    lazy = unreachable()
    print(f"\nbuilt inside functions, not timed here ({len(lazy)}; review by eye):")
    for line in lazy:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
