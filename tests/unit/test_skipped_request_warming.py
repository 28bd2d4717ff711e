"""A gated request generates nothing, and (when asked) evaluates the prompt it would have run,
so that the next keystroke finds the cache current. A scripted runner here; the real model's
cache is checked in tests/model/test_cache_correctness.py and the server's in tests/lsp."""

from __future__ import annotations

import pytest

from models.cancellation import CancelToken
from models.completion_engine import CompletionEngine, CompletionOptions, PromptJob
from models.cursor_text import CursorText
from models.errors import GenerationCancelled
from models.generation import Generation, GenerationStats, WorkMeter
from models.prompt_context import PromptContext
from models.request_gate import SkipReason

IN_A_COMMENT = ("def area(r):\n    # the area of", "\n    return r\n")
IN_CODE = ("def area(r):\n    return 3.14 * r", "\n")
GATED = CompletionOptions(skip_comments_and_strings=True)
WARMED = CompletionOptions(skip_comments_and_strings=True, warm_skipped=True)


class ScriptedRunner:
    """Counts a token per character; remembers the contexts it evaluated and generated for."""

    context_length = 4096

    def __init__(self, cancel_warm: bool = False) -> None:
        self.warmed: list[PromptContext] = []
        self.generated: list[PromptContext] = []
        self.cancel_warm = cancel_warm

    def count_tokens(self, text: str) -> int:
        return len(text)

    def warm(self, job: PromptJob) -> None:
        context, cancel, meter = job.context, job.cancel, job.meter
        self.warmed.append(context)
        meter.prompt_tokens_evaluated += 5
        if self.cancel_warm:
            cancel.cancel()  # a keystroke arrives mid-prompt
        cancel.raise_if_cancelled()
        meter.prompt_tokens_evaluated += context.prefix_tokens + context.suffix_tokens - 5

    def run(self, job: PromptJob) -> Generation:
        self.generated.append(job.context)
        return Generation("2", GenerationStats(1, 0, 1, 1, 0.0, 0.0, 0.0, "stop-token"))


def test_a_skipped_request_generates_nothing_and_warms_only_when_asked() -> None:
    runner = ScriptedRunner()
    engine = CompletionEngine(runner)
    plain = engine.complete(CursorText(*IN_A_COMMENT, language_id="python"), GATED)
    assert plain.skipped is SkipReason.COMMENT_OR_STRING
    assert plain.stats.prompt_tokens_evaluated == 0
    assert runner.warmed == [] and runner.generated == []

    warmed = engine.complete(CursorText(*IN_A_COMMENT, language_id="python"), WARMED)
    assert warmed.skipped is SkipReason.COMMENT_OR_STRING and warmed.text == ""
    assert runner.generated == []
    [context] = runner.warmed
    assert warmed.stats.prompt_tokens_evaluated == context.prefix_tokens + context.suffix_tokens


def test_warming_evaluates_the_window_that_the_request_would_have_run() -> None:
    runner = ScriptedRunner()
    engine = CompletionEngine(runner)
    options = CompletionOptions(max_prompt_tokens=24, suffix_share=0.25)
    engine.warm(CursorText(*IN_CODE, language_id="python"), options, CancelToken(), WorkMeter())
    engine.complete(CursorText(*IN_CODE, language_id="python"), options)
    assert runner.warmed == runner.generated
    assert runner.warmed[0].prefix_tokens + runner.warmed[0].suffix_tokens <= 24


def test_a_keystroke_during_warming_stops_it_and_the_request_stays_skipped() -> None:
    runner = ScriptedRunner(cancel_warm=True)
    engine = CompletionEngine(runner)
    meter = WorkMeter()
    result = engine.complete(
        CursorText(*IN_A_COMMENT, language_id="python"), WARMED, CancelToken(), meter
    )
    assert result.skipped is SkipReason.COMMENT_OR_STRING
    assert result.stats.prompt_tokens_evaluated == meter.prompt_tokens_evaluated == 5


def test_warming_on_its_own_raises_when_cancelled() -> None:
    engine = CompletionEngine(ScriptedRunner(cancel_warm=True))
    with pytest.raises(GenerationCancelled):
        engine.warm(CursorText(*IN_CODE), CompletionOptions(), CancelToken(), WorkMeter())
