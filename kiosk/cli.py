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
from .services.calendar_days import estimated_years, years_without_holidays
from .services.staff import Role, StaffError, create_staff, forget_old_sessions, generate_password, staff_exists
from .services.station import (
    DEMO_STATION_FILE,
    SettingsFileError,
    StationContext,
    install_station,
    load_station,
    read_settings_file,
    station_codes,
)

# With --demo: one account of each role (kiosk.domain.access), user `demo_<role>`, named for its job.
DEMO_NAMES = {
    Role.WINDOW: "演示窗口民警",
    Role.SUPERVISOR: "演示所领导",
    Role.VISIT_OFFICER: "演示上门民警",
    Role.ADMIN: "演示管理员",
}
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
    help="TOML file with the station's settings (loaded, replacing what the database has).",
)
@click.option(
    "--demo", is_flag=True, help="Also create a demo staff account of each role (their passwords are printed once)."
)
def init(station_file: Path | None, demo: bool) -> None:
    """Create or upgrade the database, and load the station settings. Safe to run again.

    Without --station, an upgrade keeps the settings the database has (as administrators edited
    them); a new database gets the demo station.
    """
    database, instance = _database()
    try:
        migrate.upgrade(database.engine)
        codes = station_codes(database)
        if station_file is not None or not codes:
            station_file = station_file or DEMO_STATION_FILE
            try:
                doc, settings = read_settings_file(station_file)
            except SettingsFileError as error:
                raise click.ClickException(str(error)) from None
            install_station(database, doc, settings, station_file.read_text(encoding="utf-8"))
            loaded = f"station {settings.code} {settings.name} loaded"
            codes = [settings.code, *(code for code in codes if code != settings.code)]
        else:
            loaded = f"station settings kept as they are: {', '.join(codes)}"
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from None
    click.echo(f"database ready ({database.dialect}, schema {migrate.head_revision()}); instance folder {instance}")
    click.echo(loaded)
    for code in codes:
        _warn_of_missing_holidays(database, load_station(database, code))
    if demo:
        for role, display_name in DEMO_NAMES.items():
            username = f"demo_{role.value}"
            if staff_exists(database, username):
                click.echo(f"demo account '{username}' exists already (its password was printed when it was made)")
                continue
            password = generate_password()
            create_staff(
                database,
                station_code=codes[0],
                username=username,
                display_name=display_name,
                role=role,
                password=password,
            )
            click.echo(f"demo {role.value} account: user '{username}', password '{password}' (shown only this once)")


@main.command("create-staff")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown to colleagues.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.WINDOW.value, show_default=True)
@click.option("--station", "station_code", help="Station code  [default: KIOSK_STATION_CODE, or the only station]")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of generating one.")
def create_staff_command(
    username: str, display_name: str, role: str, station_code: str | None, password_stdin: bool
) -> None:
    """Create a staff account. Without --password-stdin a password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    app = create_app()
    database = app.extensions["kiosk_db"]
    try:
        create_staff(
            database,
            station_code=station_code or _this_station(app),
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


def _warn_of_missing_holidays(database: Database, station: StationContext) -> None:
    """Said on every init and sweep until an administrator enters (or confirms) the year's public
    holidays."""
    for year in years_without_holidays(database, station.id, station.today()):
        click.echo(
            f"warning: station {station.settings.code}: the {year} holiday schedule has not been entered; "
            f"until it is, only weekends are days off in {year} for deadlines and bookings. Enter its public "
            "holidays and make-up working days at /staff/admin/calendar, or add the year to [calendar] "
            "seed_years to load the holidays package's estimate and confirm it there.",
            err=True,
        )
    for year in estimated_years(database, station.id):
        click.echo(
            f"warning: station {station.settings.code}: the {year} public holidays are the holidays package's "
            "estimate, not the published schedule; check them against the State Council's notice, enter the "
            "make-up working days and confirm the year at /staff/admin/calendar.",
            err=True,
        )


def _this_station(app) -> str:
    """This server's station: KIOSK_STATION_CODE, or the only one in the database."""
    code = app.config["STATION_CODE"]
    if code:
        return code
    codes = station_codes(app.extensions["kiosk_db"])
    if len(codes) != 1:
        raise click.ClickException("set KIOSK_STATION_CODE: the database has " + (", ".join(codes) or "no station"))
    return codes[0]


