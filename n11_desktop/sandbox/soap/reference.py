"""CityService, ShipmentCompanyService and ShipmentService of the sandbox: cities, districts,
neighborhoods, cargo companies and shipment templates."""

from __future__ import annotations

from .. import data
from ..xmlio import as_list
from .common import Failure, OK, _int, _page, _paging, operations


def _city(p: data.Province) -> dict:
    return {"cityCode": str(p.plate), "cityId": p.city_id, "cityName": p.name}


def GetCities(state, req):
    return {"result": OK, "cities": {"city": [_city(p) for p in data.provinces()]}}


def _province(req) -> data.Province:
    code = _int(req.get("cityCode"), "cityCode")
    p = data.province_by_plate(code)
    if p is None:
        raise Failure("SELLER_API.cityNotFound", f"{code} kodlu şehir bulunamadı.")
    return p


def GetCity(state, req):
    return {"result": OK, "city": _city(_province(req))}


def GetDistrict(state, req):
    p = _province(req)
    return {"result": OK, "districts": {"district": [{"name": n, "id": i} for i, n in p.districts]}}


def GetNeighborhoods(state, req):
    did = _int(req.get("districtId"), "districtId")
    rows = data.neighbourhoods(did)
    if rows is None:
        raise Failure("SELLER_API.districtNotFound", f"{did} id'li ilçe bulunamadı.")
    return {"result": OK, "neighborhoods": {"neighborhood": [{"name": n, "id": i}
                                                              for i, n, _ in rows]}}


def GetShipmentCompanies(state, req):
    return {"result": OK, "shipmentCompanies": {"shipmentCompany": [
        dict(c) for c in data.shipment_companies()]}}


def _template_xml(t: dict) -> dict:
    out = dict(t)
    out["shipmentCompanies"] = {"shipmentCompany": list(t.get("shipmentCompanies") or [])}
    cities = t.get("deliverableCities") or {}
    out["deliverableCities"] = cities if isinstance(cities, dict) else {"city": cities}
    return out


def GetShipmentTemplateList(state, req):
    page, size = _paging(req)
    chunk, _ = _page(state.templates, page, size)
    return {"result": OK, "shipmentTemplates": {"shipmentTemplate": [_template_xml(t) for t in chunk]}}


def GetShipmentTemplate(state, req):
    name = req.get("name")
    for t in state.templates:
        if t["templateName"] == name:
            return {"result": OK, "shipmentTemplate": _template_xml(t)}
    raise Failure("SELLER_API.shipmentTemplateNotFound", f"'{name}' isimli kargo şablonu bulunamadı.")


def CreateOrUpdateShipmentTemplate(state, req):
    s = req.get("shipment") if isinstance(req.get("shipment"), dict) else None
    if not s or not s.get("templateName"):
        raise Failure("SELLER_API.invalidRequest", "templateName alanı boş olamaz.")
    t = dict(s)
    t["shipmentCompanies"] = as_list((s.get("shipmentCompanies") or {}).get("shipmentCompany")
                                     if isinstance(s.get("shipmentCompanies"), dict) else None)
    for k in ("specialDelivery", "combinedShipmentAllowed", "useDmallCargo", "defaultTemplate"):
        if k in t:
            t[k] = str(t[k]).lower() == "true"
    state.templates = [x for x in state.templates if x["templateName"] != t["templateName"]] + [t]
    return {"result": OK, "shipmentTemplate": _template_xml(t)}


OPS = operations(globals())
