"""The energy check's comparison and report (the GPU run itself needs NVML hardware)."""

from __future__ import annotations

import pytest

from lsp_server.bench.energy_check import compare, markdown, percent_difference


def test_compare_takes_the_idle_baseline_off_both_sides() -> None:
    # 60 s run at 70 W idle; 10 s of windows that drew 1,000 J in all.
    result = compare(
        windows_joules=1000.0,
        window_seconds=10.0,
        counter_joules=4500.0,
        run_seconds=60.0,
        idle_watts=70.0,
    )
    assert result["windows_above_idle_joules"] == pytest.approx(300.0)
    assert result["run_above_idle_joules"] == pytest.approx(300.0)
    assert result["difference_percent"] == pytest.approx(0.0)
    assert percent_difference(1.0, 0.0) is None


def test_report_names_the_gpu_result_or_why_it_is_missing() -> None:
    base = {
        "command": "python -m lsp_server.bench.energy_check --out x",
        "date": "2026-01-01",
        "files": ["textwrap.py"],
        "keys": 10,
        "suggestions": 8.0,
        "run_seconds": 5.0,
        "window_seconds": 2.0,
        "server_method": "measured: NVML GPU 0",
        "per_suggestion_energy_sum_joules": 4.0,
        "joules_per_suggestion": 0.5,
        "nvml": "NVML GPU 0",
        "nvml_reason": "",
        "idle_watts_measured_before_run": 70.0,
    }
    gpu = {**compare(250.0, 2.0, 480.0, 5.0, 70.0), "server_used_nvml": True}
    text = markdown({**base, "gpu": gpu})
    assert "Difference above idle: **-15.4 %**" in text
    missing = markdown({**base, "nvml_reason": "nvidia-ml-py is not installed"})
    assert "No NVML counter on this machine (nvidia-ml-py is not installed)" in missing


def test_typing_energy_sums_the_servers_deltas_per_span() -> None:
    from types import SimpleNamespace  # noqa: PLC0415

    from lsp_server.bench.energy_report import energy_section, typing_energy  # noqa: PLC0415

    spans = [
        SimpleNamespace(
            stats_before={"energy_joules": 1.0, "saved_joules_estimate": 0.0},
            stats_after={
                "energy_joules": 2.0,
                "saved_joules_estimate": 0.5,
                "energy_method": "m",
                "energy": {"idle_joules": 0.25},
            },
        ),
        SimpleNamespace(
            stats_before={
                "energy_joules": 2.5,
                "saved_joules_estimate": 0.5,
                "energy": {"idle_joules": 0.25},
            },
            stats_after={
                "energy_joules": 4.5,
                "saved_joules_estimate": 1.5,
                "energy_method": "m",
                "energy": {"idle_joules": 1.0},
            },
        ),
    ]
    energy = typing_energy(spans, suggestions=6)
    assert energy["energy_joules"] == pytest.approx(3.0)
    assert energy["energy_joules_per_suggestion"] == pytest.approx(0.5)
    assert energy["saved_joules_estimate"] == pytest.approx(1.5)
    assert energy["idle_joules"] == pytest.approx(1.0)
    assert "| wattcode | 0.500 | 3.0 | 1.0 | 1.5 | m |" in energy_section(
        {"configs": {"wattcode": energy}}
    )
