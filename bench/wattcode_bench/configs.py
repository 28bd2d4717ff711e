"""The configurations the benchmark compares, side by side in one run.

`naive` is what a plain llama.cpp integration does: the whole file (up to the context limit) as
the FIM prefix and suffix, generation until a stop token or the token limit, and only
llama-cpp-python's built-in longest-prefix reuse. `wattcode` is everything on. Each `no-*`
configuration is `wattcode` with one feature off, so that each feature's share is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lsp_server.settings import (
    DEFAULT_MAX_MILLISECONDS,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_PAUSE_MILLISECONDS,
)
from models.completion_engine import CompletionOptions
from models.confidence import ConfidenceRule
from models.token_healing import healing_mode

WHOLE_FILE = 1 << 20
"""A prompt budget that the context length always caps first."""


@dataclass(frozen=True)
class BenchConfig:
    name: str
    description: str
    max_prompt_tokens: int = 1024
    early_stop: bool = True
    prefix_reuse: bool = True
    prompt_order: str = "spm"
    suggestion_cache: bool = True
    trim: bool = True
    skip_unlikely: bool = True
    warm_skipped: bool = False
    token_healing: bool = True
    heal_words: bool = True
    """Heal partial words and operators, not only whitespace (`models/token_healing.py`)."""
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    """Cut a suggestion where the product of its tokens' probabilities falls below this (0:
    show all), as `wattcode.completion.minConfidence` does."""
    suggestion_guards: bool = True
    max_milliseconds: int | None = DEFAULT_MAX_MILLISECONDS
    """The time budget of one suggestion (typing runs through the server only)."""
    pause_milliseconds: int | None = DEFAULT_PAUSE_MILLISECONDS
    """A skipped request is answered after this pause without a newer key (typing runs)."""
    budget_watts: float | None = None
    """An average power budget on mains (`wattcode.power.ac.maxWattHoursPerHour`)."""
    model_preset: str | None = None
    """`wattcode.model.preset` (None: the default); runs through the server only, so such a
    configuration lists only the workloads that do (typing, enter)."""
    draft: str = "off"
    """`wattcode.model.draft`: speculative decoding's drafts (`models/speculative.py`)."""
    workloads: frozenset[str] = frozenset({"plain", "padded", "typing"})
    """Where this configuration can differ from `wattcode`; elsewhere it would only repeat
    wattcode's numbers (e.g. the line context on HumanEval prompts, all shorter than its budget)."""

    def options(self, max_tokens: int, multiline: bool | None = None) -> CompletionOptions:
        return CompletionOptions(
            max_prompt_tokens=self.max_prompt_tokens,
            max_tokens=max_tokens,
            multiline=multiline,
            early_stop=self.early_stop,
            reuse_prefix=self.prefix_reuse,
            prompt_order=self.prompt_order,
            trim=self.trim,
            healing=healing_mode(self.token_healing, self.heal_words),
            confidence=ConfidenceRule(min_running=self.min_confidence),
            guards=self.suggestion_guards,
        )

    def settings(self, max_tokens: int) -> dict[str, Any]:
        """The same configuration as `wattcode.*` settings, for runs through the server."""
        return {
            "context": {"maxPromptTokens": min(self.max_prompt_tokens, 16384), "trim": self.trim},
            "completion": {
                "maxTokens": max_tokens,
                "skipUnlikely": self.skip_unlikely,
                "maxMilliseconds": self.max_milliseconds,
                "pauseMilliseconds": self.pause_milliseconds,
                "minConfidence": self.min_confidence,
            },
            "power": {"ac": {"maxWattHoursPerHour": self.budget_watts}},
            "model": {
                "draft": self.draft,
                **({"preset": self.model_preset} if self.model_preset else {}),
            },
            "cache": {"suggestions": self.suggestion_cache},
            "experimental": {
                "earlyStop": self.early_stop,
                "prefixReuse": self.prefix_reuse,
                "promptOrder": self.prompt_order,
                "warmSkipped": self.warm_skipped,
                "tokenHealing": self.token_healing,
                "healWords": self.heal_words,
                "suggestionGuards": self.suggestion_guards,
            },
        }


NAIVE = BenchConfig(
    "naive",
    "whole file as a prefix-suffix-middle prompt, generation to a stop token, longest-prefix "
    "KV reuse only, no suggestion cache",
    max_prompt_tokens=WHOLE_FILE,
    early_stop=False,
    prompt_order="psm",
    suggestion_cache=False,
    skip_unlikely=False,
)
WATTCODE = BenchConfig("wattcode", "everything on")
NO_WINDOW = BenchConfig(
    "no-window",
    "wattcode with the whole file as prompt",
    max_prompt_tokens=WHOLE_FILE,
    workloads=frozenset({"padded", "typing"}),
)
NO_TRIM = BenchConfig(
    "no-trim",
    "wattcode with the plain line context instead of the tree-sitter trimmer",
    trim=False,
    workloads=frozenset({"padded", "typing"}),
)
NO_EARLY_STOP = BenchConfig(
    "no-early-stop",
    "wattcode generating to a stop token, cut afterwards",
    early_stop=False,
    workloads=frozenset({"plain", "typing"}),
)
NO_CACHE = BenchConfig(
    "no-cache",
    "wattcode without KV prefix reuse and without the suggestion cache",
    prefix_reuse=False,
    suggestion_cache=False,
    workloads=frozenset({"plain", "typing"}),
)
PSM = BenchConfig(
    "psm",
    "wattcode with the classic prefix-suffix-middle prompt order",
    prompt_order="psm",
)
NO_SUGGESTION_CACHE = BenchConfig(
    "no-suggestion-cache",
    "wattcode without the suggestion cache",
    suggestion_cache=False,
    workloads=frozenset({"typing"}),
)

