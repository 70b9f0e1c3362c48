"""The core's labels in the operator's language: moved to ``n11_desktop.i18n.core_texts`` (shared with
the command line); the views keep importing them from here."""

from ..i18n.core_texts import (CORE_LABELS, CORE_MESSAGES, PENALTY_TEXTS, STATE_WORDS, age_text,  # noqa: F401
                               audit_action, audit_object, core_message, core_text, core_tr, fill, penalty_text, schedule_text, state_word)

__all__ = ["CORE_LABELS", "CORE_MESSAGES", "PENALTY_TEXTS", "STATE_WORDS", "age_text", "audit_action", "audit_object",
           "core_message", "core_text",
           "core_tr", "fill", "penalty_text", "schedule_text", "state_word"]
