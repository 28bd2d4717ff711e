"""Human-readable cost lines shared by hover, completion items and the CLI."""

from __future__ import annotations

from models.generation import GenerationStats


def cost_summary(stats: GenerationStats) -> str:
    return (
        f"{stats.prompt_tokens_evaluated} new / {stats.prompt_tokens_reused} reused prompt tokens"
        f" · {stats.generated_tokens} generated · {stats.total_seconds * 1000:.0f} ms"
    )


def cost_markdown(stats: GenerationStats) -> str:
    if stats.stop_reason == "suggestion-cache":
        return "\n".join(
            (
                "**wattcode** · last suggestion on this line",
                "",
                "- served from the suggestion cache: no inference, no prompt tokens",
                f"- time: {stats.total_seconds * 1000:.1f} ms",
            )
        )
    return "\n".join(
        (
            "**wattcode** · last suggestion on this line",
            "",
            f"- prompt: {stats.prompt_tokens_evaluated} tokens evaluated, "
            f"{stats.prompt_tokens_reused} reused from the cache",
            f"- generated: {stats.generated_tokens} tokens (stopped: {stats.stop_reason})",
            f"- time: {stats.total_seconds * 1000:.0f} ms "
            f"(prompt {stats.prompt_seconds * 1000:.0f} ms) · CPU {stats.cpu_seconds:.2f} s",
        )
    )