NO_GATE = BenchConfig(
    "no-gate",
    "wattcode without request gating (every request reaches the model)",
    skip_unlikely=False,
    workloads=frozenset({"typing"}),
)

WARM_SKIPPED = BenchConfig(
    "warm-skipped",
    "wattcode that evaluates the whole prompt chunks of the requests gating skips",
    warm_skipped=True,
    workloads=frozenset({"typing"}),
)


NO_GUARDS = BenchConfig(
    "no-guards",
    "wattcode before the indentation fix: no token healing, no suggestion guards, no time budget",
    token_healing=False,
    suggestion_guards=False,
    max_milliseconds=None,
    workloads=frozenset({"typing"}),
)


def time_budget_config(milliseconds: int | None) -> BenchConfig:
    """wattcode with another time budget per suggestion (None: none)."""
    name = "no-time-budget" if milliseconds is None else f"time-budget-{milliseconds}"
    return BenchConfig(
        name,
        f"wattcode with a time budget of {milliseconds} ms per suggestion"
        if milliseconds is not None
        else "wattcode without a time budget per suggestion (max tokens only)",
        max_milliseconds=milliseconds,
        workloads=frozenset({"typing"}),
    )


NO_PAUSE_ANSWER = BenchConfig(
    "no-pause-answer",
    "wattcode that never answers a skipped request, however long the user pauses",
    pause_milliseconds=None,
    workloads=frozenset({"typing"}),
)

WHITESPACE_HEALING = BenchConfig(
    "whitespace-healing",
    "wattcode that heals only whitespace at the cursor (before partial words were healed)",
    heal_words=False,
    workloads=frozenset({"typing", "enter"}),
)

NO_HEALING = BenchConfig(
    "no-healing",
    "wattcode without token healing (the guards still keep the typed indentation)",
    token_healing=False,
    workloads=frozenset({"typing", "enter"}),
)

SHOW_ALL_TOKENS = BenchConfig(
    "show-all-tokens",
    "wattcode that shows every generated token, however unlikely (no confidence cut)",
    min_confidence=0.0,
    workloads=frozenset({"typing", "plain"}),
)


def confidence_config(threshold: float) -> BenchConfig:
    """wattcode cutting suggestions where their tokens' joint probability falls below it."""
    return BenchConfig(
        f"min-confidence-{threshold:g}",
        f"wattcode cutting a suggestion where its joint probability falls below {threshold:g}",
        min_confidence=threshold,
        workloads=frozenset({"typing"}),
    )


TIME_BUDGETS = tuple(time_budget_config(ms) for ms in (None, 750, 3000))


def budget_config(watts: float) -> BenchConfig:
    """wattcode under an average power budget, `eco` when it is spent."""
    return BenchConfig(
        f"budget-{watts:g}",
        f"wattcode under a power budget of {watts:g} Wh per hour",
        budget_watts=watts,
        workloads=frozenset({"typing"}),
    )


BUDGETS = tuple(budget_config(watts) for watts in (1.0, 5.0, 20.0))

ALL_CONFIGS = (
    NAIVE,
    WATTCODE,
    NO_TRIM,
    NO_WINDOW,
    NO_EARLY_STOP,
    NO_CACHE,
    PSM,
    NO_SUGGESTION_CACHE,
    NO_GATE,
    WARM_SKIPPED,
    NO_GUARDS,
    NO_PAUSE_ANSWER,
    WHITESPACE_HEALING,
    NO_HEALING,
    SHOW_ALL_TOKENS,
    *TIME_BUDGETS,
    *BUDGETS,
)
LLAMAVIM = BenchConfig(
    "llamavim",
    "the peer: llama-server's /infill asked as llama.vim asks (wattcode_bench/llamavim_peer.py); "
    "typing in lockstep only, opt-in, skipped when no llama-server binary is found",
    workloads=frozenset({"llamavim"}),
)
"""Not in ALL_CONFIGS: it needs a llama-server binary (bench/llama_server/build.sh)."""
LARGE = BenchConfig(
    "large",
    "wattcode on the 1.5B model alone (`wattcode model fetch 1.5b` first); opt-in",
    model_preset="1.5b",
    workloads=frozenset({"typing", "enter", "plain"}),
)
LARGE_SPEC = BenchConfig(
    "large-spec",
    "wattcode on the 1.5B model with speculative decoding, drafts from the prompt and the "
    "0.5B (`wattcode.model.draft: auto`); opt-in",
    model_preset="1.5b",
    draft="auto",
    workloads=frozenset({"typing", "enter", "plain"}),
)
AUTO = BenchConfig(
    "auto",
    "wattcode with `wattcode.model.preset: auto`: the model this machine's measured decode speeds "
    "and power source choose (docs/models.md); opt-in",
    model_preset="auto",
    workloads=frozenset({"typing", "enter", "plain"}),
)
"""Not in ALL_CONFIGS: they need the 1.5B model, which a default install does not fetch."""
BY_NAME = {config.name: config for config in (*ALL_CONFIGS, LLAMAVIM, LARGE, LARGE_SPEC, AUTO)}


def config_named(name: str) -> BenchConfig:
    """A configuration by name; `min-confidence-<p>` for any threshold p."""
    if name.startswith("min-confidence-") and name not in BY_NAME:
        return confidence_config(float(name.removeprefix("min-confidence-")))
    return BY_NAME[name]
