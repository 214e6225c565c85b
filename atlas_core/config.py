"""Configuration: built-in presets, ``atlas.toml`` / ``[tool.atlas]``, and one cattrs converter."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from atlas_core.errors import UsageError

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "BUILTIN_PRESETS",
    "DEFAULT_PRESET",
    "Preset",
    "Settings",
    "get_converter",
    "load_settings",
    "structure_component_config",
]

T = TypeVar("T")


@functools.cache
def get_converter() -> cattrs.Converter:
    """The one cattrs converter (imported on first use: most queries never need it)."""
    import cattrs

    return cattrs.Converter(forbid_extra_keys=True)


def __getattr__(name: str) -> Any:
    if name == "converter":
        return get_converter()
    raise AttributeError(name)


@attrs.define
class Preset:
    """How a query is answered: which signals with which weights, which fuser, what budget."""

    name: str
    signals: dict[str, float]
    fuser: str = "weighted"
    max_tokens: int | None = 32_000
    max_bytes: int | None = None
    min_score: float = 0.0
    top: int | None = None
    rerank: str | None = None
    symbols: bool = True  # list each file's best-matching symbols (costs a little time)
    description: str = ""


DEFAULT_PRESET = "balanced"
#: weight of the mentions signal (files and symbols the task names)
MENTIONS = 0.5

# The weights of ``balanced`` (and the path prior in ranking/path.py) are checked by
# cross-validation with folds by repository on the benchmark: ``scripts/tune.py fit`` compares
# fitting none, some or all of them by their held-out figures and ``fit --check`` fails when the
# code does not ship what it chooses (docs/quality.md has the tables and what each weight buys).

BUILTIN_PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("fast", {"bm25f": 1.0, "path": 1.5, "mentions": MENTIONS}, "weighted", 8_000,
               None, 0.3, 20,
               symbols=False, description="text match and path only, no symbol lookup; a "
               "small budget"),
        # structural signals run when their plugin is installed (atlas-graph, atlas-git)
        Preset("balanced", {"bm25f": 1.0, "path": 1.5, "mentions": MENTIONS,
                            "pagerank": 0.3, "git_recency": 0.1,
                            "git_cochange": 0.25},
               "weighted", 32_000, None, 0.25, 50,
               description="the default: BM25F and the path prior, plus import-graph "
               "centrality and git history when installed"),
        Preset("deep", {"bm25f": 1.0, "path": 1.5, "mentions": MENTIONS,
                        "pagerank": 0.3, "git_recency": 0.1,
                        "git_cochange": 0.25, "graph": 0.1},
               "weighted", 64_000, None, 0.2, 80,
               description="adds the import-graph neighbours of the best matches; a larger "
               "budget"),
        Preset("thorough", {"bm25f": 1.0, "path": 1.5, "mentions": MENTIONS,
                            "pagerank": 0.3, "git_recency": 0.1,
                            "git_cochange": 0.25, "graph": 0.1},
               "weighted", 128_000, None, 0.15, 120, rerank="auto",
               description="adds semantic reranking when a reranker is installed; the "
               "largest budget"),
    )
}  # fmt: skip


@attrs.define
class IndexSettings:
    max_file_bytes: int = 1 << 20
    ignore: list[str] = attrs.field(factory=list)


@attrs.define
class PipelineSettings:
    walker: str = "fs"
    preset: str = DEFAULT_PRESET
    #: the text-match signal whose best files seed the graph and co-change signals
    seed_signal: str = "bm25f"


@attrs.define
class Settings:
    """Everything read from the repository's config, with defaults."""

    index: IndexSettings = attrs.field(factory=IndexSettings)
    pipeline: PipelineSettings = attrs.field(factory=PipelineSettings)
    presets: dict[str, Preset] = attrs.field(factory=lambda: dict(BUILTIN_PRESETS))
    components: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    source: str = ""

    def preset(self, name: str | None) -> Preset:
        chosen = name or self.pipeline.preset
        if chosen not in self.presets:
            known = ", ".join(sorted(self.presets))
            raise UsageError(f"unknown preset {chosen!r} (known: {known})")
        return self.presets[chosen]


def structure_component_config(cls: type[T], table: dict[str, Any], component: str) -> T:
    """Build a component's typed config; an unknown key is an error naming both."""
    if not table:
        return cls()
    known = {a.name for a in attrs.fields(cls)}  # type: ignore[arg-type]
    for key in table:
        if key not in known:
            raise UsageError(
                f"unknown config key {key!r} for {component} (known: {', '.join(sorted(known))})"
            )
    try:
        return get_converter().structure(table, cls)
    except Exception as exc:
        raise UsageError(f"bad config for {component}: {_cattrs_message(exc)}") from None


def _cattrs_message(exc: Exception) -> str:
    import cattrs

    if isinstance(exc, cattrs.ClassValidationError):
        return "; ".join(str(e) for e in exc.exceptions) or str(exc)
    return str(exc)


def _read_table(root: Path) -> tuple[dict[str, Any], str]:
    toml_path = root / "atlas.toml"
    try:
        if toml_path.is_file():
            return tomllib.loads(toml_path.read_text(encoding="utf-8")), str(toml_path)
        pyproject = root / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            table = data.get("tool", {}).get("atlas")
            if isinstance(table, dict):
                return table, f"{pyproject} [tool.atlas]"
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config in {root}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"bad TOML in {toml_path if toml_path.exists() else pyproject}: {exc}"
        ) from None
    return {}, ""


def load_settings(
    root: Path, overrides: dict[str, Any] | None = None, overrides_source: str = "overrides"
) -> Settings:
    """Read ``atlas.toml`` (or ``[tool.atlas]`` in ``pyproject.toml``) under ``root``;
    ``overrides``, a table of the same shape, is laid over it (``atlas_core.open(config=)``)."""
    table, source = _read_table(root)
    if overrides:
        table = _overlay(table, overrides)
        source = f"{source} + {overrides_source}" if source else overrides_source
    settings = Settings(source=source)
    allowed = {"index", "pipeline", "presets", "signals", "fusers", "rerankers", "contributors"}
    for key in table:
        if key not in allowed:
            raise UsageError(f"unknown config section [{key}] in {source}")
    try:
        if "index" in table:
            settings.index = get_converter().structure(table["index"], IndexSettings)
        if "pipeline" in table:
            settings.pipeline = get_converter().structure(table["pipeline"], PipelineSettings)
    except Exception as exc:
        raise UsageError(f"bad config in {source}: {_cattrs_message(exc)}") from None
    for name, body in (table.get("presets") or {}).items():
        settings.presets[name] = _preset_from(name, body, settings.presets, source)
    for section in ("signals", "fusers", "rerankers", "contributors"):
        for name, body in (table.get(section) or {}).items():
            settings.components[name] = dict(body)
    return settings


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``top`` laid over it, tables merged key by key."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = value
    return out


def _preset_from(name: str, body: dict[str, Any], known: dict[str, Preset], source: str) -> Preset:
    body = dict(body)
    base_name = body.pop("extends", None)
    if base_name is not None and base_name not in known:
        raise UsageError(f"preset {name!r} extends unknown preset {base_name!r} in {source}")
    base = known.get(base_name or "", known.get(name))
    data = get_converter().unstructure(base) if base else {"signals": {}}
    data.update(body)
    data["name"] = name
    try:
        return get_converter().structure(data, Preset)
    except Exception as exc:
        raise UsageError(f"bad preset {name!r} in {source}: {_cattrs_message(exc)}") from None
