"""What the model thread's work adds to the session: the `wattcode/stats` counters, the energy
ledger and the power budget.

Every piece of work handed to the model thread is counted when it ends, also a request the
client cancelled meanwhile (its awaiting task is gone by then): `count_when_done` right after
`ModelWorker.complete` or `ModelWorker.warm`. The counting runs on the asyncio loop.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from enum import Enum

from lsp_server.model_work import Outcome, OutcomeStatus
from lsp_server.session import Session, Stat
from lsp_server.wattcode_server import WattcodeServer
from models.completion_engine import Suggestion


class Work(Enum):
    """What the model thread was asked to do (`Outcome.status` says what happened)."""

    GENERATION = "generation"
    """`ModelWorker.complete`: a suggestion."""
    WARM_UP = "warm-up"
    """`ModelWorker.warm`: a skipped request's prompt evaluated, nothing generated."""


def count_when_done(server: WattcodeServer, work: Future[Outcome], asked: Work) -> None:
    """Count `work` when it ends (on the asyncio loop), whether or not anyone awaits it."""
    loop = asyncio.get_running_loop()

    def done(finished: Future[Outcome]) -> None:
        if not finished.cancelled() and finished.exception() is None:
            loop.call_soon_threadsafe(account, server, finished.result(), asked)

    work.add_done_callback(done)


def account(server: WattcodeServer, outcome: Outcome, asked: Work) -> None:
    session = server.session
    session.count(Stat.CPU_SECONDS, outcome.cpu_seconds)
    session.count(Stat.PROMPT_TOKENS_EVALUATED, outcome.work.prompt_tokens_evaluated)
    session.count(Stat.PROMPT_TOKENS_REUSED, outcome.work.prompt_tokens_reused)
    session.count(Stat.GENERATED_TOKENS, outcome.work.generated_tokens)
    if asked is Work.WARM_UP:
        _count_warm_up(session, outcome)
    else:
        _count_generation(session, outcome)
    finished = outcome.suggestion if outcome.status is OutcomeStatus.DONE else None
    if finished is not None:
        _count_finished(session, finished)
    if outcome.energy is not None:
        session.energy.add_window(outcome.energy)
        server.power.spend(outcome.energy.joules)
        if finished is not None:
            session.energy.add_finished(
                outcome.energy,
                finished.stats.prompt_tokens_evaluated,
                finished.stats.generated_tokens,
                finished.stats.prompt_seconds,
                finished.stats.total_seconds,
            )
        server.on_energy_changed()


def _count_warm_up(session: Session, outcome: Outcome) -> None:
    session.count(Stat.PROMPT_TOKENS_WARMED, outcome.work.prompt_tokens_evaluated)
    if outcome.status is not OutcomeStatus.NOT_STARTED:
        session.count(Stat.WARMUPS_STARTED)


def _count_generation(session: Session, outcome: Outcome) -> None:
    status = outcome.status
    if status is OutcomeStatus.SKIPPED:
        # Gated on the model thread; its prompt was evaluated if `warmSkipped` is on.
        session.count(Stat.PROMPT_TOKENS_WARMED, outcome.work.prompt_tokens_evaluated)
        if (reason := outcome.skip_reason) is not None:
            session.count_skip(reason)
    elif status is OutcomeStatus.NOT_STARTED:
        session.count(Stat.GENERATIONS_NOT_STARTED)
    elif status is not OutcomeStatus.NO_MODEL:
        session.count(Stat.GENERATIONS_STARTED)
        if status is OutcomeStatus.CANCELLED:
            session.count(Stat.GENERATIONS_CANCELLED)


def _count_finished(session: Session, finished: Suggestion) -> None:
    """Where a finished suggestion's time went: the bench compares latency with decoding."""
    stats = finished.stats
    session.count(Stat.GENERATIONS_COMPLETED)
    session.count(Stat.PROMPT_SECONDS, stats.prompt_seconds)
    session.count(Stat.DECODE_SECONDS, stats.total_seconds - stats.prompt_seconds)
    session.count(Stat.CONTEXT_SECONDS, finished.context_seconds)
    session.count(Stat.GUARD_SECONDS, finished.guard_seconds)
    for guard in finished.guards:
        session.count(Stat.guard(guard))
    if stats.stop_reason == "time-limit":
        session.count(Stat.GENERATIONS_TIME_LIMITED)
