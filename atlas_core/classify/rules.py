"""Language and role of a file from its path and first bytes (the built-in classifier)."""

from __future__ import annotations

import re

__all__ = ["CLASSIFY_VERSION", "detect_language", "detect_role", "explain_role"]

#: bump when the built-in rules change, so existing indexes are classified again
CLASSIFY_VERSION = 3

EXTENSIONS: dict[str, str] = {
    "py": "python",
    "pyi": "python",
    "pyx": "python",
    "go": "go",
    "rs": "rust",
    "js": "javascript",
    "mjs": "javascript",
    "cjs": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "mts": "typescript",
    "cts": "typescript",
    "tsx": "tsx",
    "java": "java",
    "kt": "kotlin",
    "kts": "kotlin",
    "scala": "scala",
    "sc": "scala",
    "c": "c",
    "h": "c",
    "cc": "cpp",
    "cpp": "cpp",
    "cxx": "cpp",
    "hpp": "cpp",
    "hh": "cpp",
    "hxx": "cpp",
    "cs": "csharp",
    "rb": "ruby",
    "rake": "ruby",
    "gemspec": "ruby",
    "php": "php",
    "swift": "swift",
    "ex": "elixir",
    "exs": "elixir",
    "erl": "erlang",
    "lua": "lua",
    "sh": "bash",
    "bash": "bash",
    "zsh": "bash",
    "ksh": "bash",
    "fish": "fish",
    "nix": "nix",
    "psm1": "powershell",
    "hrl": "erlang",
    "tcl": "tcl",
    "awk": "awk",
    "cmd": "batch",
    "hs": "haskell",
    "r": "r",
    "R": "r",
    "jl": "julia",
    "dart": "dart",
    "m": "objc",
    "mm": "objc",
    "clj": "clojure",
    "cljs": "clojure",
    "ml": "ocaml",
    "mli": "ocaml",
    "fs": "fsharp",
    "zig": "zig",
    "nim": "nim",
    "pl": "perl",
    "pm": "perl",
    "vue": "vue",
    "svelte": "svelte",
    "sql": "sql",
    "proto": "protobuf",
    "graphql": "graphql",
    "gql": "graphql",
    "html": "html",
    "htm": "html",
    "css": "css",
    "scss": "scss",
    "less": "less",
    "md": "markdown",
    "markdown": "markdown",
    "rst": "rst",
    "txt": "text",
    "adoc": "asciidoc",
    "json": "json",
    "yaml": "yaml",
    "yml": "yaml",
    "toml": "toml",
    "ini": "ini",
    "cfg": "ini",
    "xml": "xml",
    "gradle": "groovy",
    "groovy": "groovy",
    "tf": "hcl",
    "hcl": "hcl",
    "cmake": "cmake",
    "mk": "make",
    "dockerfile": "dockerfile",
    "ps1": "powershell",
    "bat": "batch",
    "vim": "vim",
    "el": "elisp",
    "tex": "latex",
    "csv": "csv",
}

FILENAMES: dict[str, str] = {
    "makefile": "make",
    "gnumakefile": "make",
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "cmakelists.txt": "cmake",
    "rakefile": "ruby",
    "gemfile": "ruby",
    "justfile": "just",
    "vagrantfile": "ruby",
    "build": "starlark",
    "build.bazel": "starlark",
    "workspace": "starlark",
    "jenkinsfile": "groovy",
    ".bashrc": "bash",
    ".bash_profile": "bash",
    ".bash_logout": "bash",
    ".profile": "bash",
    ".zshrc": "bash",
    ".zshenv": "bash",
    ".zprofile": "bash",
    ".vimrc": "vim",
    "vimrc": "vim",
    ".gvimrc": "vim",
    "_vimrc": "vim",
    "pkgbuild": "bash",
    "apkbuild": "bash",
}

SHEBANGS = {
    "python": "python",
    "node": "javascript",
    "bash": "bash",
    "sh": "bash",
    "zsh": "bash",
    "ksh": "bash",
    "dash": "bash",
    "ash": "bash",
    "fish": "fish",
    "ruby": "ruby",
    "perl": "perl",
    "php": "php",
    "lua": "lua",
    "deno": "typescript",
    "bun": "typescript",
    "Rscript": "r",
    "make": "make",
    "awk": "awk",
    "gawk": "awk",
    "tclsh": "tcl",
    "pwsh": "powershell",
}

