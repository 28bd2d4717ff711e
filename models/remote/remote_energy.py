"""What a remote request cost: not measured here, or estimated from its tokens at per-token
costs that the user configured (from their server's own meters), labelled so."""

from __future__ import annotations

from models.generation import WorkMeter
from models.remote.endpoint import RemoteEndpoint

NOT_MEASURED = "remote: not measured here"


def remote_estimate(work: WorkMeter, endpoint: RemoteEndpoint) -> tuple[float, str]:
    """Joules for the server's work on one request (cancelled work included), and the label
    that says how they were obtained."""
    per_prompt = endpoint.joules_per_prompt_token
    per_generated = endpoint.joules_per_generated_token
    if per_prompt is None and per_generated is None:
        return 0.0, NOT_MEASURED
    joules = work.prompt_tokens_evaluated * (per_prompt or 0.0) + work.generated_tokens * (
        per_generated or 0.0
    )
    costs = f"{per_prompt or 0:g} J/prompt token, {per_generated or 0:g} J/generated token"
    return joules, f"estimated: remote tokens at {costs} (configured)"
