"""Reading a task the way a bug report is written: prose, code blocks, tracebacks, paths.

``parse_task`` strips issue-template boilerplate (HTML comments, checklists, headings such as
"Steps to reproduce", environment dumps and version lists) so it does not dilute the query,
and pulls out what a reader would follow first: the files and modules the text names, the
frames of a stack trace, identifiers written as code, and error messages.

Names are read in every script, as the languages allow them (Python's
``str.isidentifier``): ``calculer_équilibre()``, ``ПолучитьДанные``, ``src/données/modèle.py``
and a frame in ``Modèle.java`` count as their ASCII forms do. The patterns, written for ASCII,
run over the text's :func:`~atlas_core.terms.name_shape` (each letter of another script as an
ASCII letter of its case), and what they match is taken from the text, in NFC as the index
holds names. Prose in a script written without spaces (Chinese, Japanese) runs into the names
it mentions (``调用getData时``): such a name is also looked up in its pieces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import attrs

from atlas_core.classify.languages import DOC_LANGS, EXTENSIONS
from atlas_core.terms import STOP_WORDS, name_shape, script_pieces, shape_groups

__all__ = [
    "HTML_COMMENT",
    "LONG_TASK_WORDS",
    "ParsedTask",
    "called_names",
    "long_task_title",
    "parse_task",
    "task_title",
]

#: a task of at least this many distinct words is long (a bug report with its body, logs and
#: code): its title, the reporter's summary, is diluted by the rest, so the path prior reads
#: the title's words and BM25F counts them again (chosen by folds, ``scripts/tune.py``)
LONG_TASK_WORDS = 40

_CODE_EXTS = sorted(
    (e for e, lang in EXTENSIONS.items() if lang not in DOC_LANGS and lang != "csv"),
    key=len,
    reverse=True,
)
_EXT = "|".join(re.escape(e) for e in _CODE_EXTS)

#: an HTML comment (issue templates hide their instructions in them), or an unclosed one
HTML_COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
_FENCE = re.compile(r"^\s*(```|~~~)")
#: headings and labels that issue templates put around the real content
_TEMPLATE_HEADING = re.compile(
    r"^\s*+(#{1,6}\s*+|\*\*|__)?\s*+("
    r"steps to reproduce|to reproduce|reproduction|how to reproduce|"
    r"minimal (reproducible )?example|"
    r"expected (behaviou?r|result|outcome)|actual (behaviou?r|result|outcome)|current behaviou?r|"
    r"describe the bug|bug description|description|summary|environment|your environment|"
    r"system info(rmation)?|versions?|additional (context|information|info)|screenshots?|"
    r"checklist|possible (solution|fix)|context|motivation|other information|"
    r"what happened\??|what did you expect to happen\??|"
    r"is your feature request related to a problem\??|describe the solution you'?d like|"
    r"describe alternatives you'?ve considered"
    r")\s*+:?\s*+(\*\*|__)?\s*+$",
    re.IGNORECASE,
)
_CHECKBOX = re.compile(r"^\s*[-*]\s*\[[ xX]\]")
#: "- OS: macOS 13", "Python version: 3.11.2", "* node: v18.1.0"
_ENV_LINE = re.compile(
    r"^\s*+[-*]?\s*+(\*\*)?("
    r"os|platform|operating system|system|python|python version|node|node version|npm|browser|"
    r"version|versions|release|kernel|arch|architecture|machine|distro|distribution|"
    r"[\w.-]+ version|installed from|installation|cpu|gpu|ram|memory|shell|terminal|editor|ide"
    r")(\*\*)?\s*+:.*$",
    re.IGNORECASE,
)
#: "requests==2.31.0", "numpy 1.26.4", "Python 3.11.4"  (pip freeze, version lists)
#: Linear time: a name glued to its version ("pkg2.0") ends before the first digit that
#: starts "N.N" (after that, any split gives the same rest of the line); a name followed
#: by a space or an operator is the whole run of name characters. The naive form
#: ``[\w.\[\]-]+\s*(op)?\s*v?\d+(\.\d+)+\S*\s*$`` tried every split: minutes on a long token.
_VERSION_LINE = re.compile(
    r"^\s*+[-*]?\s*+"
    r"(?:[\w.\[\]-]++\s*+(?:==|>=|<=|~=|@|:)?\s*+v?\d++\.\d|(?>[\w.\[\]-]+?(?=\d\.\d)))"
    r"\S*+\s*+$"
)

_PY_FRAME = re.compile(r'File "([^"]+)", line (\d+)(?:, in ([\w<>.$]+))?')
#: JavaScript ``at Foo.bar (src/foo.js:3:5)``, ``at src/foo.js:3:5``
#: (a function name is at most 200 characters: a name that may hold spaces, searched from
#: every "at " of a line to its end, took quadratic time: 19 s on a line of 30,000 "at ")
_JS_FRAME = re.compile(
    r"\bat (?:(?:async )?([\w$.<>\[\] ]{1,200}?) \()?([^\s()]+?):(\d+)(?::\d+)?\)?\s*$"
)
#: Java, Kotlin, Scala ``at com.google.gson.Gson.toJson(Gson.java:735)`` (a class loader or
#: module may lead: ``at app//com.example.Foo.run(Foo.kt:3)``): the package names the
#: directories, the parentheses the file
_JVM_FRAME = re.compile(
    r"\bat\s++(?:[\w.$@-]*+//?)?((?:[\w$]++\.)++)([\w$<>]++)"
    r"\(([\w$-]++\.(?:java|kt|kts|scala|groovy|clj|cljc)):\d++\)"
)
#: .NET ``at Ns.Type.Method(Type arg) in C:\src\Ns\Type.cs:line 42``
#: (the path stops at a parenthesis: from every "at" of a line, a path of any characters
#: was looked for up to 300 of them ahead)
_DOTNET_FRAME = re.compile(
    r"\bat\s++([\w.`<>+]++)\([^()\n]{0,300}+\)\s++in\s++((?:[A-Za-z]:)?[^:\n()]{1,300}+)"
    r":line\s++\d++"
)
#: traces that give a file and line per frame, innermost first; group 1 is the file, the
#: others the function's owner and name. Go's file line follows its function line:
#: ``\t/home/u/app/server.go:42 +0x1d``
_GO_FRAME = re.compile(r"^\s*+((?:[A-Za-z]:)?[^\s:]+\.go):\d++(?:\s++\+0x[0-9a-f]++)?\s*+$")
#: Ruby ``from lib/jekyll/site.rb:45:in `block in process'`` (3.4: ``'Site#process'``)
_RUBY_FRAME = re.compile(
    r"^\s*+(?:from\s++)?((?:[A-Za-z]:)?[^\s:]+\.(?:rb|rake|ru)):\d++:in\s++[`']"
    r"(?:block\s++(?:\(\d++ levels\)\s++)?in\s++)?(?:([\w:]+)[#.])?([^'`\s#.]{1,200})['`]"
)
#: PHP ``#0 /var/www/src/Client.php(120): GuzzleHttp\Client->send()``
_PHP_FRAME = re.compile(
    r"^\s*+#\d++\s++((?:[A-Za-z]:)?[^\s(]+\.php)\(\d++\):\s*+"
    r"(?:(?:\w++\\)*+(\w++)(?:->|::))?(\w++)\("
)
#: Elixir ``(plug 1.14.0) lib/plug/conn.ex:402: Plug.Conn.put_status/2`` (or ``(...)``)
_ELIXIR_FRAME = re.compile(
    r"^\s*+(?:\([\w-]++(?:\s++[\w.+-]++)?\)\s++)?((?:[A-Za-z]:)?[^\s:]+\.exs?):\d++:\s*+"
    r"(?:(?:[\w.]+\.)?(\w++)\.)?([\w?!]+)(?:/\d|\()"
)
_FILE_LINE_FRAMES = (_GO_FRAME, _RUBY_FRAME, _PHP_FRAME, _ELIXIR_FRAME)
#: a path with a known code extension (``/`` or Windows' ``\\`` between its parts), optionally
#: followed by ``:line``; it does not start just after a ``~`` or ``+`` (which a path may hold:
#: from each of a long run of them, the scan to the run's end took quadratic time, 6 s on
#: 20,000 ``+``)
_PATH = re.compile(
    rf"(?<![\w@/\\.~+-])((?:[A-Za-z]:)?[\w.@~+-]*(?:[/\\][\w.@+-]+)*\.(?:{_EXT}))(?::(\d+))?(?![\w-])"
)
_MODULE = re.compile(r"(?<![\w./-])([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*){1,6})(?![\w/(-])")
_BACKTICK = re.compile(r"`([^`\n]{1,200})`")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_CALL = re.compile(r"(?<!\w)[^\W_A-Za-z]*+([A-Za-z_]\w*+)\s*\(")
#: ``Owner.member``, and as Rust, C++, Ruby and PHP write it: ``Arg::new``, ``Site#process``,
#: ``client->send``
_QUALIFIED = re.compile(r"\b([A-Za-z_]\w*(?:(?:\.|::|#|->)[A-Za-z_]\w*)+)\b")
_QUALIFIER = re.compile(r"\.|::|#|->")
#: snake_case, camelCase, PascalCase with two humps or led by an acronym (``MCodePrinter``,
#: ``HTTPAdapter``; not a plural acronym such as ``URLs``), __dunder__, SCREAMING_SNAKE_CASE
#: (``MAX_RETRIES``, ``FMT_USE_X``: a constant or macro; a lone acronym is not one)
_CODEISH = re.compile(
    r"^_*[a-z0-9]+(?:_[a-z0-9]+)+_*$|^_*[a-z]+[A-Z]\w*$|^_*[A-Z][a-z0-9]+[A-Z]\w*$"
    r"|^_*[A-Z]{2,}[a-z]{2,}\w*$|^__\w+__$|^_*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"
)
#: a release's title: "Prepare 5.8.0", "Release v1.2", "chore(main): release 11.16.2", "Bump
#: version to 2.0.1" (one version number and nothing else after the verb)
_RELEASE_TITLE = re.compile(
    r"^\s*+(?:[\w()!/.-]++:\s*+)?(?:prepare|release|releasing|bump|cut|publish)\b"
    r"(?:\s++(?:the\s++)?(?:version|release))?(?:\s++(?:to|for))?\s++v?\d++(?:\.\d++){1,2}"
    r"(?:[-.+]\w++)*+(?:\s++release)?\s*+$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]+")
#: a kebab-case name, as Lisps, CSS and command lines write them (``magit-stash-push``,
#: ``insert-section--finish``, ``btn-primary``); hyphenated prose words (``built-in``) match
#: too, and count only where a file defines that very name
_KEBAB = re.compile(r"(?<![\w-])[a-z][a-z0-9]*+(?:--?+[a-z0-9]++){1,8}+(?![\w-])")
#: the names a project's version is defined under
_VERSION_NAMES = ("version", "VERSION", "__version__")
#: ``ValueError: bad thing``, ``panic: ...``, ``error: ...``
_MESSAGE = re.compile(
    r"(?:^|\s)(?:[\w.]*(?:Error|Exception|Warning|Exit|Failure)|panic|error|fatal|FATAL|ERROR)"
    r"\s*:\s*(.{8,300}?)\s*$",
    re.MULTILINE,
)
_IMPORT_LINE = re.compile(
    r"^\s*(?:>>>\s*|\.\.\.\s*)?(?:from\s+([\w.]+)\s+import\b|import\s+([\w.]+))"
)
#: a code line that may be quoted from a source file: 20 to 300 characters with two words,
#: not a session's input (``>>>``, ``In [1]:``) or output
_QUOTABLE = re.compile(
    r"^(?!\s*+(?:>>>|\.\.\.|In \[|Out\[))(?=\s*+\S.{19,299}$)(?=.*?[A-Za-z_]\w*\W+[A-Za-z_])"
)
_TRACEBACK_HEAD = re.compile(r"^\s*Traceback \(most recent call last\):\s*$")


@attrs.frozen
class ParsedTask:
    """What a task says, split by kind of evidence."""

    #: the text to tokenise: boilerplate removed, frames reduced to their function names
    text: str
    #: file paths written in the text (as written, without ``./`` or a line number)
    paths: tuple[str, ...] = ()
    #: file paths of stack-trace frames, innermost last
    frames: tuple[str, ...] = ()
    #: dotted names that may be modules: ``sphinx.ext.autodoc``
    modules: tuple[str, ...] = ()
    #: identifiers written as code: ``is_upper``, ``Function._eval_evalf`` gives both parts
    identifiers: tuple[str, ...] = ()
    #: ``Owner.member`` pairs: a file defining both is likely the one meant
    qualified: tuple[tuple[str, str], ...] = ()
    #: modules imported by example code (weaker than a module the prose names)
    imported: tuple[str, ...] = ()
    #: error messages (the text after ``SomeError:``)
    messages: tuple[str, ...] = ()
    #: words the prose writes (outside code blocks): what the report is about, where code
    #: blocks also carry set-up (``symbols``, ``Matrix``)
    prose: frozenset[str] = frozenset()
    #: lines of code blocks long enough to be quoted from a file (not session input or
    #: output), stripped, longest first
    code_lines: tuple[str, ...] = ()


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _found(pattern: re.Pattern[str], text: str, shape: str) -> list[str]:
    """``pattern.findall(text)`` (a pattern of one group at most) with names of every
    script: matched on ``shape``, the :func:`~atlas_core.terms.name_shape` of ``text``."""
    if shape is text:
        return pattern.findall(text)
    group = 1 if pattern.groups else 0
    return [text[m.start(group) : m.end(group)] for m in pattern.finditer(shape)]


def _frame(line: str) -> tuple[str, list[str], bool] | None:
    """A stack frame's file, its function's names, and whether its trace prints the
    innermost frame first (every language but Python); None for a line that is no frame."""
    shape = name_shape(line)
    if match := _PY_FRAME.search(shape):
        path, _, func = shape_groups(match, line)
        return _clean_path(path or ""), _names(func or ""), False
    if match := _JVM_FRAME.search(shape):
        package_and_owner, member, file = shape_groups(match, line)
        *package, owner, _ = (package_and_owner or "").split(".")
        path = "/".join([*package, file or ""])
        return path, _names(f"{owner.split('$', 1)[0]}.{member}"), True
    if match := _DOTNET_FRAME.search(shape):
        func, path = shape_groups(match, line)
        owner_and_member = (func or "").split(".")[-2:]
        return _clean_path(path or ""), _names(".".join(owner_and_member)), True
    if match := _JS_FRAME.search(shape):
        func, path, _ = shape_groups(match, line)
        return _clean_path(path or ""), _names((func or "").strip()), True
    for pattern in _FILE_LINE_FRAMES:
        if match := pattern.search(shape):
            path, *names = shape_groups(match, line)
            owner_and_name = [g.rsplit(":", 1)[-1] for g in names if g]
            return _clean_path(path or ""), _names(".".join(owner_and_name)), True
    return None


def _names(func: str) -> list[str]:
    """The names of a frame's function: ``Foo.bar`` gives both; ``<module>``, ``<init>`` none."""
    return [n for n in re.split(r"[.\s]+", func) if n and not n.startswith("<")]


