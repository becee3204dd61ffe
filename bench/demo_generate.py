"""Time `flask demo generate` (issue 4): N synthetic cases in a database of its own.

Usage: .venv/bin/python bench/demo_generate.py [N=100000] [SEED=1]
Creates (once) the database `codi_bench_generate` beside the configured one, migrates it,
loads the boundaries and regions, then times generate_cases(N, SEED) plus the commit.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.config import local_database_url  # noqa: E402

NAME = "codi_bench_generate"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    base = make_url(os.environ.get("DATABASE_URL") or local_database_url())
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": NAME}).scalar():
            conn.execute(text(f'CREATE DATABASE "{NAME}"'))
    admin.dispose()
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.reference import load_default_boundaries, load_regions, reference_counts
    from app.sample_data import generate_cases

    app = create_app({"SQLALCHEMY_DATABASE_URI": base.set(database=NAME).render_as_string(hide_password=False)})
    with app.app_context():
        upgrade(revision="heads")
        if not reference_counts()["subdistricts"]:
            load_default_boundaries()
            load_regions()
        before = db.session.execute(text("SELECT count(*) FROM land_cases")).scalar()
        started = time.perf_counter()
        made = generate_cases(count, seed)
        db.session.commit()
        seconds = time.perf_counter() - started
        after = db.session.execute(text("SELECT count(*) FROM land_cases")).scalar()
        history = db.session.execute(text("SELECT count(*) FROM history")).scalar()
        print(f"generated {made} cases in {seconds:.1f} s ({made / seconds:,.0f} cases/s); "
              f"land_cases {before} -> {after}; history rows {history}; cores {os.cpu_count()}")


if __name__ == "__main__":
    main()
