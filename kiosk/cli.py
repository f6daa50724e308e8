"""The `kiosk` command: set up the database, manage staff, serve the app.

Settings come from the environment as for the app (KIOSK_INSTANCE_PATH,
KIOSK_DATABASE_URL, KIOSK_STATION_CODE, ...).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import click

from . import create_app, migrate
from .db import Database, DatabaseUnavailable
from .services.staff import Role, StaffError, create_staff, generate_password, staff_exists
from .services.station import DEMO_STATION_FILE, SettingsFileError, install_station, read_settings_file

DEMO_STAFF = "demo"
# Answers of a kiosk session untouched this long are deleted by the sweep; the
# app already ignores them after the station's idle + countdown time.
KIOSK_ANSWERS_KEPT = dt.timedelta(minutes=10)


def _database() -> tuple[Database, str]:
    app = create_app()
    return app.extensions["kiosk_db"], app.instance_path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Self-service ID-card kiosk."""


@main.command()
@click.option(
    "--station",
    "station_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_STATION_FILE,
    show_default="the demo station",
    help="TOML file with the station's settings.",
)
@click.option("--demo", is_flag=True, help="Also create the demo staff account (its password is printed once).")
def init(station_file: Path, demo: bool) -> None:
    """Create or upgrade the database and load the station settings. Safe to run again."""
    try:
        doc, settings = read_settings_file(station_file)
    except SettingsFileError as error:
        raise click.ClickException(str(error)) from None
    database, instance = _database()
    try:
        migrate.upgrade(database.engine)
        install_station(database, doc, settings, station_file.read_text(encoding="utf-8"))
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from None
    click.echo(f"database ready ({database.dialect}, schema {migrate.head_revision()}); instance folder {instance}")
    click.echo(f"station {settings.code} {settings.name} loaded")
    if demo:
        if staff_exists(database, DEMO_STAFF):
            click.echo(f"demo staff account '{DEMO_STAFF}' exists already (its password was printed when it was made)")
        else:
            password = generate_password()
            create_staff(
                database,
                station_code=settings.code,
                username=DEMO_STAFF,
                display_name="演示窗口民警",
                role=Role.ADMIN,
                password=password,
            )
            click.echo(f"demo staff account: user '{DEMO_STAFF}', password '{password}' (shown only this once)")


@main.command("create-staff")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown to colleagues.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.WINDOW.value, show_default=True)
@click.option("--station", "station_code", envvar="KIOSK_STATION_CODE", required=True, help="Station code.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of generating one.")
def create_staff_command(username: str, display_name: str, role: str, station_code: str, password_stdin: bool) -> None:
    """Create a staff account. Without --password-stdin a password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    database, _instance = _database()
    try:
        create_staff(
            database,
            station_code=station_code,
            username=username,
            display_name=display_name,
            role=Role(role),
            password=password,
        )
    except StaffError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"staff account '{username}' ({role}) created")
    if not password_stdin:
        click.echo(f"password: {password} (shown only this once)")


@main.command("print-retry")
def print_retry() -> None:
    """Print the documents waiting for the printer (PRINTER_BACKEND, PRINTER_QUEUE)."""
    from .services.printing import QUEUED, printer_from_config, retry_queued

    app = create_app()
    try:
        outcomes = retry_queued(app.extensions["kiosk_db"], printer_from_config(app.config, app.instance_path))
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    printed = sum(outcome.printed for outcome in outcomes)
    click.echo(f"{printed} printed, {len(outcomes) - printed} not printed")
    for outcome in outcomes:
        if not outcome.printed:
            click.echo(f"job {outcome.job.id} {outcome.job.state}: {outcome.job.last_error}", err=True)
    if any(outcome.job.state == QUEUED for outcome in outcomes):
        sys.exit(1)


@main.command()
def sweep() -> None:
    """The periodic housekeeping: missed deadlines escalated, lapsed cases expired, messages to
    citizens sent, missed appointments marked, abandoned kiosk answers forgotten.

    Run it every few minutes (the service's timer does).
    """
    from .services.booking import mark_no_shows
    from .services.photos import folder as photos_folder
    from .services.station import load_station, station_codes
    from .services.wizard import purge_idle

    database, _instance = _database()
    try:
        for code in station_codes(database):
            station = load_station(database, code)
            no_shows = mark_no_shows(database, station)
            click.echo(f"station {code}: {no_shows} missed appointments marked")
        forgotten = purge_idle(database, max_idle=KIOSK_ANSWERS_KEPT, photo_folder=photos_folder(_instance))
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    click.echo(f"{forgotten} abandoned kiosk sessions forgotten")


def default_workers() -> int:
    """Processes for gunicorn: one per core and one more. Measured on 2 cores with 50 kiosks
    (bench/wizard_bench.py): 3 workers keep every step's p95 near 15 ms; 5 let SQLite's writers
    queue behind descheduled holders and the submit's p95 passes 50 ms."""
    return (os.cpu_count() or 1) + 1


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=default_workers, show_default="cores + 1", type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn (kiosk at /, staff at /staff)."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed")
    click.echo(f"serving on http://{host}:{port}/ (kiosk) and http://{host}:{port}/staff (staff)")
    os.execv(
        gunicorn,
        [gunicorn, "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-", "kiosk.wsgi:app"],
    )
