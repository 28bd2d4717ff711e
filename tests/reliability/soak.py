"""The reliability soak: fuzzing, injected faults and typing storms against the real server, with
a JSON and Markdown report of what was sent, what was held and what was lost.

    .venv/bin/python -m tests.reliability.soak --fuzz-messages 100000 --storm-minutes 30 \\
        --faults 50 --out bench/results/soak

(the full size: 100,000 fuzzed messages, 30 minutes of 30 keys/s over 5 documents, 50 faults).
Needs the dev extra (hypothesis) and the default model. It lives with the tests, not in the
installed package, because it drives the server with the tests' raw client and instruments.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.reliability.fuzzing import fuzz, new_target
from tests.reliability.raw_client import WRAPPED, RawClient
from tests.reliability.typing_storm import Storm, run_storm

SETTINGS: dict[str, Any] = {"completion": {"maxTokens": 32}}


def soak_fuzz(messages: int) -> dict[str, Any]:
    target = new_target()
    try:
        seconds = fuzz(target, messages)
        assert target.client is not None
        exit_code = target.client.close()
    finally:
        target.close()
    return {
        "messages": sum(target.sent.values()),
        "by_kind": dict(target.sent),
        "requests_answered": target.answered,
        "error_codes": {str(k): v for k, v in target.error_codes.items()},
        "server_restarts": target.restarts,
        "clean_exit": exit_code == 0,
        "seconds": round(seconds, 1),
    }


def soak_faults(count: int, workdir: Path) -> dict[str, Any]:
    """Toggle an exception inside the model thread `count` times; after each, the next request
    must get a suggestion again, without a restart."""
    flag = workdir / "flag"
    client = RawClient(
        SETTINGS,
        command=WRAPPED,
        env={"WATTCODE_TEST_FAULT": "generation", "WATTCODE_TEST_FAULT_FLAG": str(flag)},
        cache_dir=workdir / "cache",
    )
    recovered = 0
    with client:
        client.initialize()
        client.wait_for_model()
        for index in range(count):
            # A new document each time: a repeated request would come from the suggestion cache.
            uri = f"file:///soak/fault{index}.py"
            client.open(uri, f"def add_{index}(a, b):\n    return ")
            flag.touch()
            failed = client.call("textDocument/inlineCompletion", client.inline_params(uri, 1, 11))
            flag.unlink()
            client.call(
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
            )
            back = client.call("textDocument/inlineCompletion", client.inline_params(uri, 1, 11))
            recovered += failed == {"items": []} and bool(back["items"])
        stats = client.stats()
        messages = len([m for m in client.messages if "injected fault" in m["message"]])
    return {
        "injected": count,
        "recovered_without_restart": recovered,
        "generations_failed": stats["generations_failed"],
        "error_popups": messages,
    }


def soak_storm(minutes: float, workdir: Path) -> dict[str, Any]:
    client = RawClient(SETTINGS, cache_dir=workdir / "cache")
    rounds = []
    rss: list[tuple[float, int]] = []
    with client:
        client.initialize()
        client.wait_for_model()
        started = time.monotonic()
        round_index = 0
        while time.monotonic() - started < minutes * 60:
            offset = time.monotonic() - started
            result = run_storm(client, Storm(seconds=60, prefix=f"storm{round_index}"))
            rss += [(round(offset + t, 1), b) for t, b in result.rss_samples]
            time.sleep(1.0)
            settled = client.cpu_seconds()
            time.sleep(2.0)
            idle_cpu = client.cpu_seconds() - settled
            for i in range(5):
                client.notify(
                    "textDocument/didClose",
                    {"textDocument": {"uri": f"file:///storm{round_index}/doc{i}.py"}},
                )
            rounds.append(
                {
                    "keystrokes": result.keystrokes,
                    "requests": result.requests,
                    "answered": result.answered,
                    "suggestions": result.suggestions,
                    "outdated_suggestions": len(result.outdated),
                    "idle_cpu_seconds_in_2s": round(idle_cpu, 3),
                }
            )
            round_index += 1
        stats = client.stats()
    warm = [b for t, b in rss if t >= min(60.0, rss[-1][0] / 5)] if rss else []
    growth = (warm[-1] - warm[0]) / warm[0] * 100 if len(warm) > 1 else 0.0
    return {
        "minutes": round((rss[-1][0] if rss else 0) / 60, 1),
        "rounds": rounds,
        "keystrokes": sum(r["keystrokes"] for r in rounds),
        "requests": sum(r["requests"] for r in rounds),
        "answered": sum(r["answered"] for r in rounds),
        "outdated_suggestions": sum(r["outdated_suggestions"] for r in rounds),
        "rss_mb": [(t, round(b / 1e6, 1)) for t, b in rss],
        "rss_growth_after_warmup_percent": round(growth, 1),
        "server_stats": {
            k: stats[k]
            for k in (
                "requests",
                "suggestions",
                "generations_started",
                "generations_cancelled",
                "generations_not_started",
                "results_dropped_outdated",
                "generations_failed",
            )
        },
    }


def markdown(report: dict[str, Any]) -> str:
    fz, fa, st = report["fuzz"], report["faults"], report["storm"]
    lost = st["requests"] - st["answered"]
    return "\n".join(
        [
            "# wattcode reliability soak",
            "",
            f"Command: `{report['command']}`  ",
            f"Machine: {report['machine']} · {report['date']} · {report['label']}",
            "",
            "| part | held | lost |",
            "| --- | --- | --- |",
            f"| fuzz | {fz['messages']:,} hypothesis-generated messages in {fz['seconds']} s "
            f"({fz['requests_answered']:,} requests, all answered; "
            f"errors by code {fz['error_codes']}) "
            f"| {fz['server_restarts']} restarts, clean exit: {fz['clean_exit']} |",
            f"| faults | {fa['injected']} exceptions injected in the model thread, "
            f"{fa['recovered_without_restart']} recovered without a restart, "
            f"{fa['error_popups']} popup(s) (one a minute at most) | "
            f"{fa['injected'] - fa['recovered_without_restart']} not recovered |",
            f"| typing storm | {st['keystrokes']:,} keystrokes at 30/s over 5 documents for "
            f"{st['minutes']} min, {st['requests']:,} requests | {lost} unanswered, "
            f"{st['outdated_suggestions']} suggestions for an outdated version |",
            "",
            f"RSS after warm-up grew {st['rss_growth_after_warmup_percent']} % "
            f"(first {st['rss_mb'][0][1] if st['rss_mb'] else '-'} MB, "
            f"last {st['rss_mb'][-1][1] if st['rss_mb'] else '-'} MB). "
            "Idle CPU in the 2 s after each storm round: "
            + ", ".join(f"{r['idle_cpu_seconds_in_2s']} s" for r in st["rounds"])
            + ".",
            "",
            f"Server counters after the storm: {st['server_stats']}",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak")
    parser.add_argument("--fuzz-messages", type=int, default=100_000)
    parser.add_argument("--storm-minutes", type=float, default=30.0)
    parser.add_argument("--faults", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("bench/results/soak"))
    parser.add_argument("--label", default="full size")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="wattcode-soak-"))
    started = time.monotonic()
    report: dict[str, Any] = {
        "command": "python -m tests.reliability.soak "
        f"--fuzz-messages {args.fuzz_messages} --storm-minutes {args.storm_minutes} "
        f"--faults {args.faults} --out {args.out} --label '{args.label}'",
        "label": args.label,
        "machine": f"{platform.machine()}, {platform.system()}",
        "date": time.strftime("%Y-%m-%d"),
        "fuzz": soak_fuzz(args.fuzz_messages),
        "faults": soak_faults(args.faults, workdir),
        "storm": soak_storm(args.storm_minutes, workdir),
    }
    report["seconds"] = round(time.monotonic() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "SOAK.md").write_text(markdown(report), encoding="utf-8")
    print(args.out / "SOAK.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
