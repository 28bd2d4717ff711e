"""A gated request generates nothing, and (when asked) evaluates the prompt it would have run,
so that the next keystroke finds the cache current. A scripted runner here; the real model's
cache is checked in tests/model/test_cache_correctness.py and the server's in tests/lsp."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.cancellation import CancelToken
from models.completion_engine import CompletionEngine, CompletionOptions
from models.errors import GenerationCancelled
from models.generation import Generation, GenerationStats, WorkMeter
from models.prompt_window import PromptWindow
from models.request_gate import SkipReason

IN_A_COMMENT = ("def area(r):\n    # the area of", "\n    return r\n")
IN_CODE = ("def area(r):\n    return 3.14 * r", "\n")
GATED = CompletionOptions(skip_comments_and_strings=True)
WARMED = CompletionOptions(skip_comments_and_strings=True, warm_skipped=True)


class ScriptedRunner:
    """Counts a token per character; remembers the windows it evaluated and generated for."""

    context_length = 4096

    def __init__(self, cancel_prefill: bool = False) -> None:
        self.prefilled: list[PromptWindow] = []
        self.generated: list[PromptWindow] = []
        self.cancel_prefill = cancel_prefill

    def count_tokens(self, text: str) -> int:
        return len(text)

    def prefill(
        self,
        window: PromptWindow,
        options: CompletionOptions,  # noqa: ARG002
        cancel: CancelToken,
        meter: WorkMeter,
        document: str | None,  # noqa: ARG002
    ) -> None:
        self.prefilled.append(window)
        meter.prompt_tokens_evaluated += 5
        if self.cancel_prefill:
            cancel.cancel()  # a keystroke arrives mid-prompt
        cancel.raise_if_cancelled()
        meter.prompt_tokens_evaluated += window.prefix_tokens + window.suffix_tokens - 5

    def run(
        self,
        window: PromptWindow,
        options: CompletionOptions,  # noqa: ARG002
        cancel: CancelToken,  # noqa: ARG002
        meter: WorkMeter,  # noqa: ARG002
        is_finished: Callable[[str], bool],  # noqa: ARG002
        document: str | None,  # noqa: ARG002
    ) -> Generation:
        self.generated.append(window)
        return Generation("2", GenerationStats(1, 0, 1, 1, 0.0, 0.0, 0.0, "stop-token"))


def test_a_skipped_request_generates_nothing_and_warms_only_when_asked() -> None:
    runner = ScriptedRunner()
    engine = CompletionEngine(runner)
    plain = engine.complete(*IN_A_COMMENT, GATED, language_id="python")
    assert plain.skipped is SkipReason.COMMENT_OR_STRING
    assert plain.stats.prompt_tokens_evaluated == 0
    assert runner.prefilled == [] and runner.generated == []

    warmed = engine.complete(*IN_A_COMMENT, WARMED, language_id="python")
    assert warmed.skipped is SkipReason.COMMENT_OR_STRING and warmed.text == ""
    assert runner.generated == []
    [window] = runner.prefilled
    assert warmed.stats.prompt_tokens_evaluated == window.prefix_tokens + window.suffix_tokens


def test_warming_evaluates_the_window_that_the_request_would_have_run() -> None:
    runner = ScriptedRunner()
    engine = CompletionEngine(runner)
    options = CompletionOptions(max_prompt_tokens=24, suffix_share=0.25)
    engine.warm(*IN_CODE, options, CancelToken(), WorkMeter(), language_id="python")
    engine.complete(*IN_CODE, options, language_id="python")
    assert runner.prefilled == runner.generated
    assert runner.prefilled[0].prefix_tokens + runner.prefilled[0].suffix_tokens <= 24


def test_a_keystroke_during_warming_stops_it_and_the_request_stays_skipped() -> None:
    runner = ScriptedRunner(cancel_prefill=True)
    engine = CompletionEngine(runner)
    meter = WorkMeter()
    result = engine.complete(*IN_A_COMMENT, WARMED, CancelToken(), meter, language_id="python")
    assert result.skipped is SkipReason.COMMENT_OR_STRING
    assert result.stats.prompt_tokens_evaluated == meter.prompt_tokens_evaluated == 5


def test_warming_on_its_own_raises_when_cancelled() -> None:
    engine = CompletionEngine(ScriptedRunner(cancel_prefill=True))
    with pytest.raises(GenerationCancelled):
        engine.warm(*IN_CODE, CompletionOptions(), CancelToken(), WorkMeter())
