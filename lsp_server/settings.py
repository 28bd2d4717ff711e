"""The `wattcode.*` settings: typed, frozen, validated field by field.

Settings arrive as `initializationOptions`, as `workspace/configuration` results and with
`workspace/didChangeConfiguration`, nested (`{"wattcode": {"model": {"path": …}}}`) or dotted
(`{"wattcode.model.path": …}`). Each field is checked on its own: a bad value keeps that field's
default and yields one problem message; the rest still apply. Names are camelCase on the wire and
snake_case here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lsp_server.exclude_globs import DEFAULT_EXCLUDE
from models.energy.carbon import GRAMS_PER_KWH, known_country
from models.model_choice import DEFAULT_PRESET, PRESET_CHOICES
from models.remote.endpoint import url_problem
from models.speculative import DRAFT_CHOICES

SECTION = "wattcode"
DEFAULT_PAUSE_MILLISECONDS = 400
DEFAULT_MAX_MILLISECONDS = 1500
"""Chosen on the Enter workload (bench/experiments/suggestion-guards/README.md)."""
DEFAULT_MIN_CONFIDENCE = 0.4
"""Chosen on the default corpus (bench/experiments/confidence/README.md)."""
LOG_LEVELS = ("error", "warning", "info", "debug")


def _bounded(
    default: Any,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
    key: str | None = None,
) -> Any:
    """A field with bounds or choices; `key` names it on the wire when it is nested deeper
    than `group.field` (e.g. `power.ac.maxWattHoursPerHour`)."""
    return field(
        default=default, metadata={"min": low, "max": high, "choices": choices, "key": key}
    )


@dataclass(frozen=True)
class ModelSettings:
    path: str | None = None
    """A GGUF file to use instead of the embedded models; set, it wins over `preset`."""
    preset: str = _bounded(DEFAULT_PRESET, choices=PRESET_CHOICES)
    """Which embedded model: the 0.5B, the 1.5B (`wattcode model fetch 1.5b`), or `auto`,
    chosen by this machine's measured speed and power source (models/model_choice.py)."""
    draft: str = _bounded("off", choices=DRAFT_CHOICES)
    """Speculative decoding (models/speculative.py): drafts verified by the loaded model in
    one batch, from the prompt itself (`ngram`), the embedded 0.5B (`model`) or both (`auto`);
    the text stays the loaded model's own greedy output."""
    threads: int | None = _bounded(None, 1, 256)
    """CPU threads for inference; None picks the number of physical cores."""
    context_length: int = _bounded(4096, 512, 32768)
    gpu_layers: int | None = _bounded(None, -1, 1000)
    """Layers on the GPU: None offloads all when llama.cpp has a GPU backend, -1 all, 0 none."""


@dataclass(frozen=True)
class ContextSettings:
    max_prompt_tokens: int = _bounded(1024, 64, 16384)
    suffix_share: float = _bounded(0.25, 0.0, 0.9)
    """Share of the prompt budget given to the text after the cursor."""
    trim: bool = True
    """Cut files longer than the budget down by their syntax tree (imports, the code around
    the cursor, signatures of what it uses); off, or for other languages, a line context."""


@dataclass(frozen=True)
class CompletionSettings:
    enabled: bool = True
    max_tokens: int = _bounded(64, 1, 512)
    max_milliseconds: int | None = _bounded(DEFAULT_MAX_MILLISECONDS, 50, 60000)
    """Time budget of one suggestion: past it, generation stops at the next line end and the
    complete lines are shown (the next keys extend them); None: only `max_tokens` bounds it."""
    skip_unlikely: bool = True
    """Skip requests whose suggestions are rarely taken: inside comments and strings (not a
    string typed at its end), mid-word with text right of the cursor, on a name's second
    character, right after a space typed after code, right after a deletion, while indenting
    by hand."""
    pause_milliseconds: int | None = _bounded(DEFAULT_PAUSE_MILLISECONDS, 50, 10000)
    """A request skipped by a typing rule (not a comment or string) is answered after all when
    no newer key comes within this pause: the user stopped to read. None: never."""
    min_confidence: float = _bounded(DEFAULT_MIN_CONFIDENCE, 0.0, 1.0)
    """A suggestion is cut before the token that brings the model's chance that every shown
    token is right (the product of their probabilities) below this; nothing is shown when that
    is the first token; 0 shows every token (models/confidence.py)."""


