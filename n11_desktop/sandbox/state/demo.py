"""The demo scenario of the sandbox: every tick a new order (some to pick-up points) and now
and then a package moves on or a buyer opens a claim."""

from __future__ import annotations

import random

from .common import PICKUP_TYPES


class DemoState:
    """The demo generator (part of :class:`~.SandboxState`, under its lock)."""

    def _reset_demo(self) -> None:
        self._pickup_rng = random.Random(f"pickup:{self.seed}")

    def demo_pickup_type(self) -> str | None:
        """Delivery type of the next demo order: about one in five goes to a pick-up point."""
        r = self._pickup_rng.random()
        return PICKUP_TYPES[int(r * 100) % 3] if r < 0.2 else None


    def demo_tick(self) -> None:
        """One step of the demo scenario: new order, sometimes advance or claim."""
        with self.lock:
            self.create_order(delivery_address_type=self.demo_pickup_type())
            r = self.rng.random()
            created = [p for p in self.packages.values() if p["shipmentPackageStatus"] == "Created"]
            picking = [p for p in self.packages.values() if p["shipmentPackageStatus"] == "Picking"]
            shipped = [p for p in self.packages.values() if p["shipmentPackageStatus"] == "Shipped"]
            if picking and r < 0.4:
                self._set_package_status(self.rng.choice(picking), "Shipped")
            elif shipped and r < 0.7:
                self._set_package_status(self.rng.choice(shipped), "Delivered")
            elif created and r < 0.8:
                pkg = self.rng.choice(created)
                self.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
            else:
                delivered = [p for p in self.packages.values()
                             if p["shipmentPackageStatus"] == "Delivered"
                             and not any(x["_line"] == p["lines"][0]["orderLineId"]
                                         for x in self.returns.values())]
                if delivered and r < 0.9:
                    pkg = self.rng.choice(delivered)
                    self.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"],
                                      kind="return")
