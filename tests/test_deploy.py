"""The deployment files (kiosk.service and deploy/): systemd accepts every unit; the app started
by kiosk.service's own command tells systemd it is ready, from its main process; the kiosk
browser unit's Chromium command line shows the kiosk, and the Chromium policy lets only the
app's origin be opened or use the camera; the timers' schedules parse and their services run
real `kiosk` commands; and under a real systemd, in an install made as docs/deployment.md
says, the app and the timers' services run inside their whole sandbox."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from kiosk.cli import main as kiosk_command

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from _serve import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/opt/kiosk"  # where docs/deployment.md installs the code; the units name it
APP_UNIT = ROOT / "kiosk.service"
BROWSER_UNIT = ROOT / "deploy" / "kiosk-browser.service"
POLICY = ROOT / "deploy" / "chromium-policy.json"
TIMERS = sorted((ROOT / "deploy").glob("*.timer"))
SERVICES = [APP_UNIT, *sorted((ROOT / "deploy").glob("*.service"))]
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
CHROMIUM = "/usr/bin/chromium"
# What a test machine needs on top of the unit's flags: no display, no GPU, no updates, and
# Chromium's own sandbox cannot run as root.
HEADLESS = ["--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
if os.geteuid() == 0:
    HEADLESS.append("--no-sandbox")
# Policies go in /etc/chromium/policies/managed; a private mount namespace gives the browser
# under test its own without touching the machine's (other people's browsers run here too).
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/etc/chromium").is_dir(),
    reason="installing a Chromium policy in a private mount namespace needs root and /etc/chromium",
)


# --- reading unit files --------------------------------------------------------------------


def directives(unit: Path, section: str) -> list[tuple[str, str]]:
    """The (key, value) lines of one section, in order, repeated keys included."""
    found, current = [], None
    for line in unit.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            found.append((key.strip(), value.strip()))
    return found


def values(unit: Path, key: str, section: str = "Service") -> list[str]:
    return [value for name, value in directives(unit, section) if name == key]


def value(unit: Path, key: str, section: str = "Service") -> str:
    [only] = values(unit, key, section)
    return only


def environment(unit: Path) -> dict[str, str]:
    return dict(entry.split("=", 1) for entry in values(unit, "Environment"))


def kiosk_commands(unit: Path) -> list[list[str]]:
    """The unit's Exec lines that run the installed `kiosk`, as argument lists after it."""
    kiosk = f"{PREFIX}/.venv/bin/kiosk"
    lines = [value for key, value in directives(unit, "Service") if key.startswith("Exec")]
    return [shlex.split(line)[1:] for line in lines if shlex.split(line)[0] == kiosk]


def systemd_verify(units: dict[str, str], tmp_path: Path) -> str:
    """What `systemd-analyze verify` says about the units (name -> text), "" when nothing.

    It checks that the programs named exist, so the copies it reads name a link to this
    checkout (and its .venv) where the real units name /opt/kiosk. A misspelled directive is
    only a warning to it, with exit status 0: any output counts."""
    prefix = tmp_path / "opt-kiosk"
    prefix.symlink_to(ROOT)
    folder = tmp_path / "units"
    folder.mkdir()
    for name, text in units.items():
        (folder / name).write_text(text.replace(PREFIX, str(prefix)), encoding="utf-8")
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", "--recursive-errors=no", *units],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    said = (result.stdout + result.stderr).strip()
    return said if result.returncode == 0 else f"{said}\n(exit status {result.returncode})"


# --- the units -----------------------------------------------------------------------------


def test_systemd_accepts_every_unit(tmp_path):
    units = {unit.name: unit.read_text(encoding="utf-8") for unit in [*SERVICES, *TIMERS]}
    assert {"kiosk.service", "kiosk-browser.service", "kiosk-sweep.timer", "kiosk-purge.timer"} <= set(units)
    assert systemd_verify(units, tmp_path) == ""


def test_the_check_catches_a_misspelled_directive(tmp_path):
    broken = APP_UNIT.read_text(encoding="utf-8").replace("\nProtectHome=", "\nProtectHom=")
    assert "Unknown key 'ProtectHom'" in systemd_verify({"kiosk.service": broken}, tmp_path)