CONFIG_LANGS = {"json", "yaml", "toml", "ini", "xml", "hcl"}
DOC_LANGS = {"markdown", "rst", "text", "asciidoc", "latex"}
BUILD_NAMES = {
    "makefile",
    "gnumakefile",
    "cmakelists.txt",
    "dockerfile",
    "containerfile",
    "build",
    "build.bazel",
    "workspace",
    "justfile",
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "package.json",
    "go.mod",
    "go.sum",
    "cargo.toml",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "gemfile",
    "rakefile",
    "tsconfig.json",
    "noxfile.py",
    "tox.ini",
    "meson.build",
    "vite.config.ts",
    "webpack.config.js",
    "rollup.config.js",
    "babel.config.js",
    "jenkinsfile",
}
LOCKFILES = {
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "cargo.lock",
    "poetry.lock",
    "pipfile.lock",
    "composer.lock",
    "gemfile.lock",
    "go.sum",
    "uv.lock",
    "pdm.lock",
    "bun.lockb",
    "flake.lock",
    "mix.lock",
    "podfile.lock",
    "packages.lock.json",
}
VENDOR_DIRS = {
    "vendor",
    "node_modules",
    "third_party",
    "thirdparty",
    "third-party",
    "bower_components",
    "site-packages",
    ".venv",
    "venv",
    "external",
    "deps",
    "vendored",
    "_vendor",
    "extern",
}
TEST_DIRS = {
    "test",
    "tests",
    "testing",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "test_data",
    "fixtures",
    "e2e",
    "integration_tests",
    "unittests",
}
#: test projects and source sets named the .NET, JVM and Swift way: ``Foo.Tests/``,
#: ``Foo.UnitTests/``, ``src/jvmTest/``, ``AlamofireTests/``, ``foo-specs/``
_TEST_DIR_NAME = re.compile(r"(?:[a-z0-9](?:Tests?|Specs?)|[._-](?:[Tt]ests?|[Ss]pecs?))$")
DOC_DIRS = {"docs", "doc", "documentation", "man"}
BUILD_DIRS = {".github", ".circleci", ".gitlab", "ci", ".ci", ".buildkite", ".devcontainer"}