@main.command("print-retry")
def print_retry() -> None:
    """Print this station's documents waiting for its printer (PRINTER_BACKEND, PRINTER_QUEUE)."""
    from .domain.states import PrintState
    from .services.printing import printer_from_config, retry_queued

    app = create_app()
    database = app.extensions["kiosk_db"]
    try:
        station = load_station(database, _this_station(app))
        outcomes = retry_queued(database, printer_from_config(app.config, app.instance_path), station_id=station.id)
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    printed = sum(outcome.printed for outcome in outcomes)
    click.echo(f"{printed} printed, {len(outcomes) - printed} not printed")
    for outcome in outcomes:
        if not outcome.printed:
            click.echo(f"job {outcome.job.id} {outcome.job.state}: {outcome.job.last_error}", err=True)
    if any(outcome.job.state == PrintState.QUEUED for outcome in outcomes):
        sys.exit(1)


@main.command()
def sweep() -> None:
    """The periodic housekeeping: missed deadlines escalated, lapsed cases expired, missed
    appointments marked, messages to citizens sent (MESSAGE_SENDER), abandoned kiosk answers
    and finished staff sessions forgotten. Run it every few minutes (kiosk-sweep.timer does),
    on one server of a city.
    """
    from .services import deadlines
    from .services.attendance import mark_no_shows
    from .services.notifications import deliver_queued, sender_from_config
    from .services.wizard import purge_idle

    app = create_app()
    database = app.extensions["kiosk_db"]
    try:
        for code in station_codes(database):
            station = load_station(database, code)
            result = deadlines.sweep(database, station)
            no_shows = mark_no_shows(database, station)
            _warn_of_missing_holidays(database, station)
            click.echo(
                f"station {code}: {result.escalated} cases escalated, {result.reminded} reminded of missing "
                f"materials, {result.expired} expired, "
                f"{no_shows} missed appointments marked"
            )
        sent, not_sent = deliver_queued(database, sender_from_config(app.config, app.instance_path))
        forgotten = purge_idle(database, max_idle=KIOSK_ANSWERS_KEPT, photo_store=app.extensions["kiosk_photos"])
        sessions = forget_old_sessions(database, app.permanent_session_lifetime)
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    click.echo(f"messages: {sent} sent, {not_sent} not sent (retried next time; staff see them)")
    click.echo(f"{forgotten} abandoned kiosk sessions forgotten, {sessions} finished staff sessions deleted")


@main.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="The archive to write, or a folder for a dated name (default: <instance>/backups/).",
)
def backup(output: Path | None) -> None:
    """Back up this station: the SQLite database, the photos, the secret key and kiosk.cfg, in one
    archive (a tar.gz with a manifest of checksums) readable by its owner only (0600: it holds
    personal data).

    The database is copied through SQLite's online backup API while the app keeps serving; the
    archive holds the photo of every photo row in that copy, and no other.

    PostgreSQL is refused: dump the database with pg_dump -Fc (restore with pg_restore), then copy
    the instance folder's photos/, secret_key and kiosk.cfg, not while 'kiosk purge' runs.
    """
    from .services.backup import BackupRefused, create_backup

    database, instance = _database()
    try:
        summary = create_backup(database, Path(instance), output)
    except BackupRefused as error:
        raise click.ClickException(str(error)) from None
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    rows = sum(summary.tables.values())
    click.echo(
        f"backup written to {summary.path} ({summary.size} bytes): schema {summary.schema_revision}, "
        f"{rows} rows in {len(summary.tables)} tables, {summary.photos} photos"
    )


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace the database and photos this instance has (stop the service first)."
)
def restore(archive: Path, force: bool) -> None:
    """Restore an archive made by 'kiosk backup' into this instance folder (KIOSK_INSTANCE_PATH).

    Every member is checked against the archive's manifest before anything is written; a damaged
    or altered archive is refused. An instance that has a database or photos is refused unless
    --force. The database goes where this instance's settings put it; a kiosk.cfg this instance
    already has is kept (the archived one is written beside it as kiosk.cfg.from-backup). The
    schema is then upgraded, so an older backup works with this version. SQLite only.
    """
    from .services.backup import BackupRefused, restore_backup

    database, instance = _database()
    try:
        summary = restore_backup(database, Path(instance), archive, force=force)
    except BackupRefused as error:
        raise click.ClickException(str(error)) from None
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    click.echo(f"restored the backup of {summary.created_at} into {summary.database}")
    click.echo(f"schema {summary.archived_revision} -> {summary.revision}; integrity check: {summary.integrity}")
    click.echo(", ".join(f"{table} {rows}" for table, rows in summary.tables.items() if table != "alembic_version"))
    key = "restored" if summary.secret_key else "not in the backup"
    config = {
        "restored": "restored",
        "unchanged": "unchanged",
        "none": "not in the backup",
        "kept": "this instance's kept, the archived one beside it as kiosk.cfg.from-backup",
    }[summary.config]
    click.echo(f"{summary.photos} photos; secret key {key}; kiosk.cfg {config}")