def test_the_timer_services_run_as_the_app_does():
    """Same user, settings, data folder and sandbox as kiosk.service, line for line."""
    # What differs by nature: how each one runs and for how long.
    own = set("Type NotifyAccess ExecStart ExecReload Restart RestartSec TimeoutStartSec TimeoutStopSec".split())
    shared = [line for line in directives(APP_UNIT, "Service") if line[0] not in own]
    for timer in TIMERS:
        service = timer.with_suffix(".service")
        assert service.exists(), f"{timer.name} starts {service.name}, which is missing"
        assert value(service, "Type") == "oneshot"
        assert [line for line in directives(service, "Service") if line[0] not in own] == shared, service.name
    assert ("ProtectSystem", "strict") in shared and ("CapabilityBoundingSet", "") in shared
    # The app's data folder is the state directory systemd creates and owns for the user.
    assert environment(APP_UNIT)["KIOSK_INSTANCE_PATH"] == "/var/lib/" + value(APP_UNIT, "StateDirectory")


def test_the_units_run_real_kiosk_commands_with_valid_options():
    commands = {unit.name: kiosk_commands(unit) for unit in SERVICES}
    assert commands["kiosk.service"][0][0] == "serve"
    assert [args[0] for args in commands["kiosk-sweep.service"]] == ["sweep", "print-retry"]
    assert [args[0] for args in commands["kiosk-purge.service"]] == ["purge"]
    for unit, runs in commands.items():
        for args in runs:
            command = kiosk_command.commands.get(args[0])
            assert command is not None, f"{unit}: 'kiosk {args[0]}' is not a kiosk command"
            command.make_context(args[0], args[1:])  # a wrong option raises click's UsageError


def test_the_timers_schedules_parse():
    for timer in TIMERS:
        settings = directives(timer, "Timer")
        assert settings, timer.name
        for key, setting in settings:
            if key == "OnCalendar":
                check = [SYSTEMD_ANALYZE, "calendar", setting]
            elif key.startswith("On") or key.endswith("Sec"):
                check = [SYSTEMD_ANALYZE, "timespan", setting]
            else:
                continue
            result = subprocess.run(check, capture_output=True, text=True)
            assert result.returncode == 0, f"{timer.name}: {key}={setting}: {result.stderr}"
        assert value(timer, "WantedBy", "Install") == "timers.target"


# --- the app as kiosk.service starts it ------------------------------------------------------


@dataclass
class Served:
    base: str
    process: subprocess.Popen
    notify: socket.socket

    def notification(self) -> tuple[int, list[str]]:
        """The next message to NOTIFY_SOCKET: the sender's PID (from the kernel) and its lines."""
        credentials = struct.calcsize("3i")
        message, ancillary, _flags, _address = self.notify.recvmsg(4096, socket.CMSG_SPACE(credentials))
        [(level, kind, data)] = ancillary
        assert (level, kind) == (socket.SOL_SOCKET, socket.SCM_CREDENTIALS)
        pid, _uid, _gid = struct.unpack("3i", data[:credentials])
        return pid, message.decode().splitlines()

    def ready(self) -> int:
        """Waits for READY=1, as systemd does for Type=notify; returns the PID that sent it."""
        while True:
            pid, lines = self.notification()
            if "READY=1" in lines:
                return pid


@pytest.fixture
def served(tmp_path, database_url):
    """The app started by kiosk.service's ExecStart (this checkout for /opt/kiosk, a free port
    for 8000) with NOTIFY_SOCKET bound here, as systemd would, on an instance 'kiosk init' made."""
    env = {**os.environ, "KIOSK_INSTANCE_PATH": str(tmp_path / "instance"), "KIOSK_DATABASE_URL": database_url}
    command = [word.replace(PREFIX, str(ROOT)) for word in shlex.split(value(APP_UNIT, "ExecStart"))]
    subprocess.run([command[0], "init"], env=env, check=True, capture_output=True)
    port = free_port()
    command[command.index("--port") + 1] = str(port)
    host = command[command.index("--host") + 1]

    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    notify.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    notify.settimeout(120)  # a bound on a broken start, not a measurement
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            command, env={**env, "NOTIFY_SOCKET": str(tmp_path / "notify")}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield Served(f"http://{host}:{port}", process, notify)
        finally:
            process.terminate()
            process.wait(timeout=60)
            notify.close()


