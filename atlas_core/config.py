"""Configuration: built-in presets, ``atlas.toml`` and ``[tool.atlas]``, one cattrs converter.

Both files are read: ``[tool.atlas]`` in ``pyproject.toml`` first, then ``atlas.toml``, which
overrides it key by key (tables merge). Every value remembers where it came from
(:attr:`Settings.origins`), which ``atlas config`` shows. Names and keys are checked twice:
the shape when the files are read (:func:`load_settings`), the names of components against
the installed plugins once they are known (:func:`check_settings`).
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin

import attrs

from atlas_core.components import FUSED_SEEDS
from atlas_core.errors import UsageError

if TYPE_CHECKING:
    import cattrs

    from atlas_core.plugin.manager import AtlasPluginManager

__all__ = [
    "BUILTIN_PRESETS",
    "COMPONENT_SECTIONS",
    "DEFAULT_PRESET",
    "MAX_WEIGHT",
    "SHIPPED_COMPONENTS",
    "WEIGHT",
    "Preset",
    "Settings",
    "check_settings",
    "configured",
    "get_converter",
    "load_settings",
    "structure_component_config",
]

T = TypeVar("T")


@functools.cache
def get_converter() -> cattrs.Converter:
    """The one cattrs converter (imported on first use: most queries never need it).

    Strict where cattrs is lenient: it would call ``str()``, ``int()``, ``float()`` and
    ``bool()`` on any value and iterate a string into a list of its characters, so
    ``ignore = "*.py"`` became ``["*", ".", "p", "y"]`` and ``symbols = "no"`` True.
    A value of another TOML type, and a float that is not finite, is an error here;
    ranges are the fields' own validators.
    """
    import cattrs

    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict(str))
    converter.register_structure_hook(bool, _strict(bool))
    converter.register_structure_hook(int, _integer)
    converter.register_structure_hook(float, _finite)

    def list_of(type_: Any) -> Any:
        (item,) = get_args(type_) or (Any,)

        def structure(value: Any, _: Any) -> list[Any]:
            if not isinstance(value, list | tuple):
                raise _BadValue(f"expected list, not {value!r}")
            return [converter.structure(v, item) for v in value]

        return structure

    converter.register_structure_hook_factory(_is_list, list_of)
    return converter


def _is_list(type_: Any) -> bool:
    origin: Any = get_origin(type_)
    return origin is list


class _BadValue(ValueError):
    """A config value of the wrong type or not finite; the message is shown as it is."""


#: the largest integer TOML has (64 bits; Python's parser takes any, msgpack does not)
MAX_INT = (1 << 63) - 1


def _strict(kind: type) -> Any:
    """A hook taking only a value of ``kind``."""

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, kind):
            raise _BadValue(f"expected {kind.__name__}, not {value!r}")
        return value

    return structure


def _integer(value: Any, _: Any) -> int:
    """An int TOML can hold (a bool is no int: TOML tells them apart)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadValue(f"expected int, not {value!r}")
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise _BadValue(f"must be a 64-bit integer, not {value!r}")
    return value


