"""Starts the built `xiaobao serve` on a free port with a fresh SQLite file and an SMTP sink, the
Nu HTML Checker as a local service (one JVM for the session) and Debian's Chromium.

Fixtures: base (the service's URL), sink (its mail), check (see checks.py), create_user (a staff
account on the service's database, through `xiaobao create-user`), staff (the same, logged in:
its bearer token), restaurant (西塘某餐馆 enrolled in ODR, with its desk), and pages:
phone / desktop (360x740, 1280x800, JavaScript on), phone_nojs / desktop_nojs (off), and
open_page(width, height, javascript) for more."""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from checks import Checker
from filing import BUSINESS_USCC, api
from smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
if not TARGET.is_absolute():
    TARGET = ROOT / TARGET
NODE = Path(os.environ.get("BROWSER_NODE", TARGET / "browser-node")) / "node_modules"
ARTIFACTS = TARGET / "browser-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = (360, 740)
# What the running service was started with, for fixtures that work on its database.
SERVICE = {}
DESKTOP = (1280, 800)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, process, what, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {timeout} s")


@pytest.fixture(scope="session")
def sink():
    sink = SmtpSink()
    yield sink
    sink.close()


BINARY = Path(os.environ.get("XIAOBAO_BIN", TARGET / "debug" / "xiaobao"))
# The running service's environment, for the command line to reach the same database.


def signing_key_entry(bureau):
    """A fresh XIAOBAO_SIGNING_KEYS entry for the bureau, so that 调解书 can be issued."""
    out = subprocess.run([str(BINARY), "signing-key", "--key-id", f"browser-{bureau}", "--bureau", bureau],
                         check=True, capture_output=True, text=True).stdout
    return next(line for line in out.splitlines() if line.startswith(f"browser-{bureau}:"))


@pytest.fixture(scope="session")
def base(sink):
    binary = BINARY
    assert binary.exists(), f"{binary} is missing: run cargo build first (scripts/test.sh does)"
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        env = dict(os.environ, PORT=str(port), XIAOBAO_HOST="127.0.0.1",
                   DATABASE_URL=f"sqlite://{work}/browser.db?mode=rwc",
                   SMTP_URL=f"smtp://127.0.0.1:{sink.port}", RUST_LOG="warn",
                   XIAOBAO_SIGNING_KEYS=signing_key_entry("330421"),
                   # The office never opens: a complaint of an urgent category (food, drugs …)
                   # always goes to the on-duty queue, whenever the tests run. None of the other
                   # journeys files one.
                   XIAOBAO_OFFICE_OPENS="00:00", XIAOBAO_OFFICE_CLOSES="00:00",
                   # The sweeps run every second, so a case aged by the journey escalates at once.
                   XIAOBAO_SWEEP_INTERVAL_SECONDS="1")
        env.pop("XIAOBAO_CONFIG", None)
        with open(Path(work) / "server.log", "w") as log:
            server = subprocess.Popen([str(binary), "serve"], env=env, stdout=log, stderr=log, cwd=work)
            SERVICE.update(binary=binary, env=env, work=work)
            url = f"http://127.0.0.1:{port}"
            try:
                wait_until_up(url + "/readyz", server, "xiaobao", 60)
                yield url
            finally:
                server.terminate()
                server.wait(timeout=15)
        text = (Path(work) / "server.log").read_text()
        assert "request failed" not in text, "the service logged internal errors:\n" + text[-4000:]


@pytest.fixture(scope="session")
def create_user(base):
    """create_user(username, password, role, *flags): e.g. ("xitang", "...", "mediator",
    "--station", "S330421103"); flags as `xiaobao create-user` takes them."""

    def create(username, password, role, *flags):
        env = dict(SERVICE["env"], XIAOBAO_NEW_PASSWORD=password)
        subprocess.run([str(SERVICE["binary"]), "create-user", "--username", username, "--role", role,
                        *flags], env=env, cwd=SERVICE["work"], check=True, capture_output=True, timeout=60)

    return create


@pytest.fixture(scope="session")
def staff(base, create_user):
    """staff(username, role, *flags) → a bearer token for a new account (flags as for
    `xiaobao create-user`, e.g. "--station", "S330421103")."""
    def create(username, role, *flags):
        password = "browser test password"
        create_user(username, password, role, *flags)
        request = urllib.request.Request(
            base + "/api/v1/auth/login", data=json.dumps({"username": username, "password": password}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["token"]
    return create


@pytest.fixture(scope="session")
def vnu_url():
    jar = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert jar.exists(), f"{jar} is missing: scripts/test.sh installs vnu-jar"
    port = free_port()
    checker = subprocess.Popen(
        ["java", "-Xss1024k", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(jar),
         "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, checker, "the Nu HTML Checker", 120)
        yield url
    finally:
        checker.terminate()
        checker.wait(timeout=15)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def checker(browser, vnu_url):
    axe = (NODE / "axe-core" / "axe.min.js").read_text()
    return Checker(browser, axe, vnu_url, str(ARTIFACTS))


@pytest.fixture
def check(checker):
    return checker


@pytest.fixture
def open_page(checker):
    opened = []

    def open_page(width, height, javascript=True):
        page = checker.open(width, height, javascript)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        checker.close(page)


@pytest.fixture
def phone(open_page):
    return open_page(*PHONE)


@pytest.fixture
def desktop(open_page):
    return open_page(*DESKTOP)


@pytest.fixture
def phone_nojs(open_page):
    return open_page(*PHONE, javascript=False)


@pytest.fixture
def desktop_nojs(open_page):
    return open_page(*DESKTOP, javascript=False)


@pytest.fixture(scope="session")
def restaurant(base, staff):
    """The restaurant of file_complaint, registered and enrolled in ODR, with its desk account,
    and a mediator of the 西塘 station; their tokens."""
    admin = staff("browser-jiashan", "bureau_admin", "--bureau", "330421")
    business = api(base, "POST", "/api/v1/businesses", {
        "name": "西塘某餐馆", "uscc": BUSINESS_USCC, "legal_representative": "王老板",
        "address": "浙江省嘉兴市嘉善县西塘镇南大街8号", "division_code": "330421103"}, token=admin)
    api(base, "POST", f"/api/v1/businesses/{business['id']}/odr/apply", {
        "desk_contact": "李经理", "desk_phone": "0573-84561234",
        "commitment": "承诺十个工作日内答复并履行和解结果"}, token=admin)
    api(base, "POST", f"/api/v1/businesses/{business['id']}/odr/decision",
        {"decision": "enroll", "reason": "条件具备"}, token=admin)
    return {
        "desk": staff("browser-desk", "enterprise_agent", "--business-uscc", BUSINESS_USCC),
        "mediator": staff("browser-xitang", "mediator", "--station", "S330421103"),
    }
