from n11_desktop.core.demo import demo_specs
from n11_desktop.core.flows.base import SPECS


def test_demo_runs_timed_flows_faster_and_keeps_daily_ones():
    demo = {s.slug: s for s in demo_specs()}
    assert set(demo) == set(SPECS)
    assert demo["order_create"].schedule.interval_s == 30 and SPECS["order_create"].schedule.interval_s == 300
    assert demo["stock"].schedule.interval_s == 10
    assert demo["order_create"].schedule.extra_interval_s == 2880
    assert demo["get_updated_orders"].schedule == SPECS["get_updated_orders"].schedule  # daily 06:00
    assert demo["category_attributes"].schedule.after == "category_node"