def _finite(value: Any, _: Any) -> float:
    """An int or float that JSON can hold (``nan`` and ``inf`` are TOML floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadValue(f"expected float, not {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise _BadValue(f"must be a finite number, not {value!r}")
    return number


def __getattr__(name: str) -> Any:
    if name == "converter":
        return get_converter()
    raise AttributeError(name)


def _zero_is_none(value: int | None) -> int | None:
    """A budget or cap of 0 is none, as on the command line (TOML cannot say none)."""
    return None if value == 0 and not isinstance(value, bool) else value


def _limit(default: int | None) -> Any:
    """A budget or cap: 0 or more (0: none)."""
    return attrs.field(
        default=default,
        converter=_zero_is_none,
        validator=attrs.validators.optional(attrs.validators.ge(0)),
    )


@attrs.define
class Preset:
    """How a query is answered: which signals with which weights, which fuser, what budget."""

    name: str
    signals: dict[str, float]
    fuser: str = "weighted"
    max_tokens: int | None = _limit(32_000)
    max_bytes: int | None = _limit(None)
    #: scores are normalised so the best file scores 1
    min_score: float = attrs.field(
        default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)]
    )
    top: int | None = _limit(None)
    rerank: str | None = None
    symbols: bool = True  # list each file's best-matching symbols (costs a little time)
    description: str = ""


DEFAULT_PRESET = "balanced"
#: weight of the mentions signal (files and symbols the task names)
MENTIONS = 0.5
#: weight of git_messages (atlas-git: earlier commit messages like the task); fitted with the
#: other weights by ``scripts/tune.py fit`` (folds by repository) and checked by ``fit --check``
GIT_MESSAGES = 0.2
#: weight of git_recency (atlas-git: files changed often and lately); fitted like GIT_MESSAGES
GIT_RECENCY = 0.05

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
                            "pagerank": 0.3, "git_recency": GIT_RECENCY,
                            "git_cochange": 0.25, "git_messages": GIT_MESSAGES},
               "weighted", 32_000, None, 0.25, 50,
               description="the default: BM25F and the path prior, plus import-graph "
               "centrality and git history when installed"),
        Preset("deep", {"bm25f": 1.0, "path": 1.5, "mentions": MENTIONS,
                        "pagerank": 0.3, "git_recency": GIT_RECENCY,
                        "git_cochange": 0.25, "git_messages": GIT_MESSAGES, "graph": 0.1},
               "weighted", 64_000, None, 0.2, 80,
               description="adds the import-graph neighbours of the best matches; a larger "
               "budget"),
        Preset("thorough", {"bm25f": 1.0, "path": 1.5, "mentions": MENTIONS,
                            "pagerank": 0.3, "git_recency": GIT_RECENCY,
                            "git_cochange": 0.25, "git_messages": GIT_MESSAGES,
                            "graph": 0.1},
               "weighted", 128_000, None, 0.15, 120, rerank="auto",
               description="adds semantic reranking when a reranker is installed; the "
               "largest budget"),
    )
}  # fmt: skip

#: the config sections naming components, ``[signals.<name>]`` and so on
COMPONENT_SECTIONS = ("signals", "fusers", "rerankers", "contributors")

#: components of Atlas's own plugins (atlas-graph, atlas-git, atlas-ollama): a preset or table
#: may name them when the plugin is not installed (a shared config works for everyone; the
#: query says under ``-v`` what it skipped); any other name must be installed
SHIPPED_COMPONENTS: dict[str, frozenset[str]] = {
    "signals": frozenset({"pagerank", "graph", "git_recency", "git_cochange", "git_messages"}),
    "fusers": frozenset(),
    "rerankers": frozenset({"ollama"}),
    "contributors": frozenset({"graph", "git", "embeddings"}),
}
#: signals the pipeline itself adds: ``seeds`` (``--seed``/``--diff``, ``[signals.seeds]``)
#: and ``semantic`` (``--semantic``; a preset may give its weight)
PIPELINE_SIGNALS = frozenset({"seeds", "semantic"})
RERANK_WORDS = ("off", "auto", "on", "require")

#: the config files, in the order they are read (later overrides earlier, key by key)
FILES = ("pyproject.toml", "atlas.toml")

#: the largest config file read: a config is a few kilobytes, and a huge file must not make
#: every command read and parse it (a 200 MB pyproject.toml took 442 MB of memory)
MAX_CONFIG_BYTES = 4 << 20


#: the largest weight a setting may give (a signal's in a preset, a field's in BM25F ...):
#: weights are relative, and scores multiplied and summed by larger ones overflow
MAX_WEIGHT = 1e6
#: the range of a weight, for a config's attrs fields
WEIGHT = [attrs.validators.ge(0.0), attrs.validators.le(MAX_WEIGHT)]

#: the most ``[index] max_file_bytes`` may be: a file is read whole and tokenized in
#: memory, and a repository's own config must not make Atlas read gigabytes (a sparse
#: file of 6 GB took 51 s and 12.6 GB of memory); 16 MiB is some 4M tokens
MAX_FILE_BYTES = 16 << 20


@attrs.define
class IndexSettings:
    max_file_bytes: int = attrs.field(
        default=1 << 20,
        validator=[attrs.validators.ge(0), attrs.validators.le(MAX_FILE_BYTES)],
    )
    ignore: list[str] = attrs.field(factory=list)


#: the signal that seeds stage 1 unless ``[pipeline] seed_signal`` says otherwise
_DEFAULT_SEED_SIGNAL = "bm25f"
#: how much a file's prior scales the other signals' evidence before fusion (chosen by
#: folds, ``scripts/tune.py``; docs/quality.md, "Round 17: the prior scales the evidence")
PRIOR_POWER = 0.25
#: the largest ``[pipeline] prior_power``: at 4 a test file's evidence is already a twentieth
MAX_PRIOR_POWER = 4.0


@attrs.define
class PipelineSettings:
    walker: str = "fs"
    preset: str = DEFAULT_PRESET
    #: the text-match signal whose best files seed the graph and co-change signals, or
    #: "fused": the first stage's ranking (the preset's weighted sum of the stage-0 signals)
    seed_signal: str = _DEFAULT_SEED_SIGNAL
    #: the path signal's prior (role, depth, size: a test file's is 0.45 of an
    #: implementation file's) scales every other signal's normalised scores by
    #: ``(prior / best prior) ** prior_power`` before they are fused: evidence in a test or a
    #: doc counts for less than the same evidence in code (0: off; no path signal: off)
    prior_power: float = attrs.field(
        default=PRIOR_POWER,
        validator=[attrs.validators.ge(0.0), attrs.validators.le(MAX_PRIOR_POWER)],
    )


@attrs.define
class Settings:
    """Everything read from the repository's config, with defaults."""

    index: IndexSettings = attrs.field(factory=IndexSettings)
    pipeline: PipelineSettings = attrs.field(factory=PipelineSettings)
    presets: dict[str, Preset] = attrs.field(factory=lambda: dict(BUILTIN_PRESETS))
    #: every component's table by name (what ``ctx.options(name)`` returns)
    components: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    #: the same tables by section: ``tables["fusers"]["rrf"]``
    tables: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)
    #: the files read, as ``{"atlas.toml": "/repo/atlas.toml"}`` (in reading order)
    files: dict[str, str] = attrs.field(factory=dict)
    #: where each value set by a file came from: dotted key -> ``"atlas.toml"`` or
    #: ``"pyproject.toml"`` (keys of resolved presets included; absent: the default)
    origins: dict[str, str] = attrs.field(factory=dict)
    #: one-line warnings about the files (a broken ``pyproject.toml`` without Atlas's
    #: settings, which is ignored)
    warnings: list[str] = attrs.field(factory=list)

    @property
    def source(self) -> str:
        """The files read, for messages (``""``: none)."""
        return " and ".join(_where(label, path) for label, path in self.files.items())

    def origin(self, key: str) -> str:
        """Where the value at dotted ``key`` came from: a file's name, or ``default``."""
        return self.origins.get(key, "default")

    def preset(self, name: str | None) -> Preset:
        chosen = name or self.pipeline.preset
        if chosen not in self.presets:
            known = ", ".join(sorted(self.presets))
            raise UsageError(f"unknown preset {chosen!r} (known: {known})")
        return self.presets[chosen]


