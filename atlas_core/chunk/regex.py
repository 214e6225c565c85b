"""A line-based regex chunker: functions, classes/types and imports of common languages.

It guesses (no nesting beyond indentation, end lines approximate: a symbol ends where
the next one of the same or lower indentation starts). Tree-sitter chunkers outrank it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import ClassVar

from atlas_core.terms import name_shape, shape_groups
from atlas_core.types import Chunk, text_lines

__all__ = ["RegexChunker"]

#: (kind, pattern): compiled when a language is first chunked (78 patterns at import
#: cost every index run about 10 ms). Leading blanks are possessive (``\s*+``) where a
#: ``.*`` or a second ``\s*`` follows: retrying every split made a long line quadratic.
_Rule = tuple[str, str]

_ID = r"[A-Za-z_$][\w$]*"

RULES: dict[str, list[_Rule]] = {
    "python": [
        ("class", (rf"^(\s*)class\s+({_ID})")),
        ("function", (rf"^(\s*)(?:async\s+)?def\s+({_ID})")),
        ("import", (r"^(\s*)(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))")),
    ],
    "go": [
        ("method", (rf"^()func\s+\(\s*\w*\s*\*?\s*({_ID})[^)]*\)\s*({_ID})")),
        ("function", (rf"^()func\s+({_ID})")),
        ("type", (rf"^()type\s+({_ID})\s+(?:struct|interface|func|\w)")),
        ("import", (r'^(\s*)(?:import\s+)?(?:\w+\s+)?"([\w./-]+)"\s*$')),
    ],
    "rust": [
        (
            "function",
            (
                rf"^(\s*)(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:const\s+)?fn\s+({_ID})"
            ),
        ),
        ("struct", (rf"^(\s*)(?:pub(?:\([^)]*\))?\s+)?struct\s+({_ID})")),
        ("enum", (rf"^(\s*)(?:pub(?:\([^)]*\))?\s+)?enum\s+({_ID})")),
        ("trait", (rf"^(\s*)(?:pub(?:\([^)]*\))?\s+)?trait\s+({_ID})")),
        ("impl", (rf"^(\s*)impl(?:<[^>]*>)?\s+(?:[\w:]+\s+for\s+)?({_ID})")),
        ("import", (r"^(\s*)(?:pub\s+)?(?:use|mod)\s+([\w:]+)")),
    ],
    "javascript": [
        ("class", (rf"^(\s*)(?:export\s+)?(?:default\s+)?class\s+({_ID})")),
        (
            "function",
            (rf"^(\s*)(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*+\*?\s*+({_ID})"),
        ),
        (
            "function",
            (
                rf"^(\s*)(?:export\s+)?(?:const|let|var)\s+({_ID})\s*=\s*(?:async\s+)?(?:function|\([^)]*\)\s*=>|{_ID}\s*=>)"
            ),
        ),
        (
            "method",
            (rf"^(\s+)(?:static\s+)?(?:async\s+)?(?:get\s+|set\s+)?({_ID})\s*\([^)]*\)\s*\{{"),
        ),
        ("function", (rf"^()(?:module\.)?exports\.({_ID})\s*=")),
        (
            "import",
            (r"""^(\s*+)(?:import\s.*?from\s+|import\s+|.*require\()['"]([^'"]+)['"]"""),
        ),
    ],
    "java": [
        ("class", (rf"^(\s*)(?:[\w@]+\s+)*(?:class|interface|enum|record)\s+({_ID})")),
        (
            "method",
            (
                rf"^(\s+)(?:(?:public|private|protected|static|final|abstract|synchronized|default)\s+)+[\w<>\[\],.? ]+\s+({_ID})\s*\("
            ),
        ),
        ("import", (r"^(\s*)import\s+(?:static\s+)?([\w.]+)")),
    ],
    "c": [
        ("struct", (rf"^()(?:typedef\s+)?(?:struct|enum|union)\s+({_ID})\s*\{{?")),
        ("function", (rf"^()(?:[\w*]+\s+)+\**({_ID})\s*\([^;]*$")),
        ("import", (r'^(\s*)#\s*include\s*[<"]([^>"]+)[>"]')),
    ],
    "ruby": [
        ("class", (r"^(\s*)(?:class|module)\s+([\w:]+)")),
        ("function", (r"^(\s*)def\s+(?:self\.)?([\w?!=]+)")),
        ("import", (r"""^(\s*)require(?:_relative)?\s*\(?['"]([^'"]+)['"]""")),
    ],
    "php": [
        (
            "class",
            (rf"^(\s*)(?:abstract\s+|final\s+)?(?:class|interface|trait|enum)\s+({_ID})"),
        ),
        (
            "function",
            (
                rf"^(\s*)(?:(?:public|private|protected|static|abstract|final)\s+)*function\s+&?({_ID})"
            ),
        ),
        ("import", (r"^(\s*)(?:use|namespace)\s+([\w\\]+)")),
    ],
    "csharp": [
        (
            "class",
            (rf"^(\s*)(?:[\w]+\s+)*(?:class|interface|struct|enum|record)\s+({_ID})"),
        ),
        (
            "method",
            (
                rf"^(\s+)(?:(?:public|private|protected|internal|static|virtual|override|async|sealed|abstract)\s+)+[\w<>\[\],.? ]+\s+({_ID})\s*\("
            ),
        ),
        ("import", (r"^(\s*)using\s+([\w.]+)\s*;")),
    ],
    "swift": [
        (
            "class",
            (rf"^(\s*)(?:[\w]+\s+)*(?:class|struct|protocol|enum|extension|actor)\s+({_ID})"),
        ),
        ("function", (rf"^(\s*)(?:[\w]+\s+)*func\s+({_ID})")),
        ("import", (r"^(\s*)import\s+([\w.]+)")),
    ],
    "kotlin": [
        ("class", (rf"^(\s*)(?:[\w]+\s+)*(?:class|interface|object)\s+({_ID})")),
        ("function", (rf"^(\s*)(?:[\w]+\s+)*fun\s+(?:<[^>]*>\s*)?(?:[\w.]+\.)?({_ID})")),
        ("import", (r"^(\s*)import\s+([\w.]+)")),
    ],
    "scala": [
        ("class", (rf"^(\s*)(?:[\w]+\s+)*(?:class|trait|object)\s+({_ID})")),
        ("function", (rf"^(\s*)(?:[\w]+\s+)*def\s+({_ID})")),
        ("import", (r"^(\s*)import\s+([\w.]+)")),
    ],
    "elixir": [
        ("module", (r"^(\s*)defmodule\s+([\w.]+)")),
        ("function", (r"^(\s*)defp?\s+([\w?!]+)")),
        ("import", (r"^(\s*)(?:alias|import|require|use)\s+([\w.]+)")),
    ],
    "lua": [
        ("function", (r"^(\s*)(?:local\s+)?function\s+([\w.:]+)")),
        ("import", (r"""^(\s*+).*require\s*+\(?\s*+['"]([^'"]+)['"]""")),
    ],
    "bash": [
        ("function", (r"^(\s*)(?:function\s+)?([\w-]+)\s*\(\)\s*\{?")),
        ("import", (r"^(\s*)(?:source|\.)\s+(\S+)")),
    ],
    "haskell": [
        ("function", (r"^()([a-z_][\w']*)\s*::")),
        ("type", (r"^()(?:data|newtype|type|class)\s+([A-Z][\w']*)")),
        ("import", (r"^()import\s+(?:qualified\s+)?([\w.]+)")),
    ],
    "r": [
        ("function", (r"^(\s*)([\w.]+)\s*(?:<-|=)\s*function")),
        ("import", (r"^(\s*)(?:library|require)\(([\w.]+)\)")),
    ],
    "fish": [
        ("function", (r"^(\s*)function\s+([\w.:-]+)")),
        ("import", (r"^(\s*)(?:source|\.)\s+(\S+)")),
    ],
    "vim": [
        ("function", (r"^(\s*)fu(?:n(?:c(?:t(?:i(?:o(?:n)?)?)?)?)?)?!?\s+([\w:#.<>]+)")),
        ("command", (r"^(\s*)com(?:m(?:a(?:n(?:d)?)?)?)?!?\s+(?:-\S+\s+)*([A-Z]\w*)")),
        ("import", (r"^(\s*)(?:so(?:urce)?|ru(?:ntime)?!?)\s+(\S+)")),
    ],
    "make": [
        ("target", (r"^()([\w./%-][\w./%$() -]*?)\s*::?(?!=)")),
        ("function", (r"^()define\s+([\w.-]+)")),
        ("import", (r"^()-?include\s+(\S+)")),
    ],
    "cmake": [
        ("function", r"(?i)^(\s*)(?:function|macro)\s*\(\s*([\w.-]+)"),
        (
            "import",
            r"(?i)^(\s*)(?:include|add_subdirectory)\s*\(\s*([\w./${}-]+)",
        ),
    ],
    "sql": [
        (
            "definition",
            (
                r"(?i)^(\s*)create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(?:unique\s+)?"
                r"(?:table|view|function|procedure|index|type|trigger)\s+(?:if\s+not\s+exists\s+)?"
                r"([\w.\"`]+)"
            ),
        ),
    ],
    "perl": [
        ("module", (r"^()package\s+([\w:]+)")),
        ("function", (r"^(\s*)sub\s+(\w+)")),
        ("import", (r"^(\s*)(?:use|require)\s+([\w:]+)")),
    ],
    "nix": [
        ("function", (r"^(\s*)([\w-]+)\s*=\s*(?:\{[^}]*\}|\w+)\s*:")),
        ("import", (r"^(\s*+).*\bimport\s+(\.{0,2}/\S+|<[^>]+>)")),
    ],
    # the languages below have no grammar in tree-sitter-language-pack 0.13
    "awk": [
        ("function", (r"^(\s*)func(?:tion)?\s+([A-Za-z_]\w*(?:::\w+)?)\s*\(")),
        ("import", (r'^(\s*)@include\s+"([^"]+)"')),
    ],
    # Windows batch files: a `:label` is what `call :label` and `goto` jump to (`::` is a
    # comment); `call x.bat` that opens its line runs another script (`%~dp0` is its folder)
    "batch": [
        ("function", (r"^(\s*+):(?![:\s])([^\s:=;,+<>|&]+)")),
        (
            "import",
            (r'(?i)^(\s*+)@?call\s++"?(?:%~dp0\\?)?([^"\s:%][^"\s]*?\.(?:bat|cmd))(?![^"\s])'),
        ),
    ],
    # justfiles: `import 'x.just'`, `mod name` (or its path), `name := value`, and recipes
    # (`name arg='x': deps`, `@quiet:`) at the start of a line; recipe bodies are indented
    "just": [
        ("import", (r"""^()import\??\s++['"]([^'"]+)['"]""")),
        ("import", (r"""^()mod\??\s++(?:[\w-]+\s++['"]([^'"]+)['"]|([\w-]+))""")),
        ("constant", (r"^()(?:export\s++)?([A-Za-z_][\w-]*)\s*+:=")),
        ("function", (r"^()@?([A-Za-z_][\w-]*)(?:\s[^:]*+)?:(?!=)")),
    ],
    # F# signature files (.fsi): the pack's `fsharp_signature` grammar reads their `val`s and
    # nothing else, and the `fsharp` grammar loses its way at the first member signature;
    # signatures keep to one declaration a line, which these rules read
    "fsharp_signature": [
        ("namespace", (r"^(\s*)namespace\s+(?:rec\s+|global\b\s*)?([\w.]*\w)")),
        ("module", (r"^(\s*)module\s+(?:(?:public|internal|private|rec)\s+)*([\w.]*\w)")),
        (
            "type",
            (
                r"^(\s*)(?:\[<[^\n]*?>\]\s*)?(?:type|and|exception)\s+"
                r"(?:(?:public|internal|private)\s+)?(\w+)"
            ),
        ),
        (
            "function",
            (
                r"^(\s*)(?:static\s+)?(?:val|member|abstract(?:\s+member)?|override|default)"
                r"\s+(?:(?:inline|mutable|public|internal|private)\s+)*(\w+|\([^)\n]+\))\s*:"
            ),
        ),
        ("import", (r"^(\s*)open\s+(?:type\s+)?([\w.]+)")),
    ],
}
RULES["typescript"] = [
    ("interface", (rf"^(\s*)(?:export\s+)?(?:declare\s+)?interface\s+({_ID})")),
    ("type", (rf"^(\s*)(?:export\s+)?(?:declare\s+)?type\s+({_ID})\s*[=<]")),
    ("enum", (rf"^(\s*)(?:export\s+)?(?:const\s+)?enum\s+({_ID})")),
    ("class", (rf"^(\s*)(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+({_ID})")),
    (
        "method",
        (
            rf"^(\s+)(?:(?:public|private|protected|static|async|readonly|override)\s+)*({_ID})\s*(?:<[^>]*>)?\([^)]*\)\s*(?::\s*[^{{]+)?\{{"
        ),
    ),
    *RULES["javascript"],
]
RULES["tsx"] = RULES["typescript"]
RULES["cpp"] = [
    (
        "class",
        (rf"^(\s*)(?:template\s*<[^>]*>\s*)?(?:class|struct|namespace)\s+({_ID})\s*[:{{]?"),
    ),
    ("method", (rf"^()(?:[\w:*&<>]+\s+)*\**({_ID}::~?{_ID})\s*\(")),
    *RULES["c"],
]
RULES["objc"] = RULES["c"]
# single-file components: the rules read the lines of the <script> block (template and style
# lines match none of them)
RULES["vue"] = RULES["svelte"] = RULES["typescript"]
# Astro components: the pack's grammar keeps the frontmatter (TypeScript between `---` lines)
# as raw text, so the TypeScript rules read it, and the `<script>` blocks, line by line;
# `export const name = value` is a constant (a Props interface, getStaticPaths, prerender)
RULES["astro"] = [
    *RULES["typescript"],
    ("constant", (rf"^()export\s++(?:const|let)\s++({_ID})\s*+(?::[^=]*+)?=")),
]
# assembly (GNU as, NASM, MASM): the pack's grammar misreads `#` comments and NASM's `%`
# directives. Labels at the start of a line (not local ones: `.L1`, NASM's `.loop`, `1:`),
# the Linux kernel's `ENTRY(name)` and `SYM_FUNC_START(name)`,
# `.macro`/`%macro`, MASM's `name PROC` and `.include`/`%include`/`#include`
RULES["asm"] = [
    ("import", (r"""(?i)^(\s*+)(?:[.%]include|#\s*include|include)\s++["'<]?([^"'>\s;]+)""")),
    ("macro", (r"(?i)^(\s*+)(?:\.macro|%i?macro)\s++([A-Za-z_.$?@][\w.$?@]*)")),
    ("macro", (r"(?i)^()([A-Za-z_.$?@][\w.$?@]*)\s++macro\b")),
    ("function", (r"(?i)^()([A-Za-z_$?@][\w.$?@]*)\s++proc\b")),
    ("function", (r"^()(?:ENTRY|SYM_FUNC_START(?:_LOCAL)?|SYM_CODE_START)\(\s*+(\w+)")),
    ("function", (r"^()([A-Za-z_$][\w.$@]*):")),
]
# COBOL (fixed or free format, any case): PROGRAM-ID as the module, the PROCEDURE DIVISION's
# sections and paragraphs (a name alone on its line, in area A, before the period), and
# COPY books as imports. The grammar reads a paragraph as its header line alone.
_COBOL_A = r"^(?:[ \d]{6}[ D])?( {0,3})"
RULES["cobol"] = [
    ("module", (rf"(?i){_COBOL_A}program-id\.?\s++['\"]?([\w-]+)")),
    ("import", (r"""(?i)^(?:[ \d]{6} )?(\s*+)copy\s++(?:['"]([^'"]+)['"]|([\w$-]+))""")),
    (
        "section",
        (
            rf"(?i){_COBOL_A}(?!(?:configuration|input-output|file|working-storage|local-storage"
            r"|linkage|report|screen|communication)\s)([\w-]+)\s++section(?:\s++\d+)?\s*+\.\s*+$"
        ),
    ),
    (
        "function",
        (
            rf"(?i){_COBOL_A}(?!(?:end|exit|goback|stop|identification|environment|data|procedure)"
            r"[\s.])([\w-]*[A-Za-z][\w-]*)\s*+\.\s*+$"
        ),
    ),
]
# Less (no grammar in the language pack): imports, variables, mixin definitions and the
# class and id selectors a line starts with (a mixin call ends in ";", not "{")
RULES["less"] = [
    ("import", (r"""^(\s*+)@import\s++(?:\([^)]*\)\s*+)?(?:url\(\s*+)?['"]?([^'"\s;)]++)""")),
    ("variable", (r"^()(@[\w-]+)\s*+:")),
    ("mixin", (r"^()[.#]([\w-]+)\s*+\(.*\)\s*+(?:when\b.*)?\{")),
    ("selector", (r"^()[.#]([\w-]+)(?=[\s,.:#>+~\[{]|$)")),
]
# Sass's indented syntax (no grammar in the language pack): `@use`, `@forward` and
# `@import` (whose names may go unquoted), `$variables`, mixins (`=name` or `@mixin name`),
# `@function`s and the class, id and `%placeholder` selectors a line starts with (`#{...}`
# interpolates)
RULES["sass"] = [
    (
        "import",
        (r"""^(\s*+)@(?:use|forward|import)\s++(?:url\(\s*+)?['"]?([^'"\s,;)]++)"""),
    ),
    ("variable", (r"^()(\$[\w-]+)\s*+:")),
    ("mixin", (r"^()(?:=|@mixin\s)\s*+([\w-]+)")),
    ("function", (r"^()@function\s++([\w-]+)")),
    ("selector", (r"^()[.#%]([\w-]+)(?=[\s,.:>+~\[]|#(?!\{)|$)")),
]

_CONTAINERS = {"class", "struct", "interface", "trait", "impl", "module", "enum", "type"}


@cache
def _compiled(language: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(pattern)) for kind, pattern in RULES.get(language, ())]


#: how the rules read a line, part of the chunker's version: "2" since they read names of
#: every script (``def équilibre``, ``func ПолучитьДанные``) on its ``name_shape``; "3"
#: since lines are numbered at ``\n`` only (``text_lines``), as tree-sitter's rows are
_READING = "3"


@cache
def _rules_digest() -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"reading {_READING}\n".encode())
    for language in sorted(RULES):
        for kind, pattern in RULES[language]:
            digest.update(f"{language}\0{kind}\0{pattern}\n".encode())
    return digest.hexdigest()


class RegexChunker:
    """Regex guesses at symbols and imports for about thirty languages."""

    name: ClassVar[str] = "regex"
    languages: ClassVar[tuple[str, ...]] = tuple(sorted(RULES))
    priority: ClassVar[int] = 0

    @property
    def version(self) -> str:
        """Changes with the rules: an index is then chunked again (new rules reach files
        that did not change)."""
        return _rules_digest()

    def chunk(self, rel: str, text: str, language: str) -> list[Chunk]:
        rules = _compiled(language)
        if not rules:
            return []
        lines = text_lines(text)
        found: list[tuple[int, int, str, str, str]] = []  # line, indent, kind, name, signature
        for number, line in enumerate(lines, 1):
            if not line or len(line) > 400:
                continue
            # the rules are written for ASCII names; on the line's shape they match names of
            # every script, whose text the groups' spans then take from the line
            shape = name_shape(line)
            for kind, pattern in rules:
                match = pattern.match(shape)
                if match is None:
                    continue
                groups = shape_groups(match, line)
                name = next((g for g in groups[1:] if g), "")
                if not name:
                    continue
                if kind == "method" and language == "go":
                    name = f"{groups[1]}.{groups[2]}"
                found.append((number, len(groups[0] or ""), kind, name, line.strip()))
                break
        return self._with_ranges(found, len(lines))

    @staticmethod
    def _with_ranges(found: list[tuple[int, int, str, str, str]], total: int) -> list[Chunk]:
        chunks: list[Chunk] = []
        containers: list[tuple[int, str]] = []  # (indent, name)
        for i, (line, indent, kind, name, sig) in enumerate(found):
            end = total
            for later_line, later_indent, later_kind, _n, _s in found[i + 1 :]:
                if later_indent <= indent and later_kind != "import":
                    end = later_line - 1
                    break
            if kind == "import":
                end = line
            while containers and containers[-1][0] >= indent:
                containers.pop()
            qualified = name
            if kind == "function" and containers:
                kind = "method"
                qualified = f"{containers[-1][1]}.{name}"
            elif "." in name and kind == "method":
                qualified, name = name, name.rsplit(".", 1)[1]
            if kind in _CONTAINERS:
                containers.append((indent, name))
            chunks.append(Chunk(kind, name, qualified, line, max(line, end), sig[:200]))
        return chunks
