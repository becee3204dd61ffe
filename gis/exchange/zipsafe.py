"""Zip archives from strangers: checked before anything is read, never extracted by their own names.

* The member count is read from the end-of-central-directory record before
  `zipfile` parses the directory, and capped.
* Every member name is checked (no absolute paths, drive letters or `..`), symlinks
  (Unix mode in `external_attr`) and encrypted members are refused, and the declared
  uncompressed total is capped: all before a single member is decompressed.
* A member is copied in chunks to a path the caller chooses; more bytes than its header
  declared (a lying header: the zip bomb trick) stops the copy and refuses the file.
* XLSX parts are scanned for DOCTYPE/ENTITY declarations (XXE, billion laughs) before
  any XML parser sees them.
"""

from __future__ import annotations

import lzma
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gis.exchange.errors import ExchangeError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
CHUNK = 1024 * 1024
_EOCD = b"PK\x05\x06"
_DRIVE = re.compile(r"^[A-Za-z]:")
_XML_DECL = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)


@dataclass(frozen=True)
class ZipLimits:
    """Caps applied before reading: members, declared uncompressed bytes, bytes per member."""

    max_members: int = 200
    max_total: int = 256 * 1024 * 1024
    max_member: int = 256 * 1024 * 1024


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC)


def _declared_entries(path: Path) -> int:
    """Entry count from the end-of-central-directory record (before `zipfile` parses anything)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        tail_len = min(size, 65535 + 22)
        handle.seek(size - tail_len)
        tail = handle.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        raise ExchangeError("bad_zip", "The file is not a readable zip archive")
    entries = struct.unpack("<H", tail[at + 10:at + 12])[0]
    return 1 << 30 if entries == 0xFFFF else entries  # zip64 counts: more than we ever allow


def _check_name(name: str) -> None:
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if (clean.startswith("/") or _DRIVE.match(clean) or ".." in parts or "\x00" in clean):
        raise ExchangeError("zip_unsafe_name", f"The zip holds an unsafe member name: {name[:200]!r}",
                            name=name[:200])


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK((info.external_attr >> 16) & 0xFFFF)


def open_checked(path: Path, limits: ZipLimits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open `path` as a zip after every check that needs no decompression; the caller closes it."""
    entries = _declared_entries(path)
    if entries > limits.max_members:
        raise ExchangeError("zip_too_many_members", f"The zip holds too many files ({entries}; at most "
                            f"{limits.max_members})", status=413, count=entries, limit=limits.max_members)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise ExchangeError("bad_zip", "The file is not a readable zip archive") from None
    try:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise ExchangeError("zip_too_many_members", "The zip holds too many files", status=413,
                                count=len(infos), limit=limits.max_members)
        total = 0
        for info in infos:
            _check_name(info.filename)
            if _is_symlink(info):
                raise ExchangeError("zip_symlink", f"The zip holds a symbolic link: {info.filename[:200]!r}",
                                    name=info.filename[:200])
            if info.flag_bits & 0x1:
                raise ExchangeError("zip_encrypted", "The zip holds an encrypted member", name=info.filename[:200])
            if info.file_size > limits.max_member:
                raise ExchangeError("zip_too_large", "A member of the zip is too large once unpacked",
                                    status=413, size=info.file_size, limit=limits.max_member)
            total += info.file_size
        if total > limits.max_total:
            raise ExchangeError("zip_too_large", f"The zip unpacks to {total} bytes (at most {limits.max_total})",
                                status=413, size=total, limit=limits.max_total)
    except BaseException:
        archive.close()
        raise
    return archive, infos


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member's bytes in chunks; refuses more bytes than declared and corrupt data."""
    read = 0
    try:
        with archive.open(info) as source:
            while True:
                chunk = source.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                if read > info.file_size:
                    raise ExchangeError("zip_bomb", "A zip member unpacks to more than its header declares",
                                        status=413, name=info.filename[:200])
                yield chunk
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error,
            lzma.LZMAError) as exc:  # a damaged deflate or LZMA stream raises its own kind
        raise ExchangeError("bad_zip", f"A zip member cannot be read: {exc}") from None
    if read != info.file_size:
        raise ExchangeError("bad_zip", "A zip member is shorter than its header declares")


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Decompress one member into `target` (a path the caller chose, never the member's name)."""
    with target.open("wb") as out:
        for chunk in _chunks(archive, info):
            out.write(chunk)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A small member's bytes (e.g. `.cpg`, `.prj`); refuses members over `limit`."""
    if info.file_size > limit:
        raise ExchangeError("zip_member_too_large", f"{info.filename[:200]} is larger than {limit} bytes",
                            name=info.filename[:200], limit=limit)
    return b"".join(_chunks(archive, info))


@dataclass
class ShapefileParts:
    """Where the parts of a zipped shapefile were copied, and the `.cpg`/`.prj` texts."""

    shp: Path
    cpg: str | None
    prj: bool


SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _ignored(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return not parts or parts[0] == "__MACOSX" or parts[-1].startswith(".") or name.endswith("/")


def extract_shapefile(path: Path, dest: Path, limits: ZipLimits) -> ShapefileParts:
    """Copy the one shapefile of a zip into `dest` as `data.shp`, `data.shx`, `data.dbf`, `data.prj`.

    The `.cpg` is read, not copied (the caller turns it into an explicit encoding).
    Other members are left packed.
    """
    archive, infos = open_checked(path, limits)
    with archive:
        members = [i for i in infos if not _ignored(i.filename)]
        shps = [i for i in members if i.filename.lower().endswith(".shp")]
        if not shps:
            raise ExchangeError("shp_missing", "The zip holds no .shp file")
        if len(shps) > 1:
            names = ", ".join(i.filename[:80] for i in shps[:5])
            raise ExchangeError("shp_several", f"The zip holds several shapefiles ({names}): send one per zip",
                                names=names)
        stem = shps[0].filename[:-4].lower()
        parts: dict[str, zipfile.ZipInfo] = {}
        for info in members:
            lowered = info.filename.lower()
            for ext in SHAPE_PARTS:
                if lowered == stem + ext:
                    parts[ext] = info
        missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
        if missing:
            raise ExchangeError("shp_incomplete", f"The shapefile lacks {', '.join(missing)}",
                                missing=", ".join(missing))
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            if ext in parts:
                copy_member(archive, parts[ext], dest / f"data{ext}")
        cpg = None
        if ".cpg" in parts:
            cpg = read_member(archive, parts[".cpg"], 256).decode("ascii", "replace").strip()
    with (dest / "data.shp").open("rb") as handle:
        if handle.read(4) != b"\x00\x00\x27\x0a":
            raise ExchangeError("shp_bad", "The .shp file is not a shapefile")
    return ShapefileParts(shp=dest / "data.shp", cpg=cpg, prj=(dest / "data.prj").exists())


def check_xlsx(path: Path, limits: ZipLimits) -> None:
    """Refuse an XLSX whose XML parts declare a DOCTYPE or ENTITY, before any XML parser runs."""
    archive, infos = open_checked(path, limits)
    with archive:
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise ExchangeError("xlsx_bad", "The file is not an Excel workbook (.xlsx)")
        for info in infos:
            if info.filename.startswith("xl/media/"):
                continue
            tail = b""
            for chunk in _chunks(archive, info):
                # UTF-16/32 parts: NUL bytes removed, the ASCII markup shows through
                window = (tail + chunk).replace(b"\x00", b"")
                if _XML_DECL.search(window):
                    raise ExchangeError("xlsx_entities", "The workbook declares a DOCTYPE or XML entities "
                                        "(refused: external entities and entity expansion are unsafe)",
                                        name=info.filename[:200])
                tail = chunk[-64:]