def _where(label: str, path: str) -> str:
    return f"{path} [tool.atlas]" if label == "pyproject.toml" else path


def structure_component_config(cls: type[T], table: dict[str, Any], component: str) -> T:
    """Build a component's typed config; an unknown key is an error naming both."""
    if not table:
        return cls()
    _check_keys(cls, table, f"for {component}")
    try:
        return get_converter().structure(table, cls)
    except Exception as exc:
        raise UsageError(f"bad config for {component}: {_cattrs_message(exc)}") from None


def _check_keys(cls: type, table: dict[str, Any], what: str) -> None:
    known = {a.name for a in attrs.fields(cls)}
    for key in table:
        if key not in known:
            raise UsageError(
                f"unknown config key {key!r} {what} (known: {', '.join(sorted(known))})"
            )


def _cattrs_message(exc: Exception) -> str:
    """One line naming the offending key: ``k: 'k' must be > 0.0: -1.0``."""
    import cattrs
    from cattrs.v import format_exception, transform_error

    def fmt(error: BaseException, type_: Any) -> str:
        if isinstance(error, _BadValue):
            return str(error)
        text = format_exception(error, type_)
        if text != "invalid value" or not error.args:
            return text
        first = error.args[0]  # attrs validators: (message, attribute, ...)
        return first if isinstance(first, str) else str(error)

    if not isinstance(exc, cattrs.BaseValidationError):
        return str(exc)
    parts = []
    for line in transform_error(exc, path="", format_exception=fmt):
        text, _, path = line.rpartition(" @ ")
        key = path.lstrip(".")
        parts.append(f"{key}: {text}" if key else text)
    return "; ".join(parts) or str(exc)


