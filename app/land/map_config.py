"""What static/land/map_land.js draws: the land layers of the signed-in maps, and of shared maps.

Signed in: every reference layer (listed by the API, switched on by `layers=reference:<id>` or
the control) and the footprints. A shared link (`/s/<token>`): only the reference layers the link
names, listed in the page itself, their parcels from the link's own data URL
(`/s/<token>/data?layer=reference:<id>`) as geometry only: a parcel's attribute table (deed and
parcel numbers) never leaves through a link, and neither do footprints or links to case pages.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.api.params import bbox_param, int_param
from app.errors import BadRequest, NotFound
from app.land import layers, queries
from app.maps.state import Scope
from app.ogc import features
from gis.fields import LAND_OWNER_TYPES, OWNER_COLOURS, label
from gis.maps import REFERENCE_PREFIX, reference_id

SHARED_PARCELS_LIMIT = 5000


def _lang() -> str:
    return str(get_locale() or "th")


def _common() -> dict[str, Any]:
    return {
        "minFootprintZoom": 14, "minParcelZoom": 12, "colours": OWNER_COLOURS,
        "owners": {k: label(LAND_OWNER_TYPES, k, _lang()) for k in LAND_OWNER_TYPES},
        "texts": {"title": _("ชั้นข้อมูลที่ดิน"), "footprints": _("ขอบเขตชุมชน (ซูม 14 ขึ้นไป)"),
                  "parcelsZoom": _("ซูมเข้าเพื่อดูแปลง"), "rai": _("ไร่"), "conflict": _("ข้อมูลเจ้าของที่ดินไม่ตรงกัน"),
                  "details": _("ดูรายละเอียดกรณี"), "legend": _("เจ้าของที่ดิน"), "sample": _("ข้อมูลตัวอย่าง")},
    }


def signed_in_config() -> dict[str, Any]:
    """The signed-in maps: the layers come from the API, footprints from zoom 14."""
    return {**_common(), "layersUrl": url_for("land_api.list_layers"),
            "parcelsUrl": url_for("land_api.list_layers") + "/{id}/parcels",
            "footprintsUrl": url_for("land_api.case_footprints"),
            "casePage": url_for("land_cases.case_detail", case_id=0).rsplit("0", 1)[0]}


def public_layers(ids: list[int]) -> list[dict[str, Any]]:
    """The layers of `ids` as a shared page lists them: name, owner type, owner, parcels, extent."""
    chosen = queries.layers_by_id(ids)
    boxes = layers.layer_bboxes() if chosen else {}
    return [{"id": layer.id, "name": layer.name, "owner_type": layer.owner_type, "owner": layer.owner,
             "parcels": layer.parcel_count, "is_sample": layer.is_sample, "bbox": boxes.get(layer.id)}
            for layer in chosen]


def shared_config(scope: Scope, data_url: str) -> dict[str, Any] | None:
    """A shared map's land config, or None when its link names no (remaining) reference layer."""
    listed = public_layers(scope.reference_layers or [])
    if not listed:
        return None
    return {**_common(), "public": True, "layers": listed, "parcelsUrl": data_url + "?layer=reference:{id}"}


def shared_parcels(scope: Scope, layer: str) -> str:
    """`/s/<token>/data?layer=reference:<id>` (`bbox=`, `limit=`): the parcels of one of the link's
    layers as GeoJSON, geometry and layer only; any other layer is a 400, like every layer outside a link."""
    layer_id = reference_id(layer)
    if layer_id is None or layer_id not in (scope.reference_layers or []):
        raise BadRequest(_("ค่า layer ไม่ถูกต้อง: %(value)s ไม่อยู่ในลิงก์นี้", value=layer[:40]),
                         [{"field": "layer", "message": "unknown value"}])
    found = queries.layers_by_id([layer_id])
    if not found:
        raise NotFound(_("ไม่พบชั้นข้อมูลที่ดินหมายเลข %(id)s", id=layer_id))
    bbox = bbox_param()
    limit = int_param("limit", 1000, minimum=1, maximum=SHARED_PARCELS_LIMIT)
    features.without_jit()
    text, returned = features.features_text(queries.parcels_of(layer_id, bbox, public=True), limit=limit)
    head = {"layer": {"id": found[0].id, "name": found[0].name, "owner_type": found[0].owner_type,
                      "owner": found[0].owner}}
    return features.collection_text(text, returned, head)


def wants_reference(layer: str | None) -> bool:
    """`layer=` names a reference land layer (checked by `shared_parcels`)."""
    return (layer or "").startswith(REFERENCE_PREFIX)
