"""GIS exchange: file formats in and out (pure: no Flask here).

* `writers`: shapefile zip (UTF-8, short names, fields.csv), GeoPackage and XLSX, spooled; `streams`:
  CSV (BOM, lon/lat, formulas neutralised), GeoJSON and KML, streamed.
* `readers`: CSV (UTF-8, BOM, TIS-620), XLSX (no DOCTYPE/ENTITY), GeoJSON, GeoPackage and
  zipped shapefiles (`.cpg` honoured, no `.prj` refused unless a CRS is named), into rows
  of text with spreadsheet row numbers.
* `zipsafe`: zip members never extracted by their own names; count, size and bomb checks.
* `schema`: column headings (full names, shapefile names, Thai labels) to fields.
"""

from gis.exchange.errors import ExchangeError

__all__ = ["ExchangeError"]
