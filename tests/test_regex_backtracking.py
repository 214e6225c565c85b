"""Regexes that read repository content or the task finish in linear time on input built to
make a backtracking engine retry: long words, long runs of one character, repeated prefixes.

Each check runs in a child process with a deadline that only a super-linear regex reaches
(the inputs take milliseconds now and took many minutes before), so a regression fails the
test instead of wedging the suite. ``scripts/regex_audit.py`` measures every regex.
"""

from __future__ import annotations

import subprocess
import sys

from atlas_core.output.secrets import redact
from atlas_core.rank.task import _boilerplate, called_names, parse_task
from atlas_core.terms import split_identifier

#: a deadline for the failure only: each child takes well under a second
DEADLINE = 60


def run_child(code: str) -> str:
    """Run ``code`` in a fresh interpreter; its stdout (fails on a timeout or an error)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=DEADLINE
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_long_mixed_case_identifier_splits_in_linear_time() -> None:
    """``AaAa...Aa1a`` made the letter+digit word regex retry from every letter: a 100 KB
    name in a repository file held ``atlas index`` for a minute, 400 KB for many."""
    out = run_child(
        "from atlas_core.terms import split_identifier\n"
        "print(len(split_identifier('Aa' * 200_000 + '1a')))"
    )
    assert int(out) > 0
    # letters+digits from the start of a run of letters, as before
    assert "readutf8" in split_identifier("readUtf8Stream")
    assert "hashsha256" in split_identifier("hashSha256Hex")
    assert "v2" in split_identifier("api_v2_Client")
    assert "http2" in split_identifier("http2Server")


def test_a_task_of_one_long_word_parses_in_linear_time() -> None:
    """One long word (a pasted blob, a minified line): the call regex tried every start."""
    out = run_child(
        "from atlas_core.rank.task import called_names, parse_task\n"
        "word = 'x' * 300_000\n"
        "print(len(parse_task(word).text), len(called_names(word + ' ' + word)))"
    )
    assert out == "300000 0"
    assert called_names("a = foo(1) + 9bar (2) + obj.baz(x)\n") == ["foo", "bar", "baz"]
    assert parse_task("call run_job(x) and 2fix_it()").identifiers[:2] == ("run_job", "fix_it")


def test_a_line_of_many_at_words_parses_in_linear_time() -> None:
    """The JavaScript frame regex searched from every ``at `` of a line to its end for a
    function name that may hold spaces: 19 s on a line of 30,000 ``at ``."""
    out = run_child(
        "from atlas_core.rank.task import parse_task\n"
        "print(len(parse_task('at ' * 100_000).frames))"
    )
    assert out == "0"
    frames = parse_task("Error\n    at Object.<anonymous> (src/app/foo.js:10:5)\n").frames
    assert frames == ("src/app/foo.js",)


def test_a_run_of_plus_signs_parses_in_linear_time() -> None:
    """A path may hold ``+`` and ``~``; from each of a long run of them the path regex
    scanned to the run's end: 6 s on 20,000 ``+``."""
    out = run_child(
        "from atlas_core.rank.task import parse_task\n"
        "print(len(parse_task('+' * 200_000 + ' ' + 'a~' * 100_000).paths))"
    )
    assert out == "0"
    assert parse_task("see ~/proj/a+b.py and +++ b/src/x.py").paths[:2] == (
        "proj/a+b.py",
        "b/src/x.py",
    )


def test_long_lines_are_judged_boilerplate_in_linear_time() -> None:
    """Whitespace, a long digit run before a version, ``a1.1.1...``: the heading, environment
    and version-line regexes took quadratic or cubic time on such a line."""
    out = run_child(
        "from atlas_core.rank.task import parse_task\n"
        "lines = [' ' * 200_000 + 'x', '1' * 300_000 + '.1 x', 'a' + '1.' * 150_000 + ' x',\n"
        "         '- ' + ' ' * 200_000 + 'os x', '#' + ' ' * 200_000 + 'summary x']\n"
        "print(sum(len(parse_task(line).text) > 0 for line in lines))"
    )
    assert out == "5"
    for line in ("requests==2.31.0", "numpy 1.26.4", "- node: v18.1.0", "pkg2.0", "-1.2"):
        assert _boilerplate(line), line
    for line in ("## Steps to reproduce", "- OS: macOS 13", "**Environment**", "  - [x] done"):
        assert _boilerplate(line), line
    for line in ("fix 1.2 x", "1.2", "the parser fails on 1.2.3 input", "os.path is slow"):
        assert not _boilerplate(line), line


def test_a_long_line_of_commands_is_redacted_in_linear_time() -> None:
    """A minified bundle of a database client names ``mysql`` or ``curl`` thousands of
    times on one line: the command patterns scanned from each name to the end of the line
    for its ``-p``/``-u`` (60 KB took 4 s, a 1 MB file many minutes)."""
    out = run_child(
        "from atlas_core.output.secrets import redact\n"
        "line = 'mysql ' * 100_000 + 'curl ' * 120_000 + 'docker login ' * 50_000\n"
        "print(len(redact(line, path='dist/db.min.js')[1]))"
    )
    assert out == "0"
    line = "echo mysql; mysql -h db -pXk29fQm3Lp8s && curl -u deploy:Xk29fQm3Lp8s https://x.io"
    assert redact(line, path="deploy.sh")[0] == (
        "echo mysql; mysql -h db -p[REDACTED password]"
        " && curl -u deploy:[REDACTED password] https://x.io"
    )
    line = "docker login -u deploy -p Xk29fQm3Lp8s registry.example.org"
    assert redact(line, path="deploy.sh")[0] == (
        "docker login -u deploy -p [REDACTED password] registry.example.org"
    )


