"""Text encodings of uploaded tables: UTF-8 (with or without BOM), UTF-16, and Thai TIS-620/cp874.

Detection: a BOM decides; else strict UTF-8; else a file whose high bytes are almost
all Thai letters in the TIS-620 range decodes as cp874 (a superset of TIS-620); else
the file is refused with a message that says how to save it as UTF-8.
"""

from __future__ import annotations

import codecs

from gis.exchange.errors import ExchangeError

NAMED = {"utf-8": "utf-8", "utf8": "utf-8", "tis-620": "cp874", "tis620": "cp874", "cp874": "cp874",
         "windows-874": "cp874"}
# .cpg contents seen in the wild, mapped to the encodings GDAL and Python both know
CPG = {"utf-8": "UTF-8", "utf8": "UTF-8", "65001": "UTF-8", "874": "CP874", "cp874": "CP874",
       "windows-874": "CP874", "ansi 874": "CP874", "tis-620": "CP874", "tis620": "CP874",
       "iso-8859-11": "CP874", "ascii": "ASCII", "us-ascii": "ASCII", "1252": "CP1252", "ansi 1252": "CP1252",
       "iso-8859-1": "ISO-8859-1", "iso88591": "ISO-8859-1", "latin1": "ISO-8859-1"}
THAI_SHARE = 0.9


def _thai_8bit(data: bytes) -> bool:
    high = sum(1 for b in data if b >= 0x80)
    if not high:
        return False
    thai = sum(1 for b in data if 0xA1 <= b <= 0xDA or 0xDF <= b <= 0xFB)
    return thai / high >= THAI_SHARE


def detect(data: bytes) -> str | None:
    """The Python codec of `data` (`utf-8-sig`, `utf-16`, `utf-8`, `cp874`), or None when unsure."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by a sample boundary is still UTF-8
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    if _thai_8bit(data):
        try:
            data.decode("cp874")
            return "cp874"
        except UnicodeDecodeError:
            return None
    return None


def decode_table(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, label) of an uploaded CSV; `declared` (utf-8, tis-620, cp874) skips detection."""
    if declared:
        codec = NAMED.get(declared.strip().lower())
        if codec is None:
            raise ExchangeError("encoding_unknown_name", f"Unknown encoding {declared[:40]!r}: use utf-8 or tis-620",
                                name=declared[:40])
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
    else:
        codec = detect(data)
        if codec is None:
            raise ExchangeError("encoding_unknown", "The file is neither UTF-8 nor Thai TIS-620: save it as "
                                "'CSV UTF-8' and upload it again")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ExchangeError("encoding_mismatch", f"The file is not valid {codec} (byte {exc.start})",
                            encoding=codec, position=exc.start) from None
    label = {"utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "utf-8": "UTF-8", "cp874": "TIS-620"}[codec]
    return text, label


def cpg_encoding(cpg: str | None, dbf_sample: bytes, declared: str | None = None) -> str | None:
    """The encoding GDAL should read a DBF with: the one the user names (utf-8, tis-620), else its
    `.cpg`, else sniffed; None = GDAL decides (its text is then plain ASCII or undecidable)."""
    if declared:
        codec = NAMED.get(declared.strip().lower())
        if codec is None:
            raise ExchangeError("encoding_unknown_name", f"Unknown encoding {declared[:40]!r}: use utf-8 or tis-620",
                                name=declared[:40])
        return {"cp874": "CP874"}.get(codec, "UTF-8")
    if cpg is not None:
        value = CPG.get(cpg.strip().lower())
        if value is None:
            raise ExchangeError("cpg_unknown", f"The .cpg names an unsupported encoding: {cpg[:40]!r}",
                                name=cpg[:40])
        return value
    codec = detect(dbf_sample)
    return {"utf-8": "UTF-8", "cp874": "CP874"}.get(codec or "")
