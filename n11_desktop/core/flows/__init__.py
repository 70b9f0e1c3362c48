"""Flows (DESIGN §6): one module per flow family, registered by slug in ``base``."""

from .base import (
    SPECS,
    FlowCancelled,
    FlowContext,
    FlowNotAvailable,
    FlowOutcome,
    FlowSpec,
    Schedule,
    all_specs,
    implementation,
    register,
    run_flow,
    write_log,
)

__all__ = [
    "SPECS",
    "FlowCancelled",
    "FlowContext",
    "FlowNotAvailable",
    "FlowOutcome",
    "FlowSpec",
    "Schedule",
    "all_specs",
    "implementation",
    "register",
    "run_flow",
    "write_log",
]
