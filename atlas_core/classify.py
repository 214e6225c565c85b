"""Language and role of a file from its path and first bytes (the built-in classifier)."""

from __future__ import annotations

import re

__all__ = ["detect_language", "detect_role"]

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
}

SHEBANGS = {
    "python": "python",
    "node": "javascript",
    "bash": "bash",
    "sh": "bash",
    "zsh": "bash",
    "ruby": "ruby",
    "perl": "perl",
    "php": "php",
    "lua": "lua",
    "deno": "typescript",
    "bun": "typescript",
    "Rscript": "r",
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
DOC_DIRS = {"docs", "doc", "documentation", "man"}
BUILD_DIRS = {".github", ".circleci", ".gitlab", "ci", ".ci", ".buildkite", ".devcontainer"}

_TEST_FILE = re.compile(
    r"(^test_.*\.py$|.*_test\.py$|.*_test\.go$|.*\.(test|spec)\.[cm]?[jt]sx?$|"
    r".*_spec\.rb$|.*_test\.rb$|^test.*\.rb$|.*Tests?\.(java|kt|scala|cs|swift)$|"
    r".*Spec\.(scala|kt|groovy)$|.*_test\.(exs|rs|c|cc|cpp|lua|dart)$|^conftest\.py$|"
    r".*Test\.php$|.*_tests?\.(c|cpp|h)$|.*\.test\.(ts|js)$)"
)
_GENERATED_FILE = re.compile(
    r"(.*\.pb\.go$|.*_pb2(_grpc)?\.pyi?$|.*\.pb\.(cc|h)$|.*\.min\.(js|css)$|.*\.map$|"
    r".*_generated\.\w+$|.*\.generated\.\w+$|.*\.g\.dart$|.*\.designer\.cs$|"
    r".*_string\.go$|^zz_generated.*|.*\.gen\.go$|.*\.bundle\.js$)"
)
_GENERATED_HEAD = re.compile(
    r"(Code generated .* DO NOT EDIT|@generated|auto-?generated|DO NOT EDIT|"
    r"This file was automatically generated|generated by protoc)",
    re.IGNORECASE,
)


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
    parts = rel.lower().split("/")
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    dirs = parts[:-1]
    if any(d in VENDOR_DIRS for d in dirs):
        return "vendor"
    if lower in LOCKFILES or _GENERATED_FILE.match(lower) or _GENERATED_HEAD.search(head[:600]):
        return "generated"
    if _TEST_FILE.match(name) or any(d in TEST_DIRS for d in dirs):
        return "test"
    if (
        lower in BUILD_NAMES
        or any(d in BUILD_DIRS for d in dirs)
        or language in {"make", "dockerfile", "cmake", "starlark", "just"}
    ):
        return "build"
    if language in DOC_LANGS or lower.startswith(
        ("readme", "changelog", "license", "contributing", "authors", "notice")
    ):
        return "docs"
    if any(d in DOC_DIRS for d in dirs) and language not in CONFIG_LANGS:
        return "docs"
    if (
        language in CONFIG_LANGS
        or lower.startswith(".")
        or lower.endswith((".env", ".conf", ".config", ".properties"))
    ):
        return "config"
    if language == "unknown":
        return "other"
    if dirs and dirs[0] in {"examples", "example", "samples", "_examples"}:
        return "docs"
    return "impl"