def test_the_app_tells_systemd_it_is_ready_from_its_main_process(served):
    assert (value(APP_UNIT, "Type"), value(APP_UNIT, "NotifyAccess")) == ("notify", "main")
    # 'kiosk serve' execs gunicorn: the process systemd started is the one that says READY=1,
    # which is all NotifyAccess=main lets through.
    assert served.ready() == served.process.pid
    # Ready means listening: the first request waits for a worker instead of being refused.
    with urllib.request.urlopen(served.base + "/healthz", timeout=60) as response:
        assert response.status == 200 and json.load(response)["database"]["ok"] is True
    served.process.terminate()  # systemd's stop: SIGTERM, a graceful shutdown
    assert served.process.wait(timeout=60) == 0


# --- the kiosk's browser ---------------------------------------------------------------------


def browser_command(base: str, runtime: Path) -> tuple[list[str], dict[str, str]]:
    """kiosk-browser.service's Chromium command line and environment, with %t (the runtime
    directory root) and ${KIOSK_URL} filled in; the unit runs it inside the cage compositor."""
    (runtime / value(BROWSER_UNIT, "RuntimeDirectory")).mkdir(parents=True)

    def fill(text: str) -> str:
        return text.replace("%t", str(runtime)).replace("${KIOSK_URL}", base)

    words = shlex.split(value(BROWSER_UNIT, "ExecStart"))
    command = [fill(word) for word in words[words.index(CHROMIUM) :]]
    env = {**os.environ, **{name: fill(setting) for name, setting in environment(BROWSER_UNIT).items()}}
    env["KIOSK_URL"] = base
    return command, env


def default_origin() -> str:
    """Where the app answers by default: `kiosk serve`'s own defaults."""
    options = {option.name: option.default for option in kiosk_command.commands["serve"].params}
    return f"http://{options['host']}:{options['port']}"


def policy_for(origin: str, *, without: tuple[str, ...] = ()) -> dict:
    text = POLICY.read_text(encoding="utf-8")
    assert default_origin() in text
    policy = json.loads(text.replace(default_origin(), origin))
    return {name: setting for name, setting in policy.items() if name not in without}


def with_policy(command: list[str], policy: dict, folder: Path) -> list[str]:
    """`command` in a private mount namespace whose /etc/chromium has `policy` as its only
    managed policy (the rest of /etc/chromium copied as it is)."""
    etc = folder / "etc-chromium"
    shutil.copytree("/etc/chromium", etc, symlinks=True)
    managed = etc / "policies" / "managed"
    shutil.rmtree(managed, ignore_errors=True)
    managed.mkdir(parents=True)
    (managed / "kiosk.json").write_text(json.dumps(policy), encoding="utf-8")
    mount_then_run = 'mount --bind "$0" /etc/chromium && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount_then_run, str(etc), *command]


def test_the_browser_unit_points_at_the_app_with_a_fresh_profile_and_the_policy_agrees():
    origin = default_origin()
    assert environment(BROWSER_UNIT)["KIOSK_URL"] == origin
    app = shlex.split(value(APP_UNIT, "ExecStart"))
    assert f"http://{app[app.index('--host') + 1]}:{app[app.index('--port') + 1]}" == origin
    # The profile lives in the unit's runtime directory, which systemd empties at every stop.
    command = shlex.split(value(BROWSER_UNIT, "ExecStart"))
    assert f"--user-data-dir=%t/{value(BROWSER_UNIT, 'RuntimeDirectory')}" in command
    assert "--kiosk" in command and command[-1] == "${KIOSK_URL}/"
    assert "${KIOSK_URL}/healthz" in value(BROWSER_UNIT, "ExecStartPre")

    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    assert policy["VideoCaptureAllowedUrls"] == policy["URLAllowlist"] == [origin]
    assert policy["URLBlocklist"] == ["*"]
    assert policy["VideoCaptureAllowed"] is False and policy["AudioCaptureAllowed"] is False
    assert policy["TranslateEnabled"] is False and policy["PasswordManagerEnabled"] is False
    assert policy["DeveloperToolsAvailability"] == 2