def test_graph_config_files_parse_in_linear_time() -> None:
    """An odd repository's ``tsconfig.json`` full of unterminated ``/*``, or a ``go.mod`` or
    ``Cargo.toml`` of blank lines: the comment scan restarted at every ``/*`` and ``^\\s*``
    rescanned the blank block from every line (a 1 MB tsconfig took most of an hour).
    A ``MODULE.bazel`` of unclosed ``module(`` calls or one ``name =`` before 1 MB of blanks
    is read as fast."""
    out = run_child(
        "from atlas_graph.resolvers import common, golang, rust, starlark\n"
        "blank = (' ' * 79 + '\\n') * 50_000\n"
        "print(common.load_jsonc('{' + '/* ' * 300_000 + '}'),\n"
        "      common.load_jsonc('{' + '\"\\\\' * 300_000 + '}'),\n"
        "      golang._MODULE.search(blank), rust._NAME.search(blank),\n"
        "      rust._PACKAGE_NAME.findall(blank),\n"
        "      starlark._CALL.findall(('module(name = ' + ' ' * 5000 + '\\n') * 200),\n"
        "      starlark._NAME_ARG.findall('name =' + blank + 'repo_name=' * 100_000))"
    )
    assert out == "None None None None [] [] []"
    from atlas_graph.resolvers import common, golang, rust, starlark

    tsconfig = '{\n  // paths\n  "compilerOptions": {"baseUrl": "./src", /* x */ "paths": {},},\n}'
    assert common.load_jsonc(tsconfig) == {"compilerOptions": {"baseUrl": "./src", "paths": {}}}
    assert common.load_jsonc('{"a": 1} /* never closed') is None
    assert common.load_jsonc('{"a": "/* in a string"}') == {"a": "/* in a string"}
    assert common.load_jsonc('{"a": "x\\"y", "b": "unclosed}') is None
    assert common.load_jsonc('{"a": "x\\"y"}') == {"a": 'x"y'}
    go_mod = "\n\n  \n  module example.com/app\n\ngo 1.22\n"
    match = golang._MODULE.search(go_mod)
    assert match is not None and match.group(1) == "example.com/app"
    cargo = '[workspace]\n\n  [package]\n  \n  name = "my-crate"\n[lib]\nname="core_x"\n'
    sections = rust._PACKAGE_NAME.findall(cargo)
    assert [s for s, _ in sections] == ["package", "lib"]
    names = [rust._NAME.search(body) for _, body in sections]
    assert [m.group(1) for m in names if m] == ["my-crate", "core_x"]
    module = '# rules\nmodule(\n    name = "rules_go",\n    repo_name = "io_bazel_rules_go",\n)\n'
    call = starlark._CALL.search(module)
    assert call is not None and call.group(1) == "module"
    assert starlark._NAME_ARG.findall(call.group(2)) == [
        ("name", "rules_go"),
        ("repo_name", "io_bazel_rules_go"),
    ]


def test_regex_chunker_lines_of_blanks_take_linear_time() -> None:
    """Lines of blanks (up to the chunker's 400 characters): ``^(\\s*).*\\bimport`` and
    ``function\\s*\\*?\\s*`` tried every split of the blanks, about 2 ms a line."""
    out = run_child(
        "from atlas_core.chunk.regex import RegexChunker\n"
        "chunker = RegexChunker()\n"
        "nix = (' ' * 399 + '\\n') * 100_000\n"
        "js = ('function' + ' ' * 391 + '\\n') * 100_000\n"
        "lua = ('x = require' + ' ' * 388 + '\\n') * 100_000\n"
        "print(len(chunker.chunk('a.nix', nix, 'nix')),\n"
        "      len(chunker.chunk('a.js', js, 'javascript')),\n"
        "      len(chunker.chunk('a.lua', lua, 'lua')))"
    )
    assert out == "0 0 0"
    from atlas_core.chunk.regex import RegexChunker

    chunks = RegexChunker().chunk(
        "a.nix", "  imports = [ ./hw.nix ];\n  x = import ./y.nix;\n", "nix"
    )
    assert [c.name for c in chunks] == ["./y.nix;"]  # as before: the path runs to a blank
    js = "export async function* gen() {}\nconst a = require('lib/a');\n"
    assert [c.name for c in RegexChunker().chunk("a.js", js, "javascript")] == ["gen", "lib/a"]
    lua = 'local a = require "lib.a"\nlocal b = require  (  "lib.b")\n'
    assert [c.name for c in RegexChunker().chunk("a.lua", lua, "lua")] == ["lib.a", "lib.b"]


def test_phrases_of_a_long_word_are_found_in_linear_time() -> None:
    """A run of letters with no space after it: the phrase regex retried from every letter
    (seconds at 20k characters) before it started only at a word's first letter."""
    out = run_child(
        "import time\n"
        "from atlas_core.rank.phrases import _RUN, phrase_terms\n"
        "t = time.perf_counter()\n"
        "found = list(_RUN.finditer('A' * 200_000))\n"
        "print(len(found), phrase_terms('x' * 19_900 + ' retry policy'), "
        "time.perf_counter() - t < 5)"
    )
    assert out == "0 ['retrypolicy'] True"