# -- reading the files -------------------------------------------------------------------


def _read_files(root: Path, warnings: list[str]) -> list[tuple[str, Path, dict[str, Any]]]:
    """``(label, path, table)`` of each config file present, in reading order.

    A ``pyproject.toml`` that is too big, not UTF-8 or not TOML is an error only when its
    text mentions ``tool.atlas`` (it may hold Atlas's settings): otherwise it belongs to
    other tools (perhaps half-way through an edit) and is ignored with a warning.
    """
    out: list[tuple[str, Path, dict[str, Any]]] = []
    for label in FILES:
        path = root / label
        try:
            if not path.is_file():
                continue
            with open(path, "rb") as fh:
                raw = fh.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read config {path}: {exc}") from None
        try:
            data = _parse_toml(raw, path)
        except UsageError as exc:
            if label == "pyproject.toml" and b"tool.atlas" not in raw:
                warnings.append(f"{exc}; ignored (it has no [tool.atlas])")
                continue
            raise
        if label == "pyproject.toml":
            tool = data.get("tool")
            if tool is not None and not isinstance(tool, dict):
                raise UsageError(f"[tool] in {path} must be a table, not {tool!r}")
            table = tool.get("atlas") if tool is not None else None
            if table is None:
                continue
            if not isinstance(table, dict):
                raise UsageError(f"[tool.atlas] in {path} must be a table, not {table!r}")
            data = table
        out.append((label, path, data))
    return out


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    """The table of a config file's ``raw`` bytes (at most one more than the cap)."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise UsageError(f"config {path} is larger than {MAX_CONFIG_BYTES >> 20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read config {path}: {exc}") from None
    import tomllib  # here: most repositories have no config file to parse

    try:
        return tomllib.loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise UsageError(f"bad TOML in {path}: {exc}") from None


def _merge(
    into: dict[str, Any], table: dict[str, Any], label: str, origins: dict[str, str], prefix: str
) -> None:
    """Merge ``table`` into ``into`` (tables merge, other values replace), noting origins."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value, label, origins, f"{dotted}.")
            continue
        into[key] = copy.deepcopy(value)
        for stale in [k for k in origins if k.startswith(f"{dotted}.")]:
            del origins[stale]
        origins[dotted] = label
        if isinstance(value, dict):
            _mark(value, label, origins, f"{dotted}.")


