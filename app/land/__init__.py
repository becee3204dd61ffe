"""Whose land is it: community footprints, reference land layers and what each case stands on.

* `case_footprints`: `properties.footprint` through the land-case service (checks, history, refresh);
* `layers`: reference land layers (upload, replace, delete) loaded in bulk;
* `overlaps`: the set-based refresh of what each case stands on; `queries`: its reads;
* `views`: the blueprints (`land` pages, `land_api` under /api/v1), registered as the feature `land.views`.
"""