_TEST_FILE = re.compile(
    r"(^test_.*\.py$|.*_test\.py$|.*_test\.go$|.*\.(test|spec)\.[cm]?[jt]sx?$|"
    r".*_spec\.rb$|.*_test\.rb$|^test.*\.rb$|.*Tests?\.(java|kt|scala|cs|swift)$|"
    r".*Spec\.(scala|kt|groovy)$|.*_test\.(exs|rs|c|cc|cpp|lua|dart)$|^conftest\.py$|"
    r".*Test\.php$|.*_tests?\.(c|cpp|h)$|.*\.test\.(ts|js)$)"
)
_GENERATED_FILE = re.compile(
    r"(.*\.pb\.go$|.*_pb2(_grpc)?\.pyi?$|.*\.pb\.(cc|h)$|.*[.-]min\.(js|mjs|cjs|css)$|.*\.map$|"
    r".*_generated\.\w+$|.*\.generated\.\w+$|.*\.g\.dart$|.*\.designer\.cs$|"
    r".*_string\.go$|^zz_generated.*|.*\.gen\.go$|.*\.bundle\.js$|.*\.snap$|"
    r".*\.(umd|esm|cjs|iife|prod|production|development)\.(js|mjs|cjs)$)"
)
#: markers a tool leaves at the top of a file it wrote; strong enough anywhere in the head
_GENERATED_STRONG = re.compile(
    r"(Code generated .{0,80}DO NOT EDIT|@generated\b|DO NOT (EDIT|MODIFY)\b|"
    r"generated by protoc|autogenerated file|automatically generated file)",
    re.IGNORECASE,
)
#: weaker phrases: they count only as the start of a comment among the first lines
_GENERATED_WEAK = re.compile(
    r"^(\*+\s*)?(this (file|code|module|table|header|source)( is| was| has been)? )?"
    r"(auto-?|automatically |machine[- ])?generated"
    r"(\s+(automatically\s+)?(by|from|with|using)\b(?! (the )?user)|"
    r"\s*[.:,;-]|\s*$|\s+(file|code))",
    re.IGNORECASE,
)
#: a code generator named anywhere in a comment line: "A lexical scanner generated by flex"
_GENERATOR_TOOL = re.compile(
    r"generated (automatically )?(by|with|using) (the )?(flex|bison|byacc|yacc|protoc|swig|cython|"
    r"antlr\w*|re2c|gperf|ragel|lemon|thrift|capnp|flatc|bindgen|cbindgen|sqlc|stringer|mockgen|"
    r"mockery|ent|gqlgen|openapi[\w-]*|swagger[\w-]*|jison|pegjs|peggy|nearley|lalrpop|tree-sitter)\b",
    re.IGNORECASE,
)
_COMMENT_LEAD = re.compile(
    r"^\s*(#(?![a-z])|//|/\*|\*|--|;|<!--|\"|%|\(\*|\{-|\'\'\'|rem\b|::)", re.IGNORECASE
)
#: directories a build writes its output to; they count at the top of the tree or of a
#: package in a monorepo (``packages/x/dist``); deeper ones are often real source packages
OUTPUT_DIRS = {"dist", "out", "target", "_build", "build-output", "dist-types"}
MONOREPO_DIRS = {"packages", "libs", "apps", "modules", "plugins", "crates", "projects"}
#: the first-line banner bundlers write: "/*! axios v1.2.3 ...", "// Axios v1.6.2 Copyright ..."
_BUNDLE_BANNER = re.compile(
    r"\A\s*(/\*!?[\s*]*|//!?\s*)@?[\w./-]+\s+(v\d+\.\d+\.\d+|"
    r"\d+\.\d+\.\d+\S*\s+(\||-|\(c\)|©|copyright|licen[sc]e|https?://))",
    re.IGNORECASE,
)
#: what bundlers and compilers put near the top of their output
_BUNDLE_HEAD = re.compile(
    r"(webpackBootstrap|webpackUniversalModuleDefinition|/\*{6}/|__webpack_require__|"
    r"typeof exports ?=== ?['\"]object['\"] ?&& ?typeof module ?!== ?['\"]undefined['\"] ?\? ?"
    r"module\.exports ?= ?factory\(|"  # rollup's UMD wrapper
    r"Object\.defineProperty\(exports, ?['\"]__esModule['\"]|exports\.__esModule ?= ?true|"
    r"^var __(defProp|create|getOwnPropNames) = Object\.|"  # esbuild
    r"[#@] sourceMappingURL=)",
    re.MULTILINE,
)
#: every match of ``_BUNDLE_HEAD`` contains one of these (tested first: far cheaper)
_BUNDLE_HINTS = ("exports", "webpack", "/******/", "var __", "sourceMappingURL=")


def _bundle_hint(head: str) -> bool:
    return any(hint in head for hint in _BUNDLE_HINTS)


#: lines this long, with this little white space and this much punctuation, are minified
#: output (a long import list has more spaces and fewer operators)
_MINIFIED_LINE = 500
_MINIFIED_SPACE = 0.04
_MINIFIED_PUNCT = 0.15
_PUNCT = re.compile(r"[;{}()=,:?!&|<>+\[\]]")
_CODE_ROLES_ASIDE = {"make", "dockerfile", "cmake", "starlark", "just"}


def _is_minified(head: str) -> bool:
    for line in head.split("\n"):
        if len(line) >= _MINIFIED_LINE:
            spaces = line.count(" ") + line.count("\t")
            if (
                spaces / len(line) < _MINIFIED_SPACE
                and len(_PUNCT.findall(line)) / len(line) >= _MINIFIED_PUNCT
            ):
                return True
    return False


def _generated_header(head: str) -> str | None:
    """The generated-file marker in the first lines of ``head``, if there is one."""
    top = head[:800]
    low = top.lower()
    # every strong marker has one of these words (a test far cheaper than the search)
    if "generated" in low or "do not" in low:
        found = _GENERATED_STRONG.search(top)
        if found:
            return found.group(0)
    for line in top.split("\n")[:12]:
        lead = _COMMENT_LEAD.match(line)
        if lead:
            weak = _GENERATED_WEAK.match(line[lead.end() :].strip()) or _GENERATOR_TOOL.search(line)
            if weak:
                return weak.group(0)
    return None


