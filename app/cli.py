"""Command-line interface: `flask boundaries|regions|users|demo|setup|backup|restore`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from gis.errors import GisError

boundaries_cli = AppGroup("boundaries", help="Administrative boundaries.")
regions_cli = AppGroup("regions", help="The CODI region/zone table.")
users_cli = AppGroup("users", help="Accounts and API tokens.")


@boundaries_cli.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def boundaries_load(paths: tuple[str, ...]) -> None:
    """Load GeoJSON, GeoPackage or zipped shapefiles of any level (replaces that level)."""
    from app.reference import load_boundaries

    try:
        report = load_boundaries(list(paths))
    except GisError as exc:
        raise click.ClickException(f"{exc.message} (nothing was changed)") from None
    for item in report:
        click.echo(f"{item['level']}: {item['count']} from {item['source']} in {item['seconds']} s"
                   f"; repaired {len(item['repaired'])}, dropped {len(item['dropped'])}")


@regions_cli.command("load")
@click.argument("path", required=False, type=click.Path())
def regions_load(path: str | None) -> None:
    """Load the region table (CSV); without PATH, the default from data/regions.csv."""
    from app.reference import DEFAULT_REGIONS, load_regions, provinces_without_region

    try:
        table = load_regions(path or DEFAULT_REGIONS)
    except GisError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{len(table.regions)} regions and zones, {len(table.memberships)} province listings")
    for c in table.conflicts:
        click.echo(f"conflict: province {c['province_code']} kept in {c['kept']}, "
                   f"also listed in {', '.join(c['also_listed_in'])}")
    missing = provinces_without_region()
    if missing:
        click.echo(f"warning: provinces in no region: {', '.join(missing)}")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "land_team", "architect", "policy", "viewer"]))
@click.option("--name", default=None)
@click.option("--region", "regions", multiple=True, help="Limit the account to this CODI region (repeatable).")
def users_create(email: str, role: str, name: str | None, regions: tuple[str, ...]) -> None:
    """Create an account; the password is read from standard input."""
    from app.accounts import AccountError, create_user

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role, name, regions)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {user.email} ({user.role}, {_scope_text(user)})")


def _scope_text(user) -> str:
    return f"regions {', '.join(user.regions)}" if user.regions else "national"


@users_cli.command("scope")
@click.argument("email")
@click.option("--region", "regions", multiple=True, help="A CODI region the account may write in (repeatable).")
@click.option("--national", is_flag=True, help="Remove every limit: the account writes in the whole country.")
def users_scope(email: str, regions: tuple[str, ...], national: bool) -> None:
    """Limit an account to regions (--region ..., repeatable) or make it national (--national)."""
    from app.accounts import AccountError, set_scope

    if national == bool(regions):
        raise click.UsageError("give either --region CODE (one or more) or --national")
    try:
        user = set_scope(email, None if national else list(regions))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.email}: {_scope_text(user)}")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="cli")
def users_token(email: str, label: str) -> None:
    """Print a new personal API token for EMAIL (use as `Authorization: Bearer ...`)."""
    from app.accounts import AccountError, token_for

    try:
        click.echo(token_for(email, label))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users_cli.command("tokens")
@click.argument("email")
def users_tokens(email: str) -> None:
    """List EMAIL's API tokens: id, label, created, last used (to the minute), revoked."""
    from app.accounts import AccountError, tokens_of

    def when(moment) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"

    try:
        tokens = tokens_of(email)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    for t in tokens:
        click.echo(f"{t.id}\t{t.label or '-'}\tcreated {when(t.created_at)}\tlast used {when(t.last_used_at)}"
                   f"\t{'revoked ' + when(t.revoked_at) if t.revoked_at else 'active'}")


@users_cli.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (see `flask users tokens EMAIL`)."""
    from app.accounts import AccountError, revoke_token

    try:
        token = revoke_token(token_id)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token {token.id} ({token.label or '-'}) revoked")


@users_cli.command("deactivate")
@click.argument("email")
@click.option("--activate", is_flag=True, help="Switch the account back on instead.")
def users_deactivate(email: str, activate: bool) -> None:
    """Switch EMAIL's account off (no sign-in, no tokens), or back on with --activate."""
    from app.accounts import AccountError, set_active

    try:
        user = set_active(email, activate)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.email} {'active' if user.active else 'deactivated'}")


@users_cli.command("password")
@click.argument("email")
def users_password(email: str) -> None:
    """Set EMAIL's password (read from standard input); every session of the account ends."""
    from app.accounts import AccountError, set_password

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = set_password(email, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.email}: password changed, every session ended")


@click.command("setup")
@with_appcontext
@click.option("--sample/--no-sample", default=True, help="Load sample data into an empty database.")
def setup(sample: bool) -> None:
    """Load what a fresh database lacks: boundaries, the region table, sample data."""
    from app.reference import load_default_boundaries, load_regions, reference_counts

    counts = reference_counts()
    if not counts["provinces"] or not counts["subdistricts"]:
        for item in load_default_boundaries():
            click.echo(f"boundaries: {item['level']} {item['count']} in {item['seconds']} s")
    if not counts["regions"]:
        load_regions()
        click.echo("regions: default table loaded")
    if sample:
        try:
            from app import sample_data
        except ImportError:
            return
        if sample_data.database_is_empty():
            click.echo(sample_data.load_sample())


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    for command in (boundaries_cli, regions_cli, users_cli, setup):
        app.cli.add_command(command)
    from app.backup import backup, restore
    from app.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)

    app.cli.add_command(backup)
    app.cli.add_command(restore)
    try:
        from app.sample_data import demo_cli
    except ImportError:  # sample data arrives with the land-case model
        return
    app.cli.add_command(demo_cli)
