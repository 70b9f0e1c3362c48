"""Categories adapter (REST ``/cdn``): the category tree and a leaf category's attributes.
Talks to N11 only through a :class:`~.transport.Transport`; :class:`~.client.N11Client` exposes
its calls."""

from __future__ import annotations

from . import _parse as P
from . import rest
from .models import CategoryAttribute, CategoryNode
from .transport import Transport


class CategoriesAPI:
    """N11's category tree and category attributes."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def get_category_tree(self) -> tuple[CategoryNode, ...]:
        """Whole N11 category tree (``GET /cdn/categories``). Leaf ⇔ no children."""
        op = "GET /cdn/categories"
        data = self._t.rest("GET", "/cdn/categories", safe=True)
        rows = rest.content_list(data, "categories", op)
        return tuple(P.model(P.category_node, row, operation=op) for row in rows)

    def get_category_attributes(self, category_id: int) -> tuple[CategoryAttribute, ...]:
        """Attributes and values of a leaf category (``GET /cdn/category/{id}/attribute``)."""
        cid = int(category_id)
        op = f"GET /cdn/category/{cid}/attribute"
        data = self._t.rest("GET", f"/cdn/category/{cid}/attribute", safe=True)
        rows = rest.content_list(data, "categoryAttributes", op)
        return tuple(P.model(P.category_attribute, row, n, operation=op) for n, row in enumerate(rows))
