"""XLSX against CSV export of the same case rows (issue 11, point 7): the writers alone.

    .venv/bin/python bench/xlsx_export.py [ROWS] [RUNS] [fast]

Builds ROWS rows shaped as the case export reads them from PostGIS (every visible field, then
the WKB slot and lon/lat), in chunks of 20,000 as `app.exchange.queries.chunks` yields them,
and times the registry's writers on them: CSV (streamed) and XLSX (`gis.exchange.xlsx`, rows joined
straight into the zipped sheet XML) and, unless `fast`, XlsxWriter in constant-memory mode and
the former openpyxl write-only writer, for reference. The database
read is the same for every format and left out, so the ratio is the writers' own (stricter than
whole requests). Best and median of RUNS; the ratio uses medians.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gis.exchange.cells import neutralise  # noqa: E402
from gis.exchange.formats import EXPORT_FORMATS  # noqa: E402
from gis.exchange.writers import ExportSpec, Rows, plain_value  # noqa: E402
from gis.fields import CASE_FIELDS, CASE_STATUSES, visible_fields  # noqa: E402

CHUNK = 20_000


def rows(count: int, fields: list) -> list[tuple]:
    statuses = list(CASE_STATUSES)
    out = []
    for i in range(count):
        values: dict[str, Any] = {
            "id": i + 1, "code": f"LC-{i + 1:06d}", "community_name": f"ชุมชนทดสอบริมคลอง {i}",
            "community_name_en": f"Khlong community {i}", "households": 20 + i % 300, "population": 80 + i % 1200,
            "land_owner_type": "treasury", "land_owner": "กรมธนารักษ์", "problem": "eviction_threat",
            "status": statuses[i % len(statuses)], "area_type": "urban", "subdistrict_code": "103301",
            "district_code": "1033", "province_code": "10", "region_code": "bangkok", "opened_on": "2019-05-01",
            "team": "ทีมภาคกลาง", "agreement_type": "lease", "lease_expires_on": "2030-12-31",
            "notes": "บันทึกการลงพื้นที่ " * 3, "is_sample": False, "version": 1,
            "updated_at": "2026-11-25T10:00:00Z",
        }
        out.append(tuple(values.get(f.name) for f in fields) + (None, 100.5 + i * 1e-6, 13.7 + i * 1e-6))
    return out


def chunks(data: list[tuple]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


def _clean(value: Any) -> Any:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value) if isinstance(value, str) else value


def xlsxwriter_writer(chunks: Rows, spec: ExportSpec, work: Path, base: str) -> Path:
    """The same workbook through XlsxWriter in constant-memory mode (measured, not used: slower)."""
    import xlsxwriter

    target = work / f"{base}.xlsx"
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "tmpdir": str(work),
                                             "strings_to_formulas": False, "strings_to_numbers": False,
                                             "strings_to_urls": False})
    sheet = book.add_worksheet(spec.layer[:31])
    sheet.write_row(0, 0, [f.name for f in spec.fields] + ["lon", "lat"])
    number = 1
    kinds = [f.kind for f in spec.fields]
    lon_at, lat_at = spec.width + 1, spec.width + 2
    for rows in chunks:
        for row in rows:
            values = [_clean(neutralise(plain_value(v, kind))) for kind, v in zip(kinds, row, strict=False)]
            sheet.write_row(number, 0, values + [row[lon_at], row[lat_at]])
            number += 1
    labels = book.add_worksheet("fields")
    labels.write_row(0, 0, ["field_name", "shapefile_name", "label_th", "label_en"])
    for i, f in enumerate(spec.fields, start=1):
        labels.write_row(i, 0, [f.name, f.shp, f.label_th, f.label_en])
    book.close()
    return target




def openpyxl_writer(chunked: Iterator[Sequence[Any]], spec: ExportSpec, work: Path, base: str) -> Path:
    """The writer the registry had before (openpyxl, write-only), kept here for comparison."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.layer[:31])
    sheet.append([f.name for f in spec.fields] + ["lon", "lat"])
    for part in chunked:
        for row in part:
            values = [neutralise(plain_value(v, f.kind)) for f, v in zip(spec.fields, row, strict=False)]
            values = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
            sheet.append(values + [row[spec.width + 1], row[spec.width + 2]])
    target = work / f"{base}.xlsx"
    book.save(target)
    return target


def timed(run, *args: Any) -> float:
    started = time.perf_counter()
    run(*args)
    return time.perf_counter() - started


def write_csv(work: Path, data: list[tuple], spec: ExportSpec) -> None:
    with (work / "cases.csv").open("wb") as out:
        for piece in EXPORT_FORMATS["csv"].stream(chunks(data), spec):
            out.write(piece)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    fast = len(sys.argv) > 3 and sys.argv[3] == "fast"  # CSV and the registry's XLSX only
    fields = visible_fields(CASE_FIELDS, with_sensitive=False)
    spec = ExportSpec("cases", fields, "Point", name_field="community_name", style_field="status")
    data = rows(count, fields)
    xlsx_format = EXPORT_FORMATS["xlsx"]
    results: dict[str, list[float]] = {"csv": [], "xlsx": [], "xlsxwriter": [], "openpyxl": []}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as folder:
            work = Path(folder)

            results["csv"].append(timed(write_csv, work, data, spec))
            results["xlsx"].append(timed(xlsx_format.spool, chunks(data), spec, work, "cases"))
            if not fast:
                results["xlsxwriter"].append(timed(xlsxwriter_writer, chunks(data), spec, work, "other"))
                results["openpyxl"].append(timed(openpyxl_writer, chunks(data), spec, work, "old"))
            sizes = {name: (work / file).stat().st_size for name, file in (
                ("csv", "cases.csv"), ("xlsx", "cases.xlsx"), ("xlsxwriter", "other.xlsx"), ("openpyxl", "old.xlsx"))
                if (work / file).exists()}
    median = {k: statistics.median(v) for k, v in results.items() if v}
    print(f"rows: {count:,}; runs: {runs}; fields: {len(fields)} + lon, lat")
    print("| writer | median (s) | best (s) | file (MB) | / CSV |")
    print("|---|---|---|---|---|")
    for name, label in (("csv", "CSV (streamed, the registry's)"),
                        ("xlsx", "XLSX, gis.exchange.xlsx stream (the registry's)"),
                        ("xlsxwriter", "XLSX, XlsxWriter 3.3 constant_memory"),
                        ("openpyxl", "XLSX, openpyxl write-only (before)")):
        if name not in median:
            continue
        print(f"| {label} | {median[name]:.2f} | {min(results[name]):.2f} | {sizes[name] / 1e6:.1f} "
              f"| {median[name] / median['csv']:.2f} |")


if __name__ == "__main__":
    main()
