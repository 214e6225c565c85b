"""Examples shown at the end of each command's ``--help`` (one place for all of them).

:func:`add_examples` gives every command of the group that has no epilog of its own the
examples listed here under its name (``"hook prompt"`` for a subcommand). Each example is
one command line, checked by the tests against the command's real options.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EXAMPLES", "add_examples", "epilog"]

#: command name -> example command lines (``#`` starts a short comment)
EXAMPLES: dict[str, list[str]] = {
    "": [
        'atlas quick "where are retries handled"',
        "atlas index && atlas map",
        "atlas init --agent claude --hooks",
        "atlas COMMAND --help",
    ],
    "index": [
        "atlas index",
        "atlas index --force  # rebuild from scratch",
        "atlas index --embed  # with atlas-ollama: precompute embeddings",
    ],
    "query": [
        'atlas query "add a retry to the HTTP client" --max-tokens 8000',
        'atlas query "fix the login redirect" --format compact --top 10',
        'atlas query "" --diff  # the files around your uncommitted changes',
        'atlas query "parse the config" --seed src/config.py --scope src',
    ],
    "quick": [
        'atlas quick "where is the cache invalidated"',
        'atlas quick "explain the retry policy" --format context --max-tokens 12000',
    ],
    "explain": [
        'atlas explain "where is the cache invalidated"',
        'atlas explain "rate limiting" --format json --top 5',
    ],
    "inspect": [
        "atlas inspect",
        "atlas inspect --files --role test",
        "atlas inspect --format json",
    ],
    "render": [
        'atlas query "rate limiting" | atlas render - --max-tokens 12000',
        "atlas render paths.txt --style xml",
    ],
    "outline": [
        "atlas outline src/app.py",
        "atlas outline src/app.py src/db.py --format json",
    ],
    "map": [
        "atlas map",
        "atlas map --max-tokens 2000 --scope src",
    ],
    "related": [
        "atlas related src/app.py",
        "atlas related --tests --diff  # the tests your changes most likely affect",
    ],
    "describe": [
        "atlas describe",
        "atlas describe --format json",
    ],
    "plugins": [
        "atlas plugins",
        "atlas plugins --all --check",
        "atlas plugins --hook atlas_signals",
    ],
    "init": [
        "atlas init",
        "atlas init --agent cursor --agent vscode --dry-run",
        "atlas init --agent claude --hooks",
        "atlas init --force  # replace Atlas's own sections and entries that differ",
    ],
    "hook": [
        'echo \'{"prompt": "fix the login redirect", "cwd": "."}\' | atlas hook prompt',
    ],
    "hook prompt": [
        'echo \'{"prompt": "fix the login redirect", "cwd": "."}\' | atlas hook prompt',
        "atlas hook prompt --max-tokens 2000 --timeout 5 < hook-input.json",
    ],
    "config": [
        "atlas config",
    ],
    "mcp": [
        "atlas mcp  # from an MCP client; 'atlas init' writes the configuration",
        "atlas mcp --root /path/to/repo -v",
    ],
    "graph": [
        "atlas graph src/app.py",
        "atlas graph src/app.py --format json",
    ],
    "ollama": [
        "atlas ollama",
        "atlas ollama --format json",
    ],
}


def epilog(lines: list[str]) -> str:
    """The ``--help`` epilog of ``lines``; ``\\b`` keeps click from rewrapping them."""
    return "\b\nExamples:\n" + "".join(f"  {line}\n" for line in lines)


def add_examples(group: Any, prefix: str = "") -> None:
    """Give ``group`` and its commands (recursively) their examples from :data:`EXAMPLES`."""
    if group.epilog is None and prefix in EXAMPLES:
        group.epilog = epilog(EXAMPLES[prefix])
    for name, command in getattr(group, "commands", {}).items():
        key = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):
            add_examples(command, key)
        elif command.epilog is None and key in EXAMPLES:
            command.epilog = epilog(EXAMPLES[key])
