"""What every SOAP service of the sandbox shares: the business failure (HTTP 200 with
``result/status=failure``), reading request fields, paging, categories and search periods."""

from __future__ import annotations

from datetime import datetime

from .. import data
from ..state import TR_TZ, SandboxState


OK = {"status": "success"}


class Failure(Exception):
    def __init__(self, code: str, message: str, category: str = "SELLER_API"):
        super().__init__(message)
        self.code, self.message, self.category = code, message, category


def failure_result(code: str, message: str, category: str = "SELLER_API") -> dict:
    return {"status": "failure", "errorCode": code, "errorMessage": message,
            "errorCategory": category}



def _text(v, name: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        raise Failure("SELLER_API.invalidRequest", f"{name} alanı metin olmalıdır.")
    return v


def _int(v, name: str, default=None) -> int:
    if v in (None, ""):
        if default is not None:
            return default
        raise Failure("SELLER_API.invalidRequest", f"{name} alanı boş olamaz.")
    try:
        return int(str(v).strip())
    except ValueError:
        raise Failure("SELLER_API.invalidRequest", f"{name} alanı geçersiz: {v}") from None


def _paging(req: dict, default_size: int = 100, max_size: int = 100) -> tuple[int, int]:
    pd = req.get("pagingData") if isinstance(req.get("pagingData"), dict) else {}
    page = max(0, _int(pd.get("currentPage"), "currentPage", 0))
    size = pd.get("pageSize") or pd.get("itemsPerPage")
    size = _int(size, "pageSize", default_size)
    return page, max(1, min(size, max_size))


def _page(rows: list, page: int, size: int) -> tuple[list, dict]:
    total = len(rows)
    count = (total + size - 1) // size
    return rows[page * size:(page + 1) * size], {"currentPage": page, "pageSize": size,
                                                  "totalCount": total, "pageCount": count}


def _cat(cid) -> data.Category:
    cid = _int(cid, "categoryId")
    c = data.categories().get(cid)
    if c is None:
        raise Failure("SELLER_API.categoryNotFound", f"{cid} id'li kategori bulunamadı.")
    return c


def _leaf_attrs(state: SandboxState, cid) -> tuple[data.Category, list[dict]]:
    c = _cat(cid)
    if not c.leaf:
        raise Failure("SELLER_API.categoryNotLeaf",
                      f"{c.id} id'li kategori en alt seviye kategori değildir.")
    return c, data.category_attributes(c.id, state.seed) or []


def _parse_period_date(s, end: bool = False) -> int | None:
    if not s:
        return None
    s = str(s).strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            d = datetime.strptime(s, fmt).replace(tzinfo=TR_TZ)
        except ValueError:
            continue
        if fmt == "%d/%m/%Y" and end:
            d = d.replace(hour=23, minute=59, second=59)
        return int(d.timestamp() * 1000)
    raise Failure("SELLER_API.invalidDateFormat",
                  f"Tarih formatı geçersiz: {s} (beklenen dd/MM/yyyy)")


def _line_of(state, soap_id: int) -> int:
    """SOAP order item id → the sandbox's line id (they differ when soap_item_id_offset is set:
    no source says N11's REST orderLineId equals its SOAP orderItem.id)."""
    return soap_id - state.soap_item_id_offset


def operations(namespace: dict) -> dict:
    """The operations a service module defines: its functions named like N11's operations
    (``GetCities``, ``ClaimCancelList``, ...)."""
    return {name: fn for name, fn in namespace.items()
            if callable(fn) and name[:1].isupper() and not isinstance(fn, type)}