def _clean_path(raw: str) -> str:
    path = raw.replace("\\", "/").strip("'\"()[]<>,;")
    path = re.sub(r"^[A-Za-z]:", "", path)
    while path.startswith(("./", "../")):
        path = path.split("/", 1)[1]
    return path.lstrip("/~")


def _boilerplate(line: str) -> bool:
    return bool(
        _TEMPLATE_HEADING.match(line)
        or _CHECKBOX.match(line)
        or _ENV_LINE.match(line)
        or _VERSION_LINE.match(line)
    )


def task_title(task: str) -> str:
    """The first line of ``task`` that holds a word (HTML comments removed), at most 300
    characters: a longer one is prose, and its start is enough."""
    for line in HTML_COMMENT.sub(" ", task[:6000]).splitlines():
        if _WORD.search(line):
            return line.strip()[:300]
    return ""


def long_task_title(task: str, terms: list[str]) -> list[str]:
    """The words of ``task``'s title when the task is long (``terms``, its words, hold at
    least ``LONG_TASK_WORDS`` distinct ones); ``[]`` for a shorter task."""
    from atlas_core.terms import tokenize

    if len(set(terms)) < LONG_TASK_WORDS:
        return []
    return tokenize(parse_task(task_title(task)).text)


@lru_cache(maxsize=16)
def parse_task(task: str) -> ParsedTask:
    """Split a task into the text to tokenise and the references it makes."""
    text = HTML_COMMENT.sub(" ", task)
    if not text.isascii():  # names compare as the index holds them (NFC)
        text = unicodedata.normalize("NFC", text)
    kept: list[str] = []
    paths: list[str] = []
    frames: list[str] = []
    idents: list[str] = []
    imported: list[str] = []
    prose_words: set[str] = set()
    code_lines: list[str] = []
    in_code = False
    top_first: list[str] = []  # the frames of a trace printed innermost first, so far
    for line in text.splitlines():
        if _FENCE.match(line) or not line.strip():
            # a trace is a block of lines: its frames, innermost last as Python prints them
            frames.extend(reversed(top_first))
            top_first.clear()
            if line.strip():
                in_code = not in_code
            else:
                kept.append(line)
            continue
        frame = _frame(line)
        if frame is not None:
            path, names, innermost_first = frame
            if innermost_first:
                top_first.append(path)
            else:
                frames.append(path)
            # keep the function name, drop "File", "line", the directories of site-packages
            idents.extend(names)
            kept.append(" ".join(names))
            continue
        if _TRACEBACK_HEAD.match(line):
            continue
        if not in_code and _boilerplate(line):
            continue
        kept.append(line)
        # the patterns read names of every script on the line's shape (see _found)
        shape = name_shape(line)
        if not in_code and not line.lstrip().startswith((">>>", "...", "In [", "Out[")):
            prose_words.update(_found(_IDENT, line, shape))
        imp = _IMPORT_LINE.match(shape)
        if imp:
            module, imported_module = shape_groups(imp, line)
            imported.append(module or imported_module or "")
        if in_code:
            if _QUOTABLE.match(shape):
                code_lines.append(line.strip())
            idents.extend(_found(_CALL, line, shape))
            idents.extend(i for i in _found(_IDENT, line, shape) if _codeish(i))
    frames.extend(reversed(top_first))
    body = "\n".join(kept)
    body_shape = name_shape(body)
    for match in _PATH.finditer(body_shape):
        paths.append(_clean_path(body[match.start(1) : match.end(1)]))
    modules = [m for m in _modules(body, body_shape) if not _PATH.fullmatch(name_shape(m))]
    # a module only example code imports is weaker evidence than one the prose names
    prose = "\n".join(ln for ln in kept if not _IMPORT_LINE.match(name_shape(ln)))
    named = set(_modules(prose, name_shape(prose)))
    modules = [m for m in modules if m in named]
    pairs: list[tuple[str, str]] = []
    for quoted in _found(_BACKTICK, body, body_shape):
        idents.extend(_found(_IDENT, quoted, name_shape(quoted)))
    idents.extend(_found(_CALL, body, body_shape))
    for qualified in _found(_QUALIFIED, body, body_shape):
        for name in _unglued(qualified):
            parts = _QUALIFIER.split(name)
            idents.extend(parts)
            if len(parts) > 1 and len(parts[-2]) >= 2 and len(parts[-1]) >= 3:
                pairs.append((parts[-2], parts[-1]))
    idents.extend(i for i in _found(_IDENT, body, body_shape) if _codeish(i))
    idents.extend(_found(_KEBAB, body, body_shape))
    if _RELEASE_TITLE.match(task_title(text)):
        # "Prepare 5.8.0", "chore: release 1.2": the commit sets the version the code holds
        idents.extend(_VERSION_NAMES)
    # a capitalised stop word is a name (``Mod``, ``Function``), the lower-case one a keyword
    identifiers = [
        i
        for i in _with_pieces(idents)
        if len(i.strip("_$")) >= 3 and (i[:1].isupper() or i.lower() not in STOP_WORDS)
    ]
    messages = [m.strip() for m in _MESSAGE.findall(task)]
    return ParsedTask(
        body,
        _unique(paths),
        tuple(reversed(_unique(frames[::-1]))),
        _unique(modules),
        _unique(identifiers),
        tuple(dict.fromkeys(pairs)),
        _unique([m for m in imported if "." in m and m not in named]),
        _unique(messages)[:5],
        frozenset(prose_words),
        tuple(sorted(_unique(code_lines), key=len, reverse=True)),
    )


