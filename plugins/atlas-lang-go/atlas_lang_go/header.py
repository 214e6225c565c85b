"""What a Go file says before its package clause: build constraints and the generated header."""

from __future__ import annotations

import re

__all__ = ["build_constraints", "generated_line", "is_generated", "preamble"]

# https://go.dev/s/generatedcode: a line of exactly this form before the package clause
_GENERATED = re.compile(r"^// Code generated .* DO NOT EDIT\.$")
_PACKAGE = re.compile(r"^package\s")


def preamble(text: str) -> list[tuple[int, str]]:
    """(line number, stripped line) of the lines before the package clause."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if _PACKAGE.match(line):
            break
        lines.append((number, line))
    return lines


def generated_line(text: str) -> tuple[int, str] | None:
    """The ``// Code generated ... DO NOT EDIT.`` line before the package clause, if any."""
    for number, line in preamble(text):
        if _GENERATED.match(line):
            return number, line
    return None


def is_generated(head: str) -> bool:
    """Whether a file's first bytes carry Go's generated-code header."""
    return generated_line(head) is not None


def build_constraints(text: str) -> list[tuple[int, str]]:
    """(line, constraint) of ``//go:build`` lines, or of ``// +build`` lines when there is none.

    The constraint is normalised to ``//go:build`` syntax: ``// +build linux,amd64 darwin``
    becomes ``(linux && amd64) || darwin``.
    """
    modern: list[tuple[int, str]] = []
    legacy: list[tuple[int, str]] = []
    for number, line in preamble(text):
        if line.startswith("//go:build "):
            modern.append((number, line[len("//go:build ") :].strip()))
        elif line.startswith("// +build "):
            options = line[len("// +build ") :].split()
            terms = [" && ".join(o.split(",")) for o in options]
            expr = " || ".join(f"({t})" if "&&" in t and len(terms) > 1 else t for t in terms)
            legacy.append((number, expr))
    return modern or legacy