def _mark(table: dict[str, Any], label: str, origins: dict[str, str], prefix: str) -> None:
    for key, value in table.items():
        origins[f"{prefix}{key}"] = label
        if isinstance(value, dict):
            _mark(value, label, origins, f"{prefix}{key}.")


def load_settings(
    root: Path, overrides: dict[str, Any] | None = None, overrides_source: str = "overrides"
) -> Settings:
    """Read ``[tool.atlas]`` in ``pyproject.toml`` and ``atlas.toml`` under ``root``.

    Both are read; ``atlas.toml`` overrides ``[tool.atlas]`` key by key, and ``overrides``
    (a table of the same shape: ``atlas_core.open(config=...)``) overrides both. Unknown
    sections and keys, bad values and broken ``extends`` are one-line :class:`UsageError`\\ s
    naming the file; component names are checked later, by :func:`check_settings`.
    """
    raw: dict[str, Any] = {}
    origins: dict[str, str] = {}
    settings = Settings()
    for label, path, table in _read_files(root, settings.warnings):
        settings.files[label] = str(path)
        _merge(raw, table, label, origins, "")
    if overrides:
        settings.files[overrides_source] = overrides_source
        _merge(raw, overrides, overrides_source, origins, "")
    settings.origins = origins

    def where(key: str) -> str:
        label = origins.get(key, "")
        return f" in {_where(label, settings.files[label])}" if label else ""

    allowed = ("index", "pipeline", "presets", *COMPONENT_SECTIONS)
    for key, value in raw.items():
        if key not in allowed:
            raise UsageError(
                f"unknown config section [{key}]{where(key)} (known: {', '.join(allowed)})"
            )
        if not isinstance(value, dict):
            raise UsageError(f"[{key}]{where(key)} must be a table, not {value!r}")
    for key, cls in (("index", IndexSettings), ("pipeline", PipelineSettings)):
        if key not in raw:
            continue
        table = raw[key]
        first = next(iter(table), key)
        _check_keys(cls, table, f"in [{key}]{where(f'{key}.{first}')}")
        try:
            setattr(settings, key, get_converter().structure(table, cls))
        except Exception as exc:
            raise UsageError(
                f"bad config in [{key}]{where(key + '.' + first)}: {_cattrs_message(exc)}"
            ) from None
    settings.presets.update(_resolve_presets(raw.get("presets", {}), origins, where))
    for section in COMPONENT_SECTIONS:
        for name, body in raw.get(section, {}).items():
            if not isinstance(body, dict):
                raise UsageError(
                    f"[{section}.{name}]{where(f'{section}.{name}')} must be a table, not {body!r}"
                )
            settings.tables.setdefault(section, {})[name] = dict(body)
            settings.components.setdefault(name, {}).update(body)
    return settings


# -- presets ----------------------------------------------------------------------------

_PRESET_KEYS = ("extends", *(a.name for a in attrs.fields(Preset) if a.name != "name"))


def _resolve_presets(raw: dict[str, Any], origins: dict[str, str], where: Any) -> dict[str, Preset]:
    """Each preset of the config, resolved through ``extends`` (in any order)."""
    done: dict[str, Preset] = {}
    active: list[str] = []

    def resolve(name: str) -> Preset:
        if name in done:
            return done[name]
        if name in active:
            chain = " -> ".join([*active[active.index(name) :], name])
            raise UsageError(
                f"presets extend each other in a circle: {chain}{where(f'presets.{name}')}"
            )
        body = raw[name]
        at = where(f"presets.{name}")
        if not isinstance(body, dict):
            raise UsageError(f"[presets.{name}]{at} must be a table, not {body!r}")
        for key in body:
            if key not in _PRESET_KEYS:
                raise UsageError(
                    f"unknown config key {key!r} in [presets.{name}]{at} "
                    f"(known: {', '.join(sorted(_PRESET_KEYS))})"
                )
        parent = body.get("extends")
        active.append(name)
        try:
            base, inherited = _parent(name, parent, raw, resolve, at)
        finally:
            active.pop()
        done[name] = _preset_from(name, body, base, at)
        _note_origins(name, inherited, origins)
        return done[name]

    for name in raw:
        resolve(name)
    return done


