"""Channel settings: schema, defaults, validation, secrets (seed §2, §3, §9; DESIGN §5)."""

from .config import ChannelConfig, PenaltyRule, ensure_channel, load_config
from .defaults import FEATURE_FLAGS, default_conf
from .schema import BUILTIN_FIELDS, DATA_TYPES, default_schema
from .store import (
    ReasonRow,
    SettingsSnapshot,
    activate,
    activation_problems,
    deactivate,
    export_settings,
    import_settings,
    load_settings,
    save_settings,
)
from .validation import FieldError, activation_errors, flag_prerequisites, normalize, validate

__all__ = [
    "BUILTIN_FIELDS",
    "DATA_TYPES",
    "FEATURE_FLAGS",
    "ChannelConfig",
    "FieldError",
    "PenaltyRule",
    "ReasonRow",
    "SettingsSnapshot",
    "activate",
    "activation_errors",
    "activation_problems",
    "deactivate",
    "default_conf",
    "default_schema",
    "ensure_channel",
    "export_settings",
    "flag_prerequisites",
    "import_settings",
    "load_config",
    "load_settings",
    "normalize",
    "save_settings",
    "validate",
]