def _codeish(ident: str) -> bool:
    """Whether ``ident`` is written as code (see ``_CODEISH``), in any script."""
    return _CODEISH.match(name_shape(ident)) is not None


def _unglued(name: str) -> list[str]:
    """The names in ``name`` where prose of a script written without spaces runs into
    them (``在sympy.core中的Foo类``: ``sympy.core``, ``Foo``); ``[name]`` as a rule."""
    pieces = script_pieces(name)
    if len(pieces) == 1:
        return [name]
    return [piece for piece, spaceless in pieces if not spaceless]


def _modules(text: str, shape: str) -> list[str]:
    """The dotted names of ``text`` that may be modules (``_MODULE``)."""
    found = _found(_MODULE, text, shape)
    if shape is text:
        return found
    return [m for name in found for m in _unglued(name) if _MODULE.fullmatch(name_shape(m))]


def _with_pieces(idents: list[str]) -> list[str]:
    """``idents``, each followed by its pieces where a script written without spaces meets
    another (``调用getData``: ``调用``, ``getData``)."""
    if all(map(str.isascii, idents)):
        return idents
    out: list[str] = []
    for ident in idents:
        out.append(ident)
        pieces = script_pieces(ident)
        if len(pieces) > 1:
            out.extend(piece for piece, _ in pieces)
    return out


def called_names(code: str) -> list[str]:
    """Names that ``code`` calls (``foo(``, ``obj.bar(``), in order, once each; short names
    and stop words left out."""
    return [
        c
        for c in dict.fromkeys(_found(_CALL, code, name_shape(code)))
        if len(c.strip("_$")) >= 3 and c.lower() not in STOP_WORDS
    ]