@dataclass(frozen=True)
class CacheSettings:
    max_megabytes: int = _bounded(256, 16, 8192)
    """RAM for saved KV states of other documents (the live context is not counted)."""
    suggestions: bool = True
    """Serve a suggestion again, or its rest while the user types through it, without
    inference."""
    persist: bool = True
    """Keep warmed KV states on disk, so that a restarted daemon does not start from zero."""
    disk_megabytes: int = _bounded(512, 16, 65536)


@dataclass(frozen=True)
class LogSettings:
    level: str = _bounded("info", choices=LOG_LEVELS)


@dataclass(frozen=True)
class ExperimentalSettings:
    """Switches that turn single features off, so the benchmark can show each one's share."""

    early_stop: bool = True
    """Stop generating as soon as post-processing would cut the rest."""
    prefix_reuse: bool = True
    """Reuse the KV cache of the previous prompt's common token prefix."""
    prompt_order: str = _bounded("spm", choices=("spm", "psm"))
    """Suffix first (typing only appends to the prompt) or the classic prefix first."""
    suggestion_guards: bool = True
    """Keep the typed indentation, drop a line cut by a limit, cut back what breaks the
    syntax (models/postprocess.py, models/syntax_guard.py)."""
    token_healing: bool = True
    """Cut whitespace at the prompt's end and make the first generated tokens reproduce it, so
    that a suggestion never starts one column too deep (models/token_healing.py)."""
    heal_words: bool = True
    """Heal partial words and operators too, not only whitespace: after `ret` the first token
    must spell `ret` again (` return`), instead of the model starting a new word."""
    warm_skipped: bool = False
    """Evaluate the whole chunks of a skipped request's prompt (no generation), so that the
    next keystroke finds the KV cache current. Off: on a 2-core CPU a chunk cannot be
    interrupted and delays the next key (bench/experiments/warm-skipped/README.md)."""


def _country_problem(value: str) -> str | None:
    if known_country(value):
        return None
    return (
        "must be an ISO 3166 alpha-2 code from the carbon table ("
        + ", ".join(sorted(GRAMS_PER_KWH))
        + ")"
    )


@dataclass(frozen=True)
class CarbonSettings:
    """Grid carbon intensity for gCO2e: the user's own figure, else their country's."""

    grams_per_kwh: float | None = _bounded(None, 0.0, 2000.0)
    country: str | None = field(default=None, metadata={"check": _country_problem})
    """ISO 3166 alpha-2 (e.g. "FR"); unset means the world average."""


WHEN_EXHAUSTED = ("eco", "manual-only", "pause")
_BUDGET = (0.01, 1000.0)


@dataclass(frozen=True)
class PowerSettings:
    """Average power budgets (Wh per hour, i.e. watts) per power source; None: no limit."""

    ac_max_watt_hours_per_hour: float | None = _bounded(
        None, *_BUDGET, key="ac.maxWattHoursPerHour"
    )
    battery_max_watt_hours_per_hour: float | None = _bounded(
        None, *_BUDGET, key="battery.maxWattHoursPerHour"
    )
    low_battery_max_watt_hours_per_hour: float | None = _bounded(
        2.0, *_BUDGET, key="lowBattery.maxWattHoursPerHour"
    )
    low_battery_threshold_percent: float = _bounded(
        20.0, 1.0, 99.0, key="lowBattery.thresholdPercent"
    )
    max_joules_per_suggestion: float | None = _bounded(None, 0.01, 100000.0)
    when_exhausted: str = _bounded("eco", choices=WHEN_EXHAUSTED)
    """What happens once the budget is spent: the cheapest automatic behaviour that the
    budget allows (eco), only requests you trigger (manual-only), or nothing (pause)."""
    battery_poll_seconds: float = _bounded(30.0, 1.0, 3600.0)


@dataclass(frozen=True)
class RemoteSettings:
    """An OpenAI-compatible server (vLLM, llama-server, llama-cpp-python's server) that runs
    the prompts instead of the local model; unset, nothing leaves this machine."""

    url: str | None = field(default=None, metadata={"check": url_problem})
    """The server's base URL, e.g. http://gpu-box:8000 (`/v1/completions` is added)."""
    model: str | None = None
    token: str | None = field(default=None, repr=False, metadata={"secret": True})
    """Sent as a bearer token; else WATTCODE_REMOTE_TOKEN from the daemon's environment."""
    timeout_seconds: float = _bounded(10.0, 0.5, 600.0)
    retries: int = _bounded(2, 0, 10)
    joules_per_prompt_token: float | None = _bounded(None, 0.0, 1000.0)
    joules_per_generated_token: float | None = _bounded(None, 0.0, 1000.0)
    """Per-token costs of the server's work (from its own meters) for estimates; unset, the
    server's energy is reported as not measured."""