def _parent(
    name: str, parent: Any, raw: dict[str, Any], resolve: Any, at: str
) -> tuple[Preset | None, str | None]:
    """The preset ``name`` builds on, and the name its origins are copied from (None:
    a built-in, whose values are defaults)."""
    if parent is None:  # a built-in of the same name is amended; else a new preset
        return BUILTIN_PRESETS.get(name), None
    if not isinstance(parent, str):
        raise UsageError(f"preset {name!r}{at}: extends must be a preset's name")
    if parent in raw and parent != name:
        return resolve(parent), parent
    if parent in BUILTIN_PRESETS:
        return BUILTIN_PRESETS[parent], None
    known = ", ".join(sorted({*BUILTIN_PRESETS, *raw} - {name}))
    raise UsageError(f"preset {name!r} extends unknown preset {parent!r}{at} (known: {known})")


def _preset_from(name: str, body: dict[str, Any], base: Preset | None, at: str) -> Preset:
    """``base`` with ``body`` on top; signal weights merge, and a weight of 0 removes one."""
    data: dict[str, Any] = get_converter().unstructure(base) if base else {"signals": {}}
    if base is None or "extends" in body:
        data["description"] = ""  # a preset of one's own says what it is, or nothing
    own = {k: v for k, v in body.items() if k not in ("extends", "signals")}
    data.update(own)
    signals = body.get("signals", {})
    if not isinstance(signals, dict):
        raise UsageError(f"preset {name!r}{at}: signals must be a table of weights")
    merged = dict(data["signals"])
    for signal, weight in signals.items():
        try:
            value = _finite(weight, float)
        except _BadValue:
            value = -1.0
        if not 0 <= value <= MAX_WEIGHT:
            raise UsageError(
                f"preset {name!r}{at}: the weight of signal {signal!r} must be a number "
                f">= 0 and at most {MAX_WEIGHT:,.0f} (0 removes it), not {weight!r}"
            )
        merged[signal] = value
    data["signals"] = {k: v for k, v in merged.items() if v != 0}
    data["name"] = name
    try:
        return get_converter().structure(data, Preset)
    except Exception as exc:
        raise UsageError(f"bad preset {name!r}{at}: {_cattrs_message(exc)}") from None


def _note_origins(name: str, inherited: str | None, origins: dict[str, str]) -> None:
    """Origins of the resolved preset's values: its own keys keep theirs, inherited values
    take their parent's (a built-in parent's are defaults)."""
    prefix = f"presets.{name}."
    own = {k for k in origins if k.startswith(prefix)}
    if inherited is None:
        return
    parent = f"presets.{inherited}."
    for key, label in list(origins.items()):
        if key.startswith(parent):
            mine = prefix + key[len(parent) :]
            if mine not in own and key[len(parent) :] not in ("extends", "description"):
                origins[mine] = label


# -- checking names against the installed plugins ----------------------------------------