class Chromium:
    """kiosk-browser.service's Chromium, headless, against `base`, with `policy` installed, and
    a DevTools port for the test to watch through."""

    def __init__(self, base: str, policy: dict, folder: Path, *extra: str):
        runtime = folder / "run"
        command, env = browser_command(base, runtime)
        command = with_policy([*command, *HEADLESS, "--remote-debugging-port=0", *extra], policy, folder)
        self.profile = runtime / value(BROWSER_UNIT, "RuntimeDirectory")
        self.log = folder / "chromium.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        self.started = time.monotonic()

    def running(self) -> None:
        """Fails when Chromium stopped, or after two minutes: a bound on a hang, not a measurement."""
        assert self.process.poll() is None, self.log.read_text()[-2000:]
        assert time.monotonic() < self.started + 120, "Chromium did not get there in two minutes"

    def devtools(self) -> str:
        """The DevTools address, once Chromium has written it into its profile."""
        port_file = self.profile / "DevToolsActivePort"
        while not port_file.exists() or not port_file.read_text().strip():
            self.running()
            time.sleep(0.1)
        return f"http://127.0.0.1:{port_file.read_text().split()[0]}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def page_title(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept-Language": "zh-CN"})
    with urllib.request.urlopen(request, timeout=60) as response:
        html = response.read().decode()
    return html[html.index("<title>") + len("<title>") : html.index("</title>")].strip()


@pytest.mark.browser
@needs_root
def test_the_browser_unit_command_line_shows_the_kiosk_under_the_whole_policy(served, tmp_path):
    served.ready()
    chromium = Chromium(served.base, policy_for(served.base), tmp_path)
    try:
        # DeveloperToolsAvailability=2 keeps the test from attaching to the page; the list of
        # targets still says what the kiosk shows once its page has loaded.
        targets = chromium.devtools() + "/json/list"
        expected = {"type": "page", "url": served.base + "/", "title": page_title(served.base + "/")}
        while True:
            chromium.running()
            with urllib.request.urlopen(targets, timeout=10) as response:
                pages = [{key: target[key] for key in expected} for target in json.load(response)]
            if expected in pages:
                break
            time.sleep(0.2)
    finally:
        chromium.stop()


GET_USER_MEDIA = """constraints => navigator.mediaDevices.getUserMedia(constraints)
    .then(stream => { stream.getTracks().forEach(track => track.stop()); return "granted"; },
          error => error.name)"""


@pytest.mark.browser
@needs_root
def test_the_policy_gives_the_camera_to_the_app_only(served, playwright, tmp_path):
    served.ready()
    # The DevTools protocol this test drives the page through is what DeveloperToolsAvailability=2
    # forbids, so that one policy stays out here (the previous test runs with all of them).
    policy = policy_for(served.base, without=("DeveloperToolsAvailability",))
    chromium = Chromium(served.base, policy, tmp_path, "--use-fake-device-for-media-stream")
    try:
        browser = playwright.chromium.connect_over_cdp(chromium.devtools())
        [context] = browser.contexts
        [page] = context.pages
        expect(page.locator("#start")).to_be_visible()
        assert page.url == served.base + "/"
        assert page.evaluate(GET_USER_MEDIA, {"video": True}) == "granted"  # no prompt: the policy allows it
        assert page.evaluate(GET_USER_MEDIA, {"audio": True}) == "NotAllowedError"
        # The same app under another name is another origin: not even opened.
        other = context.new_page()
        with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_ADMINISTRATOR"):
            other.goto(served.base.replace("127.0.0.1", "localhost") + "/")
        browser.close()
    finally:
        chromium.stop()


# --- the units under a real systemd ----------------------------------------------------------

