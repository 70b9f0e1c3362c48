"""Reference-data adapter (SOAP CityService, ShipmentCompanyService, ShipmentService): cities,
districts, neighborhoods, cargo companies, shipment templates. Talks to N11 only through a
:class:`~.transport.Transport`; :class:`~.client.N11Client` exposes its calls."""

from __future__ import annotations

from . import _parse as P
from . import soap
from .models import City, District, Neighborhood, ShipmentCompany, ShipmentTemplate
from .transport import Transport


class ReferenceAPI:
    """Cities, districts, neighborhoods, cargo companies and shipment templates."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
    # ================================================================== reference data (SOAP)
    def get_cities(self) -> list[City]:
        data = self._t.soap("CityService", "GetCities", safe=True)
        rows = [r for r in soap.items_of(data.get("cities"), "city") if isinstance(r, dict)]
        return [P.model(P.city, r, operation="GetCitiesRequest") for r in rows]

    def get_districts(self, city_code: str | int) -> list[District]:
        data = self._t.soap("CityService", "GetDistrict", {"cityCode": str(city_code).strip()}, safe=True, auth_last=True)
        rows = [r for r in soap.items_of(data.get("districts"), "district") if isinstance(r, dict)]
        return [P.model(P.district, r, operation="GetDistrictRequest") for r in rows]

    def get_neighborhoods(self, district_id: int) -> list[Neighborhood]:
        data = self._t.soap(
            "CityService", "GetNeighborhoods", {"districtId": int(district_id)}, safe=True, auth_last=True
        )
        rows = [r for r in soap.items_of(data.get("neighborhoods"), "neighborhood") if isinstance(r, dict)]
        return [P.model(P.neighborhood, r, operation="GetNeighborhoodsRequest") for r in rows]

    def get_shipment_companies(self) -> list[ShipmentCompany]:
        data = self._t.soap("ShipmentCompanyService", "GetShipmentCompanies", safe=True)
        rows = [r for r in soap.items_of(data.get("shipmentCompanies"), "shipmentCompany") if isinstance(r, dict)]
        return [P.model(P.shipment_company, r, operation="GetShipmentCompaniesRequest") for r in rows]

    def get_shipment_templates(self) -> list[ShipmentTemplate]:
        # pagingData is required (nillable) by the WSDL; N11 returns all templates at once
        data = self._t.soap(
            "ShipmentService", "GetShipmentTemplateList", {"pagingData": {"currentPage": 0, "pageSize": 100}}, safe=True
        )
        rows = [r for r in soap.items_of(data.get("shipmentTemplates"), "shipmentTemplate") if isinstance(r, dict)]
        return [P.model(P.shipment_template, r, operation="GetShipmentTemplateListRequest") for r in rows]
