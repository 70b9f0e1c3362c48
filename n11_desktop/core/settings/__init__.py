"""Channel settings: schema, defaults, validation, secrets (seed §2, §3, §9; DESIGN §5)."""

from .config import ChannelConfig, PenaltyRule, ensure_channel, load_config
from .defaults import FEATURE_FLAGS, default_conf
from .schema import BUILTIN_FIELDS, default_schema

__all__ = [
    "BUILTIN_FIELDS",
    "FEATURE_FLAGS",
    "ChannelConfig",
    "PenaltyRule",
    "default_conf",
    "default_schema",
    "ensure_channel",
    "load_config",
]