def check_settings(settings: Settings, manager: AtlasPluginManager) -> None:
    """Check every name the settings use against the installed components, and every
    component table against the component's ``Config`` (when it declares one).

    Called when the plugins are known, before any query runs: a misspelled signal, fuser,
    reranker, walker, preset or contributor, or an unknown key, is a one-line
    :class:`UsageError` listing the known names.
    """
    src = settings.source
    at = f" in {src}" if src else ""
    walkers = manager.registry("walkers")
    if settings.pipeline.walker not in walkers.names():
        raise UsageError(
            f"unknown walker {settings.pipeline.walker!r} in [pipeline]{at} "
            f"(known: {_known(walkers.names())})"
        )
    if settings.pipeline.preset not in settings.presets:
        raise UsageError(
            f"unknown preset {settings.pipeline.preset!r} in [pipeline]{at} "
            f"(known: {_known(settings.presets)})"
        )
    seed = settings.pipeline.seed_signal
    if seed not in (_DEFAULT_SEED_SIGNAL, FUSED_SEEDS):
        # signals are collected only when a name needs them: an index run imports none
        signals = _names(manager, "signals")
        if seed not in signals:
            raise UsageError(
                f"unknown signal {seed!r} as [pipeline] seed_signal{at} "
                f"(known: {_known(signals)}, or {FUSED_SEEDS!r}: the first stage's ranking)"
            )
    for preset in settings.presets.values():
        if preset.name in BUILTIN_PRESETS and preset == BUILTIN_PRESETS[preset.name]:
            continue
        # collected only when needed: registering signals and rerankers imports their modules
        signals = _names(manager, "signals")
        fusers = _names(manager, "fusers")
        rerankers = _names(manager, "rerankers")
        what = f"preset {preset.name!r}{at}"
        for name in preset.signals:
            if name not in signals | {"semantic"}:
                raise UsageError(
                    f"unknown signal {name!r} in {what} (known: {_known(signals | {'semantic'})})"
                )
        if preset.fuser not in fusers:
            raise UsageError(f"unknown fuser {preset.fuser!r} in {what} (known: {_known(fusers)})")
        if preset.rerank is not None and preset.rerank not in {*RERANK_WORDS, *rerankers}:
            raise UsageError(
                f"unknown reranker {preset.rerank!r} in {what} "
                f"(known: {_known({*RERANK_WORDS, *rerankers})})"
            )
    for section in COMPONENT_SECTIONS:
        tables = settings.tables.get(section, {})
        if not tables:
            continue
        known = _names(manager, section) | ({"seeds"} if section == "signals" else set())
        registry = manager.registry(section)
        for name, table in tables.items():
            if name not in known:
                raise UsageError(
                    f"unknown {section[:-1]} {name!r}: no [{section}.{name}] can apply{at} "
                    f"(known: {_known(known)})"
                )
            component = registry.get(name) if name != "seeds" else _seeds_component()
            cls = getattr(component, "Config", None)
            if cls is not None and attrs.has(cls):
                structure_component_config(cls, table, _label(section, name))
            elif table and _builtin(registry, name):
                raise UsageError(
                    f"unknown config key {next(iter(table))!r} for {_label(section, name)}"
                    f"{at} (known: none, it takes no settings)"
                )


def _names(manager: AtlasPluginManager, section: str) -> set[str]:
    """Installed component names of a section, plus those of Atlas's own plugins."""
    return set(manager.registry(section).names()) | SHIPPED_COMPONENTS[section]


def _builtin(registry: Any, name: str) -> bool:
    entry = registry.entry(name)
    return entry is not None and str(entry.provider).startswith("atlas-core")


def _known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def _label(section: str, name: str) -> str:
    """How messages name a component's table (signals by their bare name, as before)."""
    return name if section == "signals" else f"{section[:-1]} {name}"


def _seeds_component() -> Any:
    from atlas_core.engine import SeedConfig

    return type("Seeds", (), {"Config": SeedConfig})


def configured(component: T, section: str, settings: Settings) -> T:
    """``component`` with its table applied, when it takes one through ``configure``.

    A component declaring ``Config`` (an attrs class) and ``configure(config)`` (returning
    a configured copy) gets its ``[<section>.<name>]`` table that way: fusers, which see
    no context at run time, take their settings like this.
    """
    name = str(getattr(component, "name", ""))
    cls = getattr(component, "Config", None)
    configure = getattr(component, "configure", None)
    if cls is None or configure is None:
        return component
    table = settings.tables.get(section, {}).get(name, {})
    if not table:
        return component
    result: T = configure(structure_component_config(cls, table, _label(section, name)))
    return result