def _output_dir(dirs: list[str], names: set[str] = OUTPUT_DIRS) -> str | None:
    for k, d in enumerate(dirs):
        if d in names and (k == 0 or (k >= 2 and dirs[k - 2] in MONOREPO_DIRS)):
            return d
    return None


def detect_language(rel: str, head: str) -> str:
    """Language id from file name, extension or shebang; ``unknown`` otherwise."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in FILENAMES:
        return FILENAMES[lower]
    if "." in name:
        ext = name.rsplit(".", 1)[1]
        lang = EXTENSIONS.get(ext) or EXTENSIONS.get(ext.lower())
        if lang:
            return lang
    if head.startswith("#!"):
        line = head.split("\n", 1)[0]
        words = line[2:].replace("/", " ").split()
        for word in reversed(words):
            base = re.sub(r"[0-9.]+$", "", word)
            if base in SHEBANGS:
                return SHEBANGS[base]
    if lower.startswith("dockerfile"):
        return "dockerfile"
    return "unknown"


def detect_role(rel: str, language: str, head: str) -> str:
    """One of impl, test, config, docs, build, generated, vendor, other."""
    return explain_role(rel, language, head)[0]


def explain_role(rel: str, language: str, head: str) -> tuple[str, str]:
    """The role of a file and the evidence for it, e.g. ``("generated", "minified lines")``."""
    parts = rel.lower().split("/")
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    dirs = parts[:-1]
    vendor = next((d for d in dirs if d in VENDOR_DIRS), None)
    if vendor:
        return "vendor", f"in {vendor}/"
    if lower in LOCKFILES:
        return "generated", "lockfile"
    if _GENERATED_FILE.match(lower):
        return "generated", "generated file name"
    if "__snapshots__" in dirs:
        return "generated", "in __snapshots__/"
    marker = _generated_header(head)
    if marker:
        return "generated", f"header says {marker.strip()!r}"
    code_text = language not in CONFIG_LANGS and language not in DOC_LANGS
    if code_text and language != "unknown" and _is_minified(head):
        return "generated", "minified lines"
    if code_text:
        bundle = _BUNDLE_BANNER.search(head)
        if bundle is None and _bundle_hint(head):
            bundle = _BUNDLE_HEAD.search(head)
        if bundle:
            return "generated", f"bundle output ({bundle.group(0).strip()[:40]!r})"
    out_dir = _output_dir(dirs)
    if out_dir:
        return "generated", f"in build output {out_dir}/"
    if _TEST_FILE.match(name):
        return "test", "test file name"
    test_dir = next((d for d in dirs if d in TEST_DIRS), None) or next(
        (d for d in rel.split("/")[:-1] if _TEST_DIR_NAME.search(d)), None
    )
    if test_dir:
        return "test", f"in {test_dir}/"
    if lower in BUILD_NAMES:
        return "build", "build file name"
    if _output_dir(dirs, {"build"}):
        # a top-level build/ holds either output (caught above by its content) or build scripts
        return "build", "in build/"
    build_dir = next((d for d in dirs if d in BUILD_DIRS), None)
    if build_dir:
        return "build", f"in {build_dir}/"
    if language in _CODE_ROLES_ASIDE:
        return "build", f"{language} file"
    if language in DOC_LANGS or lower.startswith(
        ("readme", "changelog", "license", "contributing", "authors", "notice")
    ):
        return "docs", "documentation file"
    doc_dir = next((d for d in dirs if d in DOC_DIRS), None)
    if doc_dir and language not in CONFIG_LANGS:
        return "docs", f"in {doc_dir}/"
    if language in CONFIG_LANGS:
        return "config", f"{language} file"
    if lower in FILENAMES and language != "unknown":
        return "impl", f"{language} file"  # shell and editor start-up files: .bashrc, .vimrc
    if lower.startswith(".") or lower.endswith((".env", ".conf", ".config", ".properties")):
        return "config", "dotfile or config name"
    if language == "unknown":
        return "other", "unknown language"
    if dirs and dirs[0] in {"examples", "example", "samples", "_examples"}:
        return "docs", f"in {dirs[0]}/"
    return "impl", f"{language} source"