@dataclass(frozen=True)
class FileSettings:
    """Settings named `wattcode.<name>`, outside any group."""

    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    """Glob patterns of documents wattcode never reads (lsp_server/exclude_globs.py)."""


@dataclass(frozen=True)
class Settings:
    model: ModelSettings = ModelSettings()
    context: ContextSettings = ContextSettings()
    completion: CompletionSettings = CompletionSettings()
    cache: CacheSettings = CacheSettings()
    log: LogSettings = LogSettings()
    experimental: ExperimentalSettings = ExperimentalSettings()
    carbon: CarbonSettings = CarbonSettings()
    power: PowerSettings = PowerSettings()
    remote: RemoteSettings = RemoteSettings()
    files: FileSettings = field(default=FileSettings(), metadata={"flat": True})


@dataclass(frozen=True)
class ParsedSettings:
    settings: Settings
    problems: tuple[str, ...] = ()
    """Bad values, each kept at its default; shown to the user once."""
    unknown: tuple[str, ...] = ()
    """Keys that wattcode does not know; logged only (an older or newer client may send them)."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def flatten(raw: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted camelCase key, value) for nested and dotted input alike."""
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, dotted + ".")
        else:
            yield dotted, value


def _type_error(value: Any, annotation: str, meta: Mapping[str, Any]) -> str | None:
    """Return what is wrong with `value` for a field typed `annotation`, or None."""
    optional = annotation.endswith("| None")
    base = annotation.removesuffix("| None").strip()
    if value is None:
        return None if optional else "must not be null"
    if base == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if base in ("int", "float"):
        numeric = (int,) if base == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, numeric):
            return "must be a whole number" if base == "int" else "must be a number"
        low, high = meta.get("min"), meta.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"must be between {low} and {high}"
        return None
    if base == "tuple[str, ...]":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return "must be a list of strings"
        return None
    if base == "str":
        if not isinstance(value, str):
            return "must be a string"
        choices = meta.get("choices")
        if choices and value not in choices:
            return "must be one of " + ", ".join(repr(c) for c in choices)
        check = meta.get("check")
        if check is not None:
            problem: str | None = check(value)
            return problem
    return None


def setting_fields() -> Iterator[tuple[str, str, str, dataclasses.Field[Any]]]:
    """Yield (dotted key without section, group attribute, field attribute, field) per setting."""
    for group in dataclasses.fields(Settings):
        for f in dataclasses.fields(getattr(Settings(), group.name)):
            key = f.metadata.get("key") or camel(f.name)
            prefix = "" if group.metadata.get("flat") else f"{camel(group.name)}."
            yield f"{prefix}{key}", group.name, f.name, f


def parse_settings(raw: Mapping[str, Any] | None) -> ParsedSettings:
    """Build Settings from client input, keeping the default for each bad or missing value."""
    values: dict[str, Any] = {}
    for key, value in flatten(raw or {}):
        values[key.removeprefix(SECTION + ".")] = value
    problems: list[str] = []
    groups: dict[str, dict[str, Any]] = {}
    known = set()
    for dotted, group_name, field_name, f in setting_fields():
        known.add(dotted)
        if dotted not in values:
            continue
        value = values[dotted]
        error = _type_error(value, str(f.type), f.metadata)
        if error:
            got = "a value" if f.metadata.get("secret") else repr(value)
            problems.append(
                f"{SECTION}.{dotted} {error} (got {got}); using the default {f.default!r}"
            )
            continue
        if str(f.type).startswith("float") and isinstance(value, int):
            value = float(value)
        if isinstance(value, list):
            value = tuple(value)
        groups.setdefault(group_name, {})[field_name] = value
    defaults = Settings()
    settings = Settings(
        **{
            name: dataclasses.replace(getattr(defaults, name), **fields)
            for name, fields in groups.items()
        }
    )
    unknown = tuple(sorted(f"{SECTION}.{k}" for k in values if k not in known))
    return ParsedSettings(settings, tuple(problems), unknown)
