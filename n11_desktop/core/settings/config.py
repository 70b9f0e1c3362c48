"""The channel configuration as flows read it: a frozen view of the stored settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import CancellationReason, Channel
from .defaults import (
    DEFAULT_CANCELLATION_REASONS,
    DEFAULT_FAILED_INTEGRATION,
    DEFAULT_ORDER_NUMBER_FORMAT,
    default_conf,
    default_flags,
)


@dataclass(frozen=True)
class PenaltyRule:
    retry_interval_s: int
    expiration_s: int
    max_retry_count: int


@dataclass(frozen=True)
class ChannelConfig:
    channel_id: int
    name: str
    is_active: bool
    conf: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.conf.get(key, default)
        return default if value is None else value

    @property
    def flags(self) -> Mapping[str, bool]:
        flags = default_flags()
        flags.update({k: bool(v) for k, v in (self.conf.get("feature_flags") or {}).items()})
        return MappingProxyType(flags)

    def flag(self, name: str) -> bool:
        return bool(self.flags.get(name, False))

    @property
    def base_url(self) -> str:
        return str(self.conf.get("base_url") or "")

    @property
    def app_key(self) -> str:
        return str(self.conf.get("app_key") or "")

    @property
    def app_secret(self) -> str:
        return str(self.conf.get("app_secret") or "")

    @property
    def buffer_stock(self) -> int:
        value = self.conf.get("buffer_stock")
        try:
            return max(0, int(value)) if value not in (None, "") else 0
        except (TypeError, ValueError):
            return 0

    @property
    def category_ids(self) -> tuple[int, ...]:
        return tuple(int(x) for x in (self.conf.get("category_ids") or []))

    @property
    def order_number_format(self) -> str:
        return str(self.conf.get("order_number_format") or "") or DEFAULT_ORDER_NUMBER_FORMAT

    def penalty_rule(self, content_type: str) -> PenaltyRule:
        """Failed Integration rule for a content type, DEFAULT otherwise (seed §3)."""
        fi = self.conf.get("failed_integration") or DEFAULT_FAILED_INTEGRATION
        rule = fi.get(content_type) or fi.get("DEFAULT") or DEFAULT_FAILED_INTEGRATION["DEFAULT"]
        return PenaltyRule(
            retry_interval_s=int(rule.get("RETRY_INTERVAL", 28800)),
            expiration_s=int(rule.get("EXPIRATION_DATE", 57601)),
            max_retry_count=int(rule.get("MAX_RETRY_COUNT", 2)),
        )

    @property
    def sent_to_remote_expiration_hours(self) -> float:
        fi = self.conf.get("failed_integration") or DEFAULT_FAILED_INTEGRATION
        return float((fi.get("sent_to_remote") or {}).get("EXPIRATION_HOUR", 6))


def ensure_channel(session: Session) -> Channel:
    """Return the N11 channel, creating it (inactive, seed defaults) on first use."""
    channel = session.scalars(select(Channel).order_by(Channel.id).limit(1)).first()
    if channel is None:
        from .schema import default_schema  # local import: schema module may grow large

        channel = Channel(name="N11", catalog_name="N11", channel_type="sales_channel", is_active=False,
                          schema_type=default_schema(), conf=default_conf())
        session.add(channel)
        session.flush()
    if session.scalars(select(CancellationReason).limit(1)).first() is None:
        for rid, name, kind in DEFAULT_CANCELLATION_REASONS:
            session.add(CancellationReason(id=rid, name=name, reason_type=kind, is_active=True))
        session.flush()
    return channel


def resolve_secret(session: Session, conf: Mapping[str, Any]) -> str:
    """The App Secret: a value written straight into conf (tests, demo) wins, else the system
    keyring or its database fallback (where the settings screen stores it; conf keeps it empty)."""
    from ..logsetup import register_secret
    from .secrets import get_secret

    value = str(conf.get("app_secret") or "") or (get_secret(session, "app_secret") or "")
    register_secret(value)
    return value


def load_config(session: Session) -> ChannelConfig:
    channel = ensure_channel(session)
    conf = default_conf()
    conf.update(channel.conf or {})
    conf["app_secret"] = resolve_secret(session, conf)
    return ChannelConfig(channel_id=channel.id, name=channel.name, is_active=bool(channel.is_active),
                         conf=MappingProxyType(conf))