SYSTEMD = Path("/lib/systemd/systemd")
needs_systemd = pytest.mark.skipif(
    os.geteuid() != 0 or not SYSTEMD.exists() or not Path("/usr/bin/python3").exists(),
    reason="running systemd in private namespaces needs root, /lib/systemd/systemd and Debian's python3",
)
INSTALL_SKIPS = shutil.ignore_patterns(
    ".venv", ".git", "instance", "test-artifacts", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache"
)
# A systemd manager in private mount and network namespaces, so that the units run with their
# real sandbox on a machine whose PID 1 is not systemd, and nothing of theirs outlives the test.
# It is the user manager, run as root (the system manager must be PID 1): it applies User= and
# the whole sandbox the same way. First, what a booted Debian has and this machine may not.
MANAGER = r"""
set -e
ip link set lo up
mount --bind /run /run                 # a mount point on Debian; else the units' own /run hides it
mount -t tmpfs tmpfs /run/systemd      # the user manager starts only where systemd booted
mkdir /run/systemd/system /run/systemd/inaccessible /run/systemd/user
mkdir -p /run/systemd/user/systemd/user && mount --bind "$4" /run/systemd/user/systemd/user
cd /run/systemd/inaccessible           # what ProtectHome= and others mount over hidden paths
mkdir dir; touch reg; mkfifo fifo; mknod chr c 0 0; mknod blk b 0 0
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
chmod 000 dir reg fifo chr blk sock
mount -t tmpfs tmpfs /opt && mkdir /opt/kiosk && mount --bind "$1" /opt/kiosk
mount -t tmpfs tmpfs /var/lib
mount --bind "$2" /etc/passwd && mount --bind "$3" /etc/group
# A user manager's StateDirectory= is under $XDG_CONFIG_HOME: /var/lib/kiosk as on a real system.
export XDG_RUNTIME_DIR=/run/systemd/user XDG_CONFIG_HOME=/var/lib
exec /lib/systemd/systemd --user
"""
RUNTIME = "/run/systemd/user"


def install_as_documented(target: Path) -> None:
    """This checkout at /opt/kiosk with a virtualenv of Debian's python3 (docs/deployment.md,
    step 2), built where the units will find it: /opt/kiosk exists in this namespace only."""
    shutil.copytree(ROOT, target, ignore=INSTALL_SKIPS)
    build = (
        "python3 -m venv /opt/kiosk/.venv && "
        "/opt/kiosk/.venv/bin/pip install --quiet -c /opt/kiosk/constraints.txt /opt/kiosk"
    )
    script = f'mount -t tmpfs tmpfs /opt && mkdir /opt/kiosk && mount --bind "$0" /opt/kiosk && {build}'
    env = {**os.environ, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(target)], env=env, check=True
    )


