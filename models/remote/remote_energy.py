"""What a remote request cost: not measured here, or estimated from its tokens at per-token
costs that the user configured (from their server's own meters), labelled so."""

from __future__ import annotations

from models.remote.endpoint import RemoteEndpoint
from models.remote.remote_runner import RemoteUsage

NOT_MEASURED = "remote: not measured here"


def remote_estimate(usage: RemoteUsage | None, endpoint: RemoteEndpoint) -> tuple[float, str]:
    """Joules for the server's work on one request, and the label that says how."""
    per_prompt = endpoint.joules_per_prompt_token
    per_generated = endpoint.joules_per_generated_token
    if usage is None or (per_prompt is None and per_generated is None):
        return 0.0, NOT_MEASURED
    evaluated = usage.prompt_tokens - usage.cached_prompt_tokens
    joules = evaluated * (per_prompt or 0.0) + usage.generated_tokens * (per_generated or 0.0)
    counted = "server's token counts" if usage.reported else "tokens counted here"
    costs = f"{per_prompt or 0:g} J/prompt token, {per_generated or 0:g} J/generated token"
    return joules, f"estimated: remote, {counted} × {costs} (configured)"  # noqa: RUF001
