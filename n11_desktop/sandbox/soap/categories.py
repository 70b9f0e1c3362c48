"""CategoryService of the sandbox: top-level and sub categories, parents, attributes and values."""

from __future__ import annotations

from .. import data
from .common import Failure, OK, _cat, _int, _leaf_attrs, _page, _paging, _parse_period_date, operations


def GetTopLevelCategories(state, req):
    cats = data.categories()
    return {"result": OK, "categoryList": {"category": [
        {"id": i, "name": cats[i].name, "lastModifiedDate": data.category_last_modified(i)}
        for i in data.top_level_ids()]}}


def GetSubCategories(state, req):
    c = _cat(req.get("categoryId"))
    cats = data.categories()
    since = req.get("lastModifiedDate")
    since_ms = _parse_period_date(since) if isinstance(since, str) and since.strip() else None
    subs = [{"id": s, "name": cats[s].name, "lastModifiedDate": data.category_last_modified(s)}
            for s in c.children]
    if since_ms is not None:  # incremental sync: only what changed since then
        subs = [x for x in subs if _parse_period_date(x["lastModifiedDate"]) >= since_ms]
    return {"result": OK, "category": [{"id": c.id, "name": c.name,
                                        "subCategoryList": {"subCategory": subs},
                                        "lastModifiedDate": data.category_last_modified(c.id)}]}


def GetParentCategory(state, req):
    c = _cat(req.get("categoryId"))
    out = {"id": c.id, "name": c.name, "lastModifiedDate": data.category_last_modified(c.id)}
    if c.parent_id is not None:
        p = data.categories()[c.parent_id]
        out["parentCategory"] = {"id": p.id, "name": p.name,
                                 "lastModifiedDate": data.category_last_modified(p.id)}
    return {"result": OK, "category": out}


def GetCategoryAttributes(state, req):
    c, attrs = _leaf_attrs(state, req.get("categoryId"))
    page, size = _paging(req, default_size=20, max_size=100)
    chunk, meta = _page(attrs, page, size)
    parent = data.categories().get(c.parent_id) if c.parent_id else None
    return {"result": OK, "category": {
        "id": c.id, "name": c.name,
        "parentCategory": {"id": parent.id, "name": parent.name} if parent else None,
        "subCategoryList": {},
        "attributeList": {"attribute": [
            {"id": a["id"], "name": a["name"], "mandatory": a["mandatory"],
             "multipleSelect": a["multipleSelect"],
             "valueList": {"value": [{"id": v["id"], "name": v["name"]} for v in a["values"]]},
             "priority": float(a["order"]), "variant": a["variant"], "slicer": a["slicer"],
             "grouping": a["grouping"], "customValue": a["customValue"]} for a in chunk]},
        "metadata": meta, "lastModifiedDate": data.category_last_modified(c.id)}}


def GetCategoryAttributesId(state, req):
    _, attrs = _leaf_attrs(state, req.get("categoryId"))
    return {"result": OK, "categoryProductAttributeList": {"categoryProductAttribute": [
        {"id": a["id"], "name": a["name"], "mandatory": a["mandatory"],
         "multipleSelect": a["multipleSelect"], "variant": a["variant"], "slicer": a["slicer"],
         "grouping": a["grouping"], "customValue": a["customValue"]} for a in attrs]}}


def GetCategoryAttributeValue(state, req):
    aid = _int(req.get("categoryProductAttributeId"), "categoryProductAttributeId")
    _, attrs = _leaf_attrs(state, req.get("categoryId"))
    match = [a for a in attrs if a["id"] == aid]
    if not match:
        raise Failure("SELLER_API.attributeNotFound",
                      f"{aid} id'li özellik bu kategoride bulunamadı.")
    page, size = _paging(req, default_size=100, max_size=100)
    chunk, meta = _page(match[0]["values"], page, size)
    return {"result": OK, "categoryProductAttributeValueList": {"categoryProductAttributeValue": [
        {"id": v["id"], "name": v["name"]} for v in chunk]}, "pagingData": meta}


OPS = operations(globals())