@main.command()
@click.option("--dry-run", is_flag=True, help="Count what would be removed and change nothing.")
def purge(dry_run: bool) -> None:
    """Remove personal data past each station's retention period ([retention] days): for cases
    closed longer ago, the applicant's ID number, name, phone and address, the photo, personal
    case notes and message numbers; bookings older than the period; abandoned kiosk answers.

    Anonymous figures and the audit trail stay (each purged case gets a 'purge' audit row).
    A person with a case still open or within the period keeps their data. Run it daily.
    """
    from .services.retention import forget_abandoned_answers
    from .services.retention import purge as purge_station

    app = create_app()
    database, store = app.extensions["kiosk_db"], app.extensions["kiosk_photos"]
    verb = "would be" if dry_run else "were"
    try:
        for code in station_codes(database):
            report = purge_station(database, load_station(database, code), photo_store=store, dry_run=dry_run)
            click.echo(
                f"station {code}: personal data of {report.applicants} applicants ({report.applications} cases) "
                f"{verb} removed: {report.photos} photos, {report.notifications} messages, "
                f"{report.audit_reasons} audit notes, {report.bookings} bookings; "
                f"{report.kept} kept for a case still open or within the period"
            )
        forgotten = forget_abandoned_answers(
            database, max_idle=KIOSK_ANSWERS_KEPT, photo_store=store, dry_run=dry_run
        )
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    click.echo(f"{forgotten} abandoned kiosk sessions {verb} forgotten")


@main.command("photos-to-database")
def photos_to_database() -> None:
    """Move this server's photo files (<instance>/photos/) into the database, for app servers that
    share it (PHOTO_STORE = "database"). A file is deleted once its row is committed; running it
    again finishes an interrupted run and changes nothing after a complete one. Stop the app on
    this server first, and start it again with KIOSK_PHOTO_STORE=database.
    """
    from .services.photo_store import move_folder_to_database
    from .services.photos import folder as photos_folder

    database, instance = _database()
    try:
        moved = move_folder_to_database(database, photos_folder(instance))
    except DatabaseUnavailable as error:
        raise click.ClickException(f"the database cannot be used: {error}") from error
    click.echo(f"{moved.moved} photos moved into the database, {moved.already} were there already")
    if moved.refused:
        raise click.ClickException(
            f"{len(moved.refused)} files differ from the photo of the same name in the database and were kept: "
            + ", ".join(moved.refused)
        )


def default_workers() -> int:
    """Processes for gunicorn: one per core and one more. Measured on 2 cores with 50 kiosks
    (bench/wizard_bench.py): 3 workers keep every step's p95 near 15 ms; 5 let SQLite's writers
    queue behind descheduled holders and the submit's p95 passes 50 ms."""
    return (os.cpu_count() or 1) + 1


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int, envvar="PORT", show_envvar=True)
@click.option("--workers", default=default_workers, show_default="cores + 1", type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn (kiosk at /, staff at /staff).

    Logs go to standard error, as JSON lines unless LOG_FORMAT says "text"; the app writes the
    access lines itself (with the request id, without query strings), so gunicorn's access log
    stays off and its own messages take the app's format.
    """
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed")
    # Settled here, for gunicorn's master (its logger class reads it) and the workers alike.
    os.environ["KIOSK_LOG_FORMAT"] = create_app().config["LOG_FORMAT"] or "json"
    # As kiosk.service's UMask=0077 does: whatever else the app or a library writes (a station's
    # message sender, the SQLite files of another database path) is readable by this user only.
    os.umask(0o077)
    click.echo(f"serving on http://{host}:{port}/ (kiosk) and http://{host}:{port}/staff (staff)")
    os.execv(
        gunicorn,
        [
            gunicorn,
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--logger-class",
            "kiosk.logs.GunicornLogger",
            "kiosk.wsgi:app",
        ],
    )
