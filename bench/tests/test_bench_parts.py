"""The benchmark's own logic: configurations, span picking, summaries, the report writer."""

from __future__ import annotations

from pathlib import Path

from lsp_server.settings import parse_settings
from wattcode_bench import report
from wattcode_bench.configs import ALL_CONFIGS, BY_NAME
from wattcode_bench.corpus import CORPORA, CORPUS, WIDE_CORPUS
from wattcode_bench.runner import BenchPlan, BenchRequest
from wattcode_bench.typing_replay import KeyRecord, ReplayResult, find_spans
from wattcode_bench.typing_summary import taken_suggestions, typing_summary

SOURCE = '''import os


def first(a, b):
    total = a + b
    return total


def second(x):
    """Doc."""
    return x


class K:
    def method(self):
        self.value = 1
        return self.value
'''


def test_every_config_is_valid_server_settings() -> None:
    for config in BY_NAME.values():
        parsed = parse_settings({"wattcode": config.settings(max_tokens=64)})
        assert parsed.problems == () and parsed.unknown == (), config.name
        assert parsed.settings.experimental.early_stop == config.early_stop
        assert parsed.settings.experimental.prefix_reuse == config.prefix_reuse
        assert parsed.settings.model.draft == config.draft
    large_spec = parse_settings({"wattcode": BY_NAME["large-spec"].settings(64)}).settings
    assert (large_spec.model.preset, large_spec.model.draft) == ("1.5b", "auto")
    assert "large" not in [c.name for c in ALL_CONFIGS]  # opt-in: the 1.5B is fetched apart
    assert BY_NAME["naive"].max_prompt_tokens > BY_NAME["wattcode"].max_prompt_tokens


def test_spans_are_whole_body_lines_and_skip_docstrings() -> None:
    spans = find_spans(SOURCE, count=10, max_chars=200, seed=1)
    texts = [s.text(SOURCE) for s in spans]
    assert texts == [
        "    total = a + b\n    return total",
        "        self.value = 1\n        return self.value",
    ]
    assert all(SOURCE[s.end] == "\n" for s in spans)  # the newline stays in the document
    assert find_spans(SOURCE, 1, 200, seed=1) == find_spans(SOURCE, 1, 200, seed=1)
    short = find_spans(SOURCE, 10, 20, seed=1)
    assert next(s.text(SOURCE) for s in short) == "    total = a + b"


def test_corpus_files_are_pinned_and_present_here() -> None:
    assert {f.language for f in CORPUS} >= {"Python", "JavaScript", "Go"}
    present = [f for f in CORPUS if f.load() is not None]
    assert present, "no corpus file matched its hash on this machine"


def test_the_wide_corpus_adds_distinct_files_of_every_language_with_spans_to_type() -> None:
    assert WIDE_CORPUS[: len(CORPUS)] == CORPUS and CORPORA["wide"] is WIDE_CORPUS
    assert not set(CORPORA["held-out"]) & set(CORPUS)
    assert (*CORPUS, *CORPORA["held-out"]) == WIDE_CORPUS
    assert len({f.path.name for f in WIDE_CORPUS}) == len(WIDE_CORPUS) > len(CORPUS)
    added = WIDE_CORPUS[len(CORPUS) :]
    assert {f.language for f in added} == {"Python", "JavaScript", "Go"}
    for corpus_file in added:
        text = corpus_file.load()
        if text is not None:  # pinned files of another Python or npm are skipped, not replaced
            assert len(find_spans(text, 2, 80, seed=7)) == 2, corpus_file.path.name
    wide = BenchRequest(
        quick=True, seed=7, configs=("wattcode",), workloads=("typing",), corpus="wide"
    )
    plan = BenchPlan.make(wide)
    assert plan.corpus == "wide"


def test_typing_summary_counts_acceptance() -> None:
    result = ReplayResult("wattcode", "f.py", "Python")
    result.keys = [
        KeyRecord(0, 0.0, 0.2, "suggestion", "a + b", "a + b", accepted=True),
        KeyRecord(1, 1.0, 1.5, "suggestion", "c", "d", accepted=False),
        KeyRecord(2, 2.0, None, "cancelled"),
    ]
    result.evaluated_per_key = [10, 0, 2]
    result.server_cpu_seconds = 1.0
    summary = typing_summary([result], peak_rss=1000)
    assert summary["keys"] == 3 and summary["suggestions"] == 2 and summary["accepted"] == 1
    assert summary["accepted_chars"] == 5
    assert summary["cancelled"] == 1
    assert abs(summary["latency_p50"] - 0.35) < 1e-9
    assert summary["evaluated_tokens_per_key"] == 4


