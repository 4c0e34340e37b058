"""A bounded load on the web application, on loopback: concurrent signed-in users for a fixed time.

Two profiles, from the issues:

- ``--profile pages`` (issue 14): 20 users for 30 s on the dashboard, a borough page and a
  measure page of the London example. Aim: p95 under 200 ms, no errors.
- ``--profile deployment`` (issue 17): 50 users for 60 s across the main pages and the JSON
  API, on PostgreSQL behind gunicorn with the production settings. Aim: no errors; report p95
  and p99.

Either profile runs the application as it is deployed (docs/deployment.md): gunicorn with the
production settings, static files collected and served by WhiteNoise, the client sending
``X-Forwarded-Proto: https`` as the proxy that ends HTTPS would. The database is SQLite or
PostgreSQL (``--database``); the warehouse is the London 2023/24 example's data, loaded afresh.

Each user signs in once (its own session), then asks for the profile's pages one after the
other with no pause (a closed loop: a harsher load than people reading pages), for the given
time. Before the timed run, every page is asked for until each server process has made its
figures once (the application keeps a service's result for five minutes); the first, cold
request of each page is reported separately. The **baseline**, timed in the same run with the
same users, is the site's stylesheet (a static file served by WhiteNoise from memory): the
floor that the server, the client and the machine set.

Run from the project root:

    .venv/bin/python benchmarks/web_load.py --profile pages
    .venv/bin/python benchmarks/web_load.py --profile deployment --database postgres
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "london-2023-24"
PASSWORD = "bench-" + secrets.token_urlsafe(12)
PROFILES = {
    "pages": {"users": 20, "seconds": 30, "paths": [
        "/", "/boroughs/lambeth/", "/measures/neighbourhood-crime/"]},
    "deployment": {"users": 50, "seconds": 60, "paths": [
        "/", "/plan/", "/boroughs/lambeth/", "/boroughs/westminster/measures/neighbourhood-crime/",
        "/measures/neighbourhood-crime/", "/targets/", "/requirement/", "/partners/", "/downloads/",
        "/api/plan", "/api/monitoring", "/api/targets", "/api/measures/neighbourhood-crime/values"]},
}
ACCOUNTS = ["member", "performance", "investment", "admin"]  # roles that may open every page of the profiles
BASELINE = "/static/policingplan/style.css"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class User:
    """One signed-in user: a keep-alive connection and a session cookie."""

    def __init__(self, port: int, username: str):
        self.port, self.cookies = port, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        page = self.request("GET", "/accounts/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/accounts/login/", urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{username} could not sign in (status {status})")

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        origin = f"https://127.0.0.1:{self.port}"
        sent = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}", "Referer": origin + path,
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        if method == "POST":
            sent["Origin"] = origin
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt == 2:
                    raise
                self.connection.close()  # a keep-alive connection the server closed: open another
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text


def run(users: list[User], paths: list[str], seconds: float) -> tuple[list[float], list[str]]:
    """Every user asks for the paths in turn, from its own starting point, until the time is up."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def work(i: int, user: User) -> None:
        mine, wrong = [], []
        n = i
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
            t = time.perf_counter()
            try:
                status, _ = user.request("GET", path)
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                wrong.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            mine.append(time.perf_counter() - t)
            if status != 200:
                wrong.append(f"{path}: HTTP {status}")
        with lock:
            times.extend(mine)
            errors.extend(wrong)

    threads = [threading.Thread(target=work, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(label: str, times: list[float], errors: list[str], seconds: float) -> None:
    ms = [t * 1000 for t in times]
    print(f"{label}: {len(ms):,} requests in {seconds:.0f} s ({len(ms) / seconds:,.1f} a second), "
          f"{len(errors)} errors; p50 {percentile(ms, 50):,.0f} ms, p95 {percentile(ms, 95):,.0f} ms, "
          f"p99 {percentile(ms, 99):,.0f} ms, max {max(ms):,.0f} ms")
    for error in sorted(set(errors))[:10]:
        print(f"  error: {error} (×{errors.count(error)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="pages")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server's URL; the benchmark makes and drops a database of its own there")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    n_users, seconds = args.users or profile["users"], args.seconds or profile["seconds"]
    bin_dir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="policingplan-load-"))
    database_name = f"policingplan_load_{os.getpid()}"
    if args.database == "postgres":
        database = args.postgres.rsplit("/", 1)[0] + "/" + database_name
    else:
        database = f"sqlite:///{work / 'web.sqlite3'}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "policingplan.web.settings_production",
           "POLICINGPLAN_SECRET_KEY": secrets.token_urlsafe(64), "DATABASE_URL": database,
           "POLICINGPLAN_WEB_HOSTS": "127.0.0.1", "POLICINGPLAN_WEB_STATIC_ROOT": str(work / "static"),
           "POLICINGPLAN_WEB_PLAN": str(PLAN), "POLICINGPLAN_WAREHOUSE": str(work / "warehouse"),
           "POLICINGPLAN_DEMO_PASSWORD": PASSWORD}
    server = None
    try:
        if args.database == "postgres":
            subprocess.run([str(bin_dir / "python"), "-c", (
                "import psycopg, sys; c = psycopg.connect(sys.argv[1], autocommit=True); "
                f"c.execute('CREATE DATABASE {database_name}')"), args.postgres], check=True)
        print(f"Loading the London 2023/24 example's data into a new warehouse, on {args.database}…", flush=True)
        subprocess.run([str(bin_dir / "policingplan"), "data", "load", "--plan", str(PLAN), "--warehouse",
                        str(work / "warehouse")], check=True, env=env, capture_output=True, cwd=work)
        for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
            subprocess.run([str(bin_dir / "python"), "-m", "django", *command], check=True, env=env,
                           capture_output=True, cwd=work)
        subprocess.run([str(bin_dir / "policingplan"), "web", "create-demo-accounts"], check=True, env=env,
                       capture_output=True, cwd=work)
        port = free_port()
        server_log = open(work / "server.log", "wb")  # the server's own log, shown when a request fails
        server = subprocess.Popen([str(bin_dir / "gunicorn"), "policingplan.web.wsgi:application",
                                   "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                                   "--worker-class", "gthread", "--threads", str(args.threads),
                                   "--timeout", "120", "--log-level", "warning"], env=env, cwd=work,
                                  stdout=server_log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        users = [User(port, ACCOUNTS[i % len(ACCOUNTS)]) for i in range(n_users)]
        cold = {}
        for path in profile["paths"]:
            t = time.perf_counter()
            status, _ = users[0].request("GET", path)
            cold[path] = (time.perf_counter() - t, status)
        print("First (cold) request of each page, one server process:")
        for path, (t, status) in cold.items():
            print(f"  {path}: {t * 1000:,.0f} ms (HTTP {status})")
        print(f"Warming every server process ({args.workers} workers, {args.threads} threads each)…", flush=True)
        run(users, profile["paths"], 20)
        print(f"\n{n_users} users, {seconds:.0f} s each, gunicorn {args.workers}×{args.threads}, "
              f"production settings, {args.database}:")
        times, errors = run(users, profile["paths"], seconds)
        report(f"pages ({len(profile['paths'])} kinds)", times, errors, seconds)
        base_times, base_errors = run(users, [BASELINE], min(seconds, 15))
        report("baseline (the stylesheet, from WhiteNoise)", base_times, base_errors, min(seconds, 15))
        if errors or base_errors:
            print("The server's log ends:\n" + "\n".join(
                (work / "server.log").read_text(encoding="utf-8", errors="replace").splitlines()[-40:]))
        p95 = percentile([t * 1000 for t in times], 95)
        if args.profile == "pages":
            print(f"aim: p95 under 200 ms with no errors: {'met' if p95 < 200 and not errors else 'NOT met'}")
        else:
            print(f"aim: no errors: {'met' if not errors else 'NOT met'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.database == "postgres":
            subprocess.run([str(bin_dir / "python"), "-c", (
                "import psycopg, sys; c = psycopg.connect(sys.argv[1], autocommit=True); "
                f"c.execute('DROP DATABASE IF EXISTS {database_name} WITH (FORCE)')"), args.postgres])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
