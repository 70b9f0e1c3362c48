"""Frozen dataclasses and enums: the only types that cross threads (DESIGN §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class RunState(str, Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class FlowResult:
    """What one flow run did; returned by ``run_flow`` and emitted by workers."""

    flow: str
    run_id: int
    state: RunState
    trigger: str
    started_at: datetime
    ended_at: datetime
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    penalized: int = 0
    skipped: int = 0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.state is RunState.DONE


@dataclass(frozen=True, slots=True)
class FlowProgress:
    flow: str
    run_id: int
    done: int
    total: int
    eta_s: float | None = None
    message: str = ""