def test_typing_on_through_an_accepted_suggestion_is_one_taken_suggestion() -> None:
    result = ReplayResult("wattcode", "f.py", "Python")
    result.keys = [
        KeyRecord(0, 0.0, 0.1, "suggestion", "len(x))", "len(x))", accepted=True),
        KeyRecord(1, 0.2, 0.2, "suggestion", "en(x))", "en(x))", accepted=True),
        KeyRecord(2, 0.4, 0.4, "suggestion", "n(x))", "n(x))", accepted=True),
        KeyRecord(3, 0.6, None, "cancelled"),
        KeyRecord(4, 0.8, 0.9, "suggestion", "x))", "x))", accepted=True),
        KeyRecord(5, 1.0, 1.1, "suggestion", "y", "z"),
    ]
    later = ReplayResult("wattcode", "g.py", "Python")
    later.keys = [KeyRecord(0, 0.0, 0.1, "suggestion", "ok", "ok", accepted=True)]
    assert [k.index for k in taken_suggestions(result.keys)] == [0, 4]
    summary = typing_summary([result, later], peak_rss=1000)
    assert summary["accepted"] == 5 and summary["taken"] == 3
    assert summary["taken_chars"] == len("len(x))") + len("x))") + len("ok")


def test_plan_includes_the_naive_baseline_when_typing_is_replayed() -> None:
    plan = BenchPlan.make(BenchRequest(quick=True, seed=7, configs=("wattcode",)))
    assert [c.name for c in plan.configs] == ["naive", "wattcode"]
    assert plan.tasks < 100 and plan.spans_per_file == 1
    accuracy_only = BenchPlan.make(
        BenchRequest(quick=True, seed=7, configs=("no-trim", "wattcode"), workloads=("accuracy",))
    )
    assert [c.name for c in accuracy_only.configs] == ["no-trim", "wattcode"]


def test_markdown_report_from_minimal_data(tmp_path: Path) -> None:
    data = {
        "command": "wattcode bench --quick",
        "date": "today",
        "quick": True,
        "seed": 7,
        "elapsed_seconds": 60.0,
        "configs": {"naive": "n", "wattcode": "w"},
        "machine": {
            "cpu": "cpu",
            "physical_cores": 2,
            "memory_gib": 4,
            "os": "os",
            "python": "3",
            "llama_cpp_python": "0",
            "model": "m",
            "model_file": "m.gguf",
            "inference_threads": 2,
        },
        "headline": ["one line"],
    }
    path = report.write_markdown(data, [], tmp_path)
    text = path.read_text()
    assert "# wattcode bench report" in text and "wattcode bench --quick" in text
    assert "- one line" in text


def test_key_records_name_the_gating_rule_that_refused_them() -> None:
    from wattcode_bench.typing_replay import _note_key_work  # noqa: PLC0415

    result = ReplayResult("wattcode", "a.py", "Python")
    record = KeyRecord(3, 0.0, typed="x", before="    value = x", right=")")
    counters = {
        "prompt_tokens_evaluated": 0,
        "suggestion_cache_hits": 0,
        "requests_skipped": 4,
        "requests_skipped_mid_word": 1,
        "requests_skipped_after_deletion": 3,
    }
    later = {**counters, "requests_skipped": 5, "requests_skipped_mid_word": 2}
    _note_key_work(result, record, counters, later)
    row = record.row()
    assert row["skipped"] == "mid_word"
    assert (row["typed"], row["before"], row["right"]) == ("x", "    value = x", ")")
    untouched = KeyRecord(4, 0.0)
    _note_key_work(result, untouched, later, later)
    assert untouched.row()["skipped"] == ""


def test_gating_shares_count_only_the_requests_the_cache_could_not_answer() -> None:
    from wattcode_bench.power_report import gating_headline, power_section  # noqa: PLC0415

    def summary(skipped: float, accepted: int) -> dict[str, object]:
        return {
            "requests": 1000.0,
            "requests_from_cache": 800.0,
            "requests_skipped": skipped,
            "skipped_by_reason": {"word-start": skipped},
            "requests_debounced": 0.0,
            "requests_refused": 0.0,
            "run_joules": 100.0,
            "run_seconds": 60.0,
            "run_watt_hours_per_hour": 6.0,
            "budget_watt_hours_per_hour": None,
            "budget_held": None,
            "suggestions": 900,
            "accepted": accepted,
            "taken": accepted // 10,
        }

    configs = {"wattcode": summary(50.0, 297), "no-gate": summary(0.0, 300)}
    [headline] = gating_headline(configs)
    assert "5.0% of requests skipped (50 of 1000), 25.0% of those" in headline
    assert "(200)" in headline and "(1.0% fewer)" in headline
    assert "29 vs 30 (3.3% fewer)" in headline
    [gain] = gating_headline({**configs, "wattcode": summary(50.0, 303)})
    assert "(1.0% more)" in gain
    lines = power_section({"configs": configs})
    row = next(line for line in lines if line.startswith("| wattcode"))
    assert "| 1000 | 200 | 50 (5.0%) | 25.0% | word-start 50 |" in row
