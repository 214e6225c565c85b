#!/usr/bin/env python3
"""Precision and recall of Atlas's secret redaction.

usage: scripts/secrets_eval.py [CORPUS] [--repo DIR] [-v]

Without --repo: scores ``atlas_core.output.secrets.redact`` on the labelled corpus (default
``tests/data/secrets/corpus``, format in ``tests/data/secrets/README.md``) and prints
``precision P, recall R (N leaks, M non-leaks)``, then the recall on the high-confidence
leaks and every miss and false positive.

With --repo DIR: runs the redaction over every text file of a repository that holds no
real secrets (as a context document would, skipping credential files by name) and prints
how many redactions it made: each one is a false positive. -v lists them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent / "tests" / "data" / "secrets" / "corpus"

_LABEL = re.compile(r"[ \t]*⟦(leak|leak-low|ok)⟧[ \t]*$")
_SPLICE = "⟦⟧"
_SKIP_DIRS = {".git", ".hg", ".svn", ".atlas", "node_modules", ".venv", "__pycache__"}


@dataclass
class Document:
    """One corpus file: its real path, its text without markup, and its labelled lines."""

    path: str
    text: str
    labels: dict[int, str] = field(default_factory=dict)


def load_corpus(root: Path) -> list[Document]:
    """Every ``*.in`` file under ``root``, markup removed, labels by 1-based line."""
    docs = []
    for file in sorted(root.rglob("*.in")):
        rel = file.relative_to(root).as_posix()[: -len(".in")]
        lines = []
        labels: dict[int, str] = {}
        for number, line in enumerate(file.read_text(encoding="utf-8").split("\n"), 1):
            match = _LABEL.search(line)
            if match:
                labels[number] = match.group(1)
                line = line[: match.start()]
            line = line.replace(_SPLICE, "")
            if "⟦" in line or "⟧" in line:
                raise ValueError(f"{file}:{number}: unknown markup")
            lines.append(line)
        docs.append(Document(rel, "\n".join(lines), labels))
    return docs


def found_lines(doc_path: str, text: str) -> list[tuple[int, str]]:
    """(line, kind) of each redaction Atlas makes in ``text``."""
    from atlas_core.output.secrets import redact

    return [(r.line, r.kind) for r in redact(text, path=doc_path)[1]]


@dataclass
class Score:
    """Line-level outcome over the corpus."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    high: int = 0
    high_found: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    @property
    def leaks(self) -> int:
        return self.tp + self.fn

    @property
    def non_leaks(self) -> int:
        return self.fp + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.leaks if self.leaks else 1.0

    @property
    def high_recall(self) -> float:
        return self.high_found / self.high if self.high else 1.0


def score(docs: list[Document]) -> Score:
    """Compare the redactions with the labels, line by line."""
    result = Score()
    for doc in docs:
        hits: dict[int, str] = {}
        for line, kind in found_lines(doc.path, doc.text):
            hits.setdefault(line, kind)
        source = doc.text.split("\n")
        for line, label in sorted(doc.labels.items()):
            where = f"{doc.path}:{line}: {source[line - 1].strip()[:100]}"
            if label == "ok":
                if line in hits:
                    result.fp += 1
                    result.false_positives.append(f"{where}  [{hits[line]}]")
                else:
                    result.tn += 1
                continue
            high = label == "leak"
            result.high += high
            if line in hits:
                result.tp += 1
                result.high_found += high
            else:
                result.fn += 1
                result.misses.append(f"{where}  ({label})")
        for line in sorted(set(hits) - set(doc.labels)):
            # an unlabelled line counts as a non-leak that was redacted
            result.fp += 1
            result.false_positives.append(
                f"{doc.path}:{line}: {source[line - 1].strip()[:100]}  [{hits[line]}] (unlabelled)"
            )
    return result


def text_files(root: Path) -> Iterator[tuple[str, str]]:
    """(relative path, text) of each readable text file under ``root``."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:8192] or len(data) > 4_000_000:
                continue
            yield path.relative_to(root).as_posix(), data.decode("utf-8", "replace")


def scan_repo(root: Path, verbose: bool) -> int:
    """Print the redactions made over a repository; return how many there were."""
    from atlas_core.output.secrets import secret_file_reason

    total = files = hit_files = skipped = 0
    for rel, text in text_files(root):
        if secret_file_reason(rel):
            skipped += 1
            continue
        files += 1
        found = found_lines(rel, text)
        if found:
            hit_files += 1
            total += len(found)
            if verbose:
                lines = text.split("\n")
                for line, kind in found:
                    print(f"{rel}:{line}: [{kind}] {lines[line - 1].strip()[:110]}")
    print(
        f"{total} false positives in {hit_files} of {files} files under {root} "
        f"({skipped} credential files skipped by name)"
    )
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repo", type=Path, help="count redactions over this repository")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.repo is not None:
        if not args.repo.is_dir():
            print(f"secrets_eval: not a directory: {args.repo}", file=sys.stderr)
            return 2
        scan_repo(args.repo.resolve(), args.verbose)
        return 0
    if not args.corpus.is_dir():
        print(f"secrets_eval: not a directory: {args.corpus}", file=sys.stderr)
        return 2
    result = score(load_corpus(args.corpus))
    print(
        f"precision {result.precision:.3f}, recall {result.recall:.3f} "
        f"({result.leaks} leaks, {result.non_leaks} non-leaks)"
    )
    print(f"high-confidence recall {result.high_recall:.3f} ({result.high} leaks)")
    print(f"{len(result.misses)} missed, {len(result.false_positives)} false positives")
    for miss in result.misses:
        print(f"  missed: {miss}")
    for fp in result.false_positives:
        print(f"  false positive: {fp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
