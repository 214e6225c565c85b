"""A generator of hostile repository trees, and snapshots to prove nothing else changed."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import socket
import stat
import tempfile
from pathlib import Path

__all__ = ["FEATURES", "build", "snapshot"]

FEATURES = (
    "spaces", "newlines", "dashes", "unicode", "non-utf8-names", "gitignore", "symlinks",
    "symlink-loops", "dotatlas-outside", "deep", "fifo", "socket", "empty", "large", "binary",
    "odd-content", "bad-config", "git", "backtracking-ignores",
)  # fmt: skip

#: .gitignore lines that are odd, invalid or pathological
ODD_IGNORES = (
    "!", "\\", "\\\\", "[", "[]", "[z-a]", "**", "***", "/", "!/", "#", "\\#x", "\\!x", " ",
    "a/**/b", "**/", "!*.py", "*.py\\ ", "\\\n", "[!]", "dir/", "/*", "!.atlas", ".atlas",
    "?", "[[:alpha:]]", "x" * 300, "*" * 40, "\\" * 9, "!" * 5, "\r", "\t#", "\x00",
)  # fmt: skip

DEEP = 1500

#: ignore lines a backtracking regex takes exponential time over (many stars against a long
#: name, many ``**/`` against a deep path); in ``.atlasignore``, which git does not read
#: (git itself takes minutes over the second and third at this depth)
BACKTRACKING_IGNORES = (
    "*a*a*a*a*a*a*a*a*a*a*b\n**/**/**/**/**/**/**/**/**/**/x\n"
    "**/d/**/d/**/d/**/d/**/d/**/d/**/d/**/z\nd/**/*a*a*a*a*a*a*a*b/**/q\n"
)


def _write(root: Path, rel: str | bytes, data: bytes | str) -> None:
    path = os.path.join(os.fsencode(root), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)


def _code(words: str) -> str:
    return f'"""{words}"""\n\n\ndef http_client_retry():\n    return "{words}"\n'


def _deep(root: Path, depth: int) -> None:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            with contextlib.suppress(FileExistsError):
                os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        out = os.open("bottom.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, _code("deep http client retry at the bottom").encode())
        os.close(out)
    finally:
        os.close(fd)


def _socket(path: Path) -> None:
    # bind in a short directory (sun_path is ~108 bytes), then move the socket into place
    with tempfile.TemporaryDirectory(prefix="fs") as short:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(os.path.join(short, "s"))
            os.replace(os.path.join(short, "s"), path)
        finally:
            sock.close()


def build(base: Path, rng: random.Random, features: set[str], canary: str) -> dict[str, Path]:
    """Create ``root``, ``outside`` and ``sibling`` under ``base``; return their paths."""
    root = base / rng.choice(("root", "the root", "-dash root", "ünï côdé root", "root\tx"))
    outside, sibling = base / "outside", base / "sibling"
    for d in (root, outside / "cachedir", sibling / "sub"):
        d.mkdir(parents=True)
    # the task names the canary (to draw the ranking); only file contents hold "-secret-body"
    secret = f"{canary} {canary}-secret-body http client retry {canary}\n"
    _write(outside, "canary.py", _code(secret))
    _write(outside, "cachedir/keep.txt", secret)
    _write(sibling, "sub/notes.py", _code(secret))
    _write(root, "src/app.py", _code("the app: add retry logic to the http client"))
    _write(
        root,
        "src/net/client.go",
        "package net\n\n// Client retries http requests.\nfunc Retry() {}\n",
    )
    _write(root, "web/index.js", "export function httpClient() { return 'retry'; }\n")
    _write(root, "README.md", "# hostile\n\nAn http client with retry logic.\n")
    if "spaces" in features:
        _write(root, "my file.py", _code("spaces in the name"))
        _write(root, "dir with space/x y.js", "function retry () {}\n")
        _write(root, " leading.py", _code("leading space"))
        _write(root, "trailing .py ", _code("trailing space"))
    if "newlines" in features:
        _write(root, "new\nline.py", _code("newline http client"))
        _write(root, "dir\nnl/a.py", _code("newline dir"))
        _write(root, "cr\rname.js", "// carriage return\n")
    if "dashes" in features:
        for name in ("-rf.py", "--help.py", "-/x.py", "--/--version.go", "-n", "--format=json.js"):
            _write(root, name, _code(f"dash {name}"))
    if "unicode" in features:
        for name in (
            "café.py",
            "日本語/ファイル.go",
            "emoji_😀.js",
            "e\u0301.py",
            "é.py",
            "Ω/ß.md",
        ):
            _write(root, name, _code(f"unicode {name} http client"))
        _write(root, "rtl_\u202eyp.exe", _code("right-to-left override"))
    if "non-utf8-names" in features:
        _write(root, b"latin\xe9.py", _code("latin-1 name"))
        _write(root, b"\xff\xfe/x.py", _code("undecodable dir"))
        _write(root, b"bad\x80\x81.js", "// undecodable name\n")
    if "gitignore" in features:
        lines = rng.sample(ODD_IGNORES, rng.randint(3, len(ODD_IGNORES)))
        _write(root, ".gitignore", "\n".join(lines) + "\n")
        _write(root, "src/.gitignore", "!\n\\\n" + "\n".join(rng.sample(ODD_IGNORES, 4)) + "\n")
        _write(root, "web/.atlasignore", b"\xff\xfe\x00bad\n[\n!\n")
        (root / "docs" / ".gitignore").mkdir(parents=True)  # a directory named .gitignore
        _write(root, "docs/guide.md", "retry the http client\n")
        _write(root, ".atlasignore", "\\\n!\n" * 3)
    if "symlinks" in features:
        os.symlink("src/app.py", root / "link_in_file.py")
        os.symlink("src", root / "link_in_dir")
        os.symlink("../outside/canary.py", root / "link_out_file.py")
        os.symlink(outside / "canary.py", root / "link_out_abs.py")
        os.symlink("../outside", root / "link_out_dir")
        os.symlink("nowhere/at/all.py", root / "dangling.py")
        os.symlink("../../outside/canary.py", root / "src" / "up_and_out.py")
        os.symlink(root / "src" / "app.py", root / "abs_in.py")
    if "symlink-loops" in features:
        os.symlink(".", root / "loop")
        os.symlink("..", root / "src" / "parent")
        os.symlink("self.py", root / "self.py")
        os.symlink("ping.py", root / "pong.py")
        os.symlink("pong.py", root / "ping.py")
    if "dotatlas-outside" in features:
        target = rng.choice(("../outside/cachedir", "../outside", str(outside / "cachedir")))
        os.symlink(target, root / ".atlas")
    if "deep" in features:
        (root / "deep").mkdir()
        _deep(root / "deep", DEEP)
    if "backtracking-ignores" in features:
        _write(root, "nest/.atlasignore", BACKTRACKING_IGNORES)
        _deep(root / "nest", 200)
        _write(root, "nest/" + "a" * 200 + "c.py", _code("a long name the stars almost match"))
    if "fifo" in features:
        os.mkfifo(root / "pipe.py")
        (root / "sub").mkdir(exist_ok=True)
        os.mkfifo(root / "sub" / "fifo")
        if rng.random() < 0.5:
            os.mkfifo(root / "sub" / ".gitignore")
        if rng.random() < 0.5:
            os.mkfifo(root / ".atlasignore.fifo")
    if "socket" in features:
        _socket(root / "sock.py")
    if "empty" in features:
        for name in ("empty.py", "empty.go", "empty.js", "empty/.gitignore", "zero.md"):
            _write(root, name, b"")
    if "large" in features:
        line = "def http_client_retry_%d(x):\n    return x + 1\n"
        _write(root, "big.py", "".join(line % i for i in range(40_000)))  # ~1.5 MB
        _write(root, "one_line.js", "var a=" + "1+" * 400_000 + "1;\n")
        _write(root, "huge_token.txt", "x" * 600_000)
    if "binary" in features:
        _write(root, "blob.bin", bytes(rng.randrange(256) for _ in range(4096)))
        _write(root, "fake.py", b"\x00" + b"def x(): pass\n" * 10)
        _write(root, "late_nul.py", b"# text\n" * 2000 + b"\x00")
    if "odd-content" in features:
        _write(root, "crlf.py", "def retry():\r\n    return 1\r\n")
        _write(root, "bom.py", "\ufeffdef retry():\n    pass\n")
        _write(root, "latin1.py", b"# caf\xe9 \xff\xfe\n def x(): pass\n")
        _write(root, "surrogate.go", b"package x // \xed\xa0\x80\n")
        _write(root, "parens.py", "x = " + "(" * 20_000 + "\n")
        _write(root, "braces.js", "{" * 20_000 + "\n")
        _write(root, "nested.go", "package x\n" + "func f() {\n" * 3000)
        # unclosed brackets: one wide error node, quadratic for tree-sitter's query cursor
        _write(root, "unclosed.py", "x = " + "(" * 300_000 + "\n")
        _write(root, "unclosed.go", "package x\nfunc f() {" + "[" * 300_000 + "\n")
        # import names of 100,000 parts: resolvers try each prefix
        _write(root, "Long.java", "import " + ".".join(["a"] * 100_000) + ";\nclass Long {}\n")
        _write(root, "long_import.py", "from " + "." * 50_000 + "x import y\n")
        _write(root, "lone_cr.js", "a\rb\rfunction retry() {}\r")
        # notebooks: nested past the JSON parser's depth, cells of every wrong type, thousands
        # of cells, and a plot of several MB (over max_file_bytes; its cells are not)
        _write(root, "deep.ipynb", "[" * 200_000)
        _write(
            root,
            "odd_cells.ipynb",
            '{"cells": [1, null, {"cell_type": 7, "source": {}},'
            ' {"cell_type": "code", "source": [1, "x\\ud800", null]}], "metadata": []}',
        )
        cell = '{"cell_type": "code", "source": ["def retry_%d():\\n", "    pass"]}'
        _write(
            root,
            "many_cells.ipynb",
            '{"cells": [' + ", ".join(cell % i for i in range(20_000)) + "]}",
        )
        png = "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            for _ in range(3_000_000)
        )
        _write(
            root,
            "plot.ipynb",
            '{"cells": [{"cell_type": "code", "source": "retry()",'
            ' "outputs": [{"data": {"image/png": "' + png + '"}}]}]}',
        )
        # encoded data: base64 and hashes make no terms
        _write(root, "fixture.json", '{"blob": "' + png[:900_000] + '"}')
        _write(root, "hashes.txt", "\n".join(f"{rng.getrandbits(160):040x}" for _ in range(20_000)))
    if "bad-config" in features:
        _write(root, "atlas.toml", rng.choice((
            "[index\nmax_file_bytes = ",
            "[index]\nmax_file_bytes = -1\n",
            "[index]\nignore = 5\n",
            "[presets.x]\nextends = \"x\"\n[pipeline]\npreset = \"x\"\n",
            "[signals.bm25f]\nk1 = \"fast\"\n",
            "\xff\xfe",
        )))  # fmt: skip
    return {"root": root, "outside": outside, "sibling": sibling}


def snapshot(top: Path, skip: tuple[str, ...] = ()) -> dict[bytes, tuple[object, ...]]:
    """Names, types, modes, sizes, mtimes and content hashes of everything under ``top``.

    Iterative (the tree may be 1,500 levels deep); never follows symlinks or opens a FIFO.
    """
    out: dict[bytes, tuple[object, ...]] = {}
    stack = [b""]
    btop = os.fsencode(top)
    while stack:
        rel = stack.pop()
        path = os.path.join(btop, rel) if rel else btop
        try:
            st = os.lstat(path)
        except OSError as exc:
            out[rel] = ("error", exc.errno)
            continue
        kind = stat.S_IFMT(st.st_mode)
        entry: tuple[object, ...] = (kind, st.st_mode, st.st_size, st.st_mtime_ns)
        if stat.S_ISLNK(st.st_mode):
            entry += (os.readlink(path),)
        elif stat.S_ISREG(st.st_mode):
            with open(path, "rb") as fh:
                entry += (hashlib.sha256(fh.read()).hexdigest(),)
        elif stat.S_ISDIR(st.st_mode):
            if rel == b"":
                entry = (kind, st.st_mode)  # the top's own mtime is the caller's business
            for name in os.listdir(path):
                if rel == b"" and os.fsdecode(name) in skip:
                    continue
                stack.append(os.path.join(rel, name) if rel else name)
        out[rel] = entry
    return out


def diff(before: dict[bytes, tuple[object, ...]], after: dict[bytes, tuple[object, ...]]) -> str:
    """The first few changed paths, or an empty string."""
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))

    def what(k: bytes) -> str:
        return "created" if k not in before else "deleted" if k not in after else "modified"

    shown = [f"{os.fsdecode(k)!r}: {what(k)}" for k in changed[:5]]
    return "; ".join(shown) + (f" (+{len(changed) - 5} more)" if len(changed) > 5 else "")
