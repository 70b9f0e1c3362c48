"""Fault injection of the sandbox: a random share of requests fails with one of the
configured kinds, targeted faults fail the next requests to a path, plus the switches for
N11's other failure shapes (alternative auth failures, the question-list rate limit)."""

from __future__ import annotations

import random

from .common import ALL_FAULT_KINDS, FAULT_KINDS


class FaultsState:
    """Fault settings and targeted faults (part of :class:`~.SandboxState`, under its lock).

    Owns ``fault_rate``, ``fault_kinds``, ``fault_timeout_s``, ``fault_latency_ms``,
    ``targeted_faults``, ``fault_rng``, ``alt_auth_failures``, ``question_list_min_interval_s``."""

    def _configure_faults(self, rate: float, kinds: list[str] | None, timeout_s: float) -> None:
        """The fault settings at start (and after every reset)."""
        self._init_fault_rate = rate
        bad = [k for k in (kinds or []) if k not in ALL_FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {list(ALL_FAULT_KINDS)}")
        self._init_fault_kinds = list(kinds or FAULT_KINDS)
        self._init_fault_timeout_s = timeout_s

    def _reset_faults(self) -> None:
        self.fault_rate = self._init_fault_rate
        self.fault_kinds = list(self._init_fault_kinds)
        self.fault_timeout_s = self._init_fault_timeout_s
        self.fault_latency_ms = 1500
        self.question_list_min_interval_s = 0.0
        self.alt_auth_failures = False
        self.targeted_faults: list[dict] = []
        self.fault_rng = random.Random(f"faults:{self.seed}")

    def set_faults(self, rate: float | None = None, kinds: list[str] | None = None,
                   timeout_s: float | None = None, latency_ms: int | None = None,
                   question_interval_s: float | None = None,
                   alt_auth_failures: bool | None = None) -> None:
        """Fault injection settings. ``question_interval_s`` turns on production's
        once-a-minute limit of GetProductQuestionList (off by default).
        ``alt_auth_failures`` switches wrong credentials on ``/rest`` and SOAP to the other
        shape measured on production (HTTP 403 text/plain "Authentication failed"; API.md §1, §5
        list both, conflicting)."""
        with self.lock:
            if alt_auth_failures is not None:
                self.alt_auth_failures = bool(alt_auth_failures)
            if question_interval_s is not None:
                self.question_list_min_interval_s = max(0.0, float(question_interval_s))
            if rate is not None:
                if not 0.0 <= float(rate) <= 1.0:
                    raise ValueError("fault rate must be between 0 and 1")
                self.fault_rate = float(rate)
            if kinds is not None:
                bad = [k for k in kinds if k not in ALL_FAULT_KINDS]
                if bad:
                    raise ValueError(f"unknown fault kinds {bad}; known: {list(ALL_FAULT_KINDS)}")
                self.fault_kinds = list(kinds) or list(FAULT_KINDS)
            if timeout_s is not None:
                self.fault_timeout_s = max(0.0, min(float(timeout_s), 60.0))
            if latency_ms is not None:
                self.fault_latency_ms = max(0, int(latency_ms))

    def add_targeted_fault(self, path: str, query: str = "", count: int = 1, kind: str = "http_500") -> dict:
        """Fail the next ``count`` requests whose path contains ``path`` and query contains ``query``
        (e.g. an N11 error on page 37 of product-query: path "/ms/product-query", query "page=36&")."""
        if kind not in ALL_FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {list(ALL_FAULT_KINDS)}")
        with self.lock:
            self.targeted_faults.append({"path": path, "query": query, "left": max(1, count), "kind": kind})
            return {"targeted": len(self.targeted_faults)}

    def targeted_fault(self, path: str, query: str) -> str | None:
        with self.lock.plain:  # drawn before N11's latency: never waits for task processing
            for rule in self.targeted_faults:
                if rule["path"] in path and rule["query"] in (query + "&"):
                    rule["left"] -= 1
                    if rule["left"] <= 0:
                        self.targeted_faults.remove(rule)
                    return rule["kind"]
            return None

    def pick_fault(self) -> str | None:
        with self.lock.plain:
            if self.fault_rate <= 0 or not self.fault_kinds:
                return None
            if self.fault_rng.random() >= self.fault_rate:
                return None
            return self.fault_rng.choice(self.fault_kinds)
