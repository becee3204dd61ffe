"""`flask land refresh` (recompute what every case stands on) and `flask land parcels-file` (benchmarks)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db

land_cli = AppGroup("land", help="Community footprints and reference land layers.")


@land_cli.command("refresh")
def land_refresh() -> None:
    """Recompute every case's overlaps with the reference layers and the other footprints (set-based)."""
    from app.land import overlaps

    started = time.perf_counter()
    overlaps.refresh()
    db.session.commit()
    click.echo(f"overlaps refreshed in {time.perf_counter() - started:.1f} s")


@land_cli.command("parcels-file")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--parcels", type=click.IntRange(1, 1_000_000), default=50_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def land_parcels_file(path: Path, parcels: int, seed: int) -> None:
    """Write a GeoPackage of N square parcels near the generated cases (run `flask demo generate` first)."""
    from app.land.sample import generate_parcels_file

    made = generate_parcels_file(db.session.connection(), path, parcels, seed)
    db.session.rollback()
    click.echo(f"{made} parcels written to {path}")
