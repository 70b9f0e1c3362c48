"""The typed services the views get: the scheduler they call is the one the app builds."""

from __future__ import annotations

import inspect
import typing

from n11_desktop.app import AppServices, SchedulerPort
from n11_desktop.workers.scheduler import SchedulerHost


def test_the_app_scheduler_is_a_scheduler_port(services):
    assert isinstance(services.scheduler, SchedulerPort) and isinstance(services.scheduler, SchedulerHost)


def test_scheduler_host_has_every_port_member_with_the_same_parameters():
    for name, member in vars(SchedulerPort).items():
        if name.startswith("_") or not callable(member):
            continue
        want = list(inspect.signature(member).parameters)
        got = list(inspect.signature(getattr(SchedulerHost, name)).parameters)
        assert got == want, f"SchedulerHost.{name}{got} differs from the port's {want}"
    for name in typing.get_type_hints(SchedulerPort, localns={"FlowStatus": object}):
        assert hasattr(SchedulerHost, name), name


def test_services_fields_are_typed():
    hints = typing.get_type_hints(AppServices, localns={"SandboxServer": object, "FlowStatus": object})
    assert hints["scheduler"] == SchedulerPort | None
    assert all(h is not typing.Any for f, h in hints.items() if f not in ("extras", "_listeners"))
