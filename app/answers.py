"""Answers about the past, kept while the data they were made from stays as it was.

    text = answers.kept(("changes", first, last), lambda: build(first, last), size=len)

The map of a past day and the moves of a closed period are asked for again and again (the
regional forums, the quarter's report) and change only when someone writes: a case recorded
late with an old opening date, a back-dated status change, a boundary reload. Every statement
that writes a table they read notes its transaction in `data_changes` (a statement trigger:
migration 0017). An answer is kept with the stamp of the snapshot it was made under: that
snapshot's xmin and a digest of the `data_changes` rows visible to it from that xmin on. It is
given again only while exactly those rows are visible from that xmin: the transactions below the
xmin had ended (committed or not) before the answer was made, and the rows from it on can only
grow as writers commit (a removed old row changes the digest too), so the same rows mean no
writer has committed since. A false "changed" only makes the answer again.

Kept in each process (an LRU bounded by size: ANSWER_CACHE_MB, 0 turns it off). The stamp is
checked in the database on every use (one index range scan), so any number of web processes
and hosts stay right without sharing memory; a transaction that has itself written a watched table
keeps nothing (its answer holds writes that may yet be rolled back).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import text

from app.extensions import db

T = TypeVar("T")
EXTENSION = "answers"
_VISIBLE = "FROM data_changes WHERE xid >= {xmin}"
_DIGEST = "count(*), coalesce(md5(string_agg(xid::text, ',' ORDER BY xid)), '')"
STAMP_SQL = text(f"""SELECT pg_snapshot_xmin(pg_current_snapshot())::text, {_DIGEST},
                            EXISTS (SELECT 1 FROM data_changes WHERE xid = pg_current_xact_id_if_assigned())
                     {_VISIBLE.format(xmin='pg_snapshot_xmin(pg_current_snapshot())')}""")
CHECK_SQL = text(f"SELECT {_DIGEST} {_VISIBLE.format(xmin='CAST(:xmin AS xid8)')}")
PRUNE_SQL = text("DELETE FROM data_changes WHERE at < now() - interval '1 day'")


@dataclass(frozen=True)
class Stamp:
    """What a snapshot saw of the writers: its xmin and the writers' rows visible from it on."""

    xmin: str
    count: int
    digest: str


def stamp() -> tuple[Stamp, bool]:
    """The current statement's stamp, and whether this transaction has itself written a watched table."""
    xmin, count, digest, wrote = db.session.execute(STAMP_SQL).one()
    return Stamp(xmin, count, digest), bool(wrote)


def still(kept_stamp: Stamp) -> bool:
    """True when the writers visible now from the stamp's xmin are exactly those it saw."""
    count, digest = db.session.execute(CHECK_SQL, {"xmin": kept_stamp.xmin}).one()
    return (count, digest) == (kept_stamp.count, kept_stamp.digest)


class Answers:
    """A size-bounded LRU of (stamp, answer) by key; safe across threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[Stamp, Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[Stamp, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0], item[1]

    def put(self, key: Hashable, kept_stamp: Stamp, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[2]
            self._items[key] = (kept_stamp, value, size)
            self.used += size
            while self.used > self.max_bytes:
                _key, (_s, _v, dropped) = self._items.popitem(last=False)
                self.used -= dropped


def init_app(app: Any) -> None:
    """Attach the process's store (ANSWER_CACHE_MB; 0 keeps nothing)."""
    app.extensions[EXTENSION] = Answers(int(float(app.config.get("ANSWER_CACHE_MB", 64)) * 1024 * 1024))


def kept(key: Hashable, make: Callable[[], T], *, size: Callable[[T], int]) -> T:
    """`make()`, or the answer kept for `key` while nothing it could have read was written since."""
    store: Answers | None = current_app.extensions.get(EXTENSION)
    if store is None or store.max_bytes <= 0:
        return make()
    found = store.get(key)
    if found is not None and still(found[0]):
        return found[1]
    now, wrote = stamp()  # before making it: a write committed in between shows at the next check
    value = make()
    if not wrote:
        store.put(key, now, value, size(value))
    return value


def prune() -> int:
    """Remove the notes of writers older than a day (a kept answer older than its rows is made again)."""
    return db.session.execute(PRUNE_SQL).rowcount or 0


__all__ = ["Answers", "Stamp", "init_app", "kept", "prune", "stamp", "still"]