def with_user(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """Copies of /etc/passwd and /etc/group with a system user `name` (as `adduser --system`)."""
    taken = {int(line.split(":")[2]) for line in Path("/etc/passwd").read_text().splitlines() if line}
    taken |= {int(line.split(":")[2]) for line in Path("/etc/group").read_text().splitlines() if line}
    uid = max(set(range(900, 1000)) - taken)
    passwd, group = tmp_path / "passwd", tmp_path / "group"
    passwd.write_text(Path("/etc/passwd").read_text() + f"{name}:x:{uid}:{uid}::/var/lib/{name}:/usr/sbin/nologin\n")
    group.write_text(Path("/etc/group").read_text() + f"{name}:x:{uid}:\n")
    return passwd, group


@dataclass
class Manager:
    process: subprocess.Popen

    def run(self, *command: str, check: bool = True, path: str = "") -> subprocess.CompletedProcess:
        """`command` inside the manager's namespaces, told where the manager listens."""
        env = {**os.environ, "XDG_RUNTIME_DIR": RUNTIME}
        if path:
            env["PATH"] = f"{path}:{env['PATH']}"
        inside = ["nsenter", f"--target={self.process.pid}", "--mount", "--net", *command]
        result = subprocess.run(inside, env=env, capture_output=True, text=True, timeout=300)
        assert not check or result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
        return result

    def systemctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("systemctl", "--user", *args, check=check)


@pytest.fixture
def systemd(tmp_path):
    """A systemd manager with kiosk.service, kiosk-sweep.service and kiosk-purge.service, as
    installed, and the code installed at /opt/kiosk as documented; their output goes to
    tmp_path/<unit>.log (there is no journal here), the only change to the units."""
    if not Path("/home").is_dir():
        Path("/home").mkdir()  # Debian ships it; ProtectHome= needs it, and this machine kind lacks it
    install_as_documented(tmp_path / "opt-kiosk")
    units = tmp_path / "units"
    units.mkdir()
    for unit in (APP_UNIT, ROOT / "deploy" / "kiosk-sweep.service", ROOT / "deploy" / "kiosk-purge.service"):
        shutil.copy(unit, units)
        (units / f"{unit.name}.d").mkdir()
        (units / f"{unit.name}.d" / "log.conf").write_text(
            f"[Service]\nStandardOutput=append:{tmp_path / unit.stem}.log\nStandardError=inherit\n"
        )
    passwd, group = with_user(tmp_path, value(APP_UNIT, "User"))
    process = subprocess.Popen(
        ["unshare", "--mount", "--net", "--propagation", "private", "sh", "-c", MANAGER, "manager"]
        + [str(tmp_path / "opt-kiosk"), str(passwd), str(group), str(units)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    manager = Manager(process)
    try:
        started = time.monotonic()
        while manager.systemctl("is-system-running", check=False).stdout.strip() not in ("running", "degraded"):
            assert process.poll() is None and time.monotonic() < started + 60, "the systemd manager did not start"
            time.sleep(0.2)
        # systemd makes its notification socket writable for every user; the user manager's is
        # its owner's only, and the app runs as the kiosk user.
        manager.run("chmod", "0777", f"{RUNTIME}/systemd/notify")
        yield manager
    finally:
        process.terminate()  # the manager stops its units, then exits
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@needs_systemd
def test_the_units_run_the_app_in_their_sandbox_under_systemd(systemd, tmp_path):
    # kiosk-admin as the documented commands use it (systemd-run, here of the user manager).
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "systemd-run").write_text('#!/bin/sh\nexec /usr/bin/systemd-run --user "$@"\n')
    (shim / "systemd-run").chmod(0o755)
    init = systemd.run("sh", str(ROOT / "deploy" / "kiosk-admin"), "init", path=str(shim))
    assert "station 330402" in init.stdout

    # Type=notify: 'start' returns once the app's READY=1 has come, and fails if it never does.
    systemd.systemctl("start", "kiosk.service")
    health = json.loads(systemd.run("curl", "--silent", "--fail", "http://127.0.0.1:8000/healthz").stdout)
    assert health["database"]["ok"] is True

    main_pid = systemd.systemctl("show", "--property=MainPID", "--value", "kiosk.service").stdout.strip()
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{main_pid}/status").read_text().splitlines() if ":" in line
    )
    kiosk_uid = Path(tmp_path / "passwd").read_text().splitlines()[-1].split(":")[2]
    assert status["Uid"].split() == [kiosk_uid] * 4
    assert (status["NoNewPrivs"].strip(), status["Seccomp"].strip(), int(status["CapBnd"], 16)) == ("1", "2", 0)
    mounts = [line.split() for line in Path(f"/proc/{main_pid}/mountinfo").read_text().splitlines()]
    assert "ro" in next(fields[5].split(",") for fields in mounts if fields[4] == "/")  # ProtectSystem=strict

    # The timers' services: the same user, settings and sandbox, and their commands work there.
    systemd.systemctl("start", "kiosk-sweep.service")
    assert "abandoned kiosk sessions forgotten" in (tmp_path / "kiosk-sweep.log").read_text()
    systemd.systemctl("start", "kiosk-purge.service")
    assert "abandoned kiosk sessions" in (tmp_path / "kiosk-purge.log").read_text()

    systemd.systemctl("stop", "kiosk.service")
    assert systemd.systemctl("show", "--property=Result", "--value", "kiosk.service").stdout.strip() == "success"
