"""`make load`: 60 s of wrk against gunicorn + PostgreSQL holding the national-scale data.

    python bench/load.py [--connections 50] [--duration 60] [--workers 4] [--no-write]

LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/eq_load) is migrated and, if it
holds fewer than 3,000 regions, given the reference data and `generate_data --scale national`
(about a minute); it is never dropped. The server is `manage.py start` (the production start:
migrate, load_reference, gunicorn sync workers) with DEBUG off on loopback. The scenario is
bench/load.lua. Prints requests/s, p50/p95/p99 and the errors (non-2xx and socket errors) and
writes them into BENCHMARKS.md's "## Load" section. Exits 1 if any request failed.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, describe, free_port, machine, manage, percentile

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/eq_load"


def need_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install wrk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
        subprocess.run(install, env=env)
    if not shutil.which("wrk"):
        raise SystemExit("make load needs wrk (the Debian package `wrk`): sudo apt-get install wrk")
    return shutil.which("wrk")


def prepare_database(url, env):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL is not reachable at {admin}: {error}") from None
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_reference")
    with psycopg.connect(url) as conn:
        regions = conn.execute("SELECT count(*) FROM indicators_region").fetchone()[0]
    if regions < 3000:
        print("loading the national-scale data (about a minute)…", flush=True)
        print(manage(env, "generate_data", "--scale", "national", "--seed", "2035").strip())
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT count(*) FROM indicators_observation").fetchone()[0]
    return version, rows


def wait_healthy(port, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn never answered /healthz")


def per_page(log):
    """(page, requests, p50 ms, p95 ms) of gunicorn's own time per request, by page kind."""
    kinds = {}
    for path, _status, micros in re.findall(r"^LOADLOG (\S+) (\d+) (\d+)$", log, re.M):
        if path.startswith("/healthz"):
            continue
        path = path.rstrip("?")
        kind = (
            "CSV export (one indicator, a province and its subregions)"
            if "export.csv" in path
            else "indicator page"
            if path.startswith("/indicators/")
            else "province scorecard"
            if path.startswith("/regions/")
            else "overview (a province)"
            if "region=" in path
            else "overview (country)"
        )
        kinds.setdefault(kind, []).append(int(micros) / 1000)
    return [
        (kind, len(times), percentile(times, 0.5), percentile(times, 0.95))
        for kind, times in sorted(kinds.items())
    ]


def write_section(text):
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    start = current.find("\n## Load\n")
    if start != -1:
        end = current.find("\n## ", start + 1)
        current = current[:start] + (current[end:] if end != -1 else "\n")
    path.write_text(current.rstrip("\n") + "\n\n" + text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args()
    wrk = need_wrk()
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    port = free_port()
    static = tempfile.mkdtemp(prefix="eq-load-static-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static,
        "WEB_CONCURRENCY": str(args.workers),
        "LOG_LEVEL": "WARNING",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
        # Each access-log line: path, status, server time in µs (per-page figures below).
        "GUNICORN_CMD_ARGS": "--access-logformat='LOADLOG %(U)s?%(q)s %(s)s %(D)s'",
    }
    version, rows = prepare_database(url, env)
    manage(env, "collectstatic", "--noinput", "-v0")
    started = datetime.datetime.now(datetime.UTC)
    host = describe(machine())
    log = open(Path(static) / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "start", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(port, server)
        command = [
            wrk,
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(ROOT / "bench/load.lua"),
            f"http://127.0.0.1:{port}",
        ]
        print("$ " + " ".join(command), flush=True)
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=args.duration + 60
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    print(out)
    pages = per_page((Path(static) / "gunicorn.log").read_text())
    shutil.rmtree(static, ignore_errors=True)
    for row in pages:
        print("  {:<78} {:>5} {:>8.0f} {:>8.0f}".format(*row))
    found = re.search(r"^LOAD_RESULT (\{.*\})$", out, re.M)
    if not found:
        raise SystemExit("wrk printed no LOAD_RESULT line")
    r = json.loads(found.group(1))
    socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
    failed = r["non2xx"] + socket_errors
    rps = r["requests"] / (r["duration_us"] / 1e6)
    ms = {k: r[f"{k}_us"] / 1000 for k in ("p50", "p95", "p99", "max")}
    summary = (
        f"{r['requests']:,} requests in {r['duration_us'] / 1e6:.1f} s: {rps:,.1f} requests/s; "
        f"latency p50 {ms['p50']:.0f} ms, p95 {ms['p95']:.0f} ms, p99 {ms['p99']:.0f} ms, "
        f"max {ms['max']:.0f} ms; errors {failed} ({failed / max(r['requests'], 1):.2%}): "
        f"{r['non2xx']} non-2xx, {r['connect']} connect, {r['read']} read, {r['write']} write, "
        f"{r['timeout']} timeout"
    )
    print(summary)
    if not args.no_write:
        write_section(
            "## Load\n\n"
            f"Made by `make load` (`python bench/load.py`, scenario `bench/load.lua`) on "
            f"{started:%Y-%m-%d %H:%M} UTC: {host}. PostgreSQL {version}, national scale "
            f"({rows:,} observations). Server: `manage.py start` (gunicorn, {args.workers} sync "
            f"workers, DEBUG off) on loopback; the client, wrk, on the same machine.\n\n"
            f"`{' '.join(['wrk', *command[1:-2]])} bench/load.lua http://127.0.0.1:PORT` — "
            f"{args.connections} "
            f"connections for {args.duration} s, each cycling through the overview (country "
            "and three provinces), four indicator pages, four province scorecards and two "
            "filtered CSV exports (one indicator, one province and its subregions).\n\n"
            "| requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | "
            "non-2xx | socket errors |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
            f"| {r['requests']:,} | {rps:,.1f} | {ms['p50']:.0f} | {ms['p95']:.0f} | "
            f"{ms['p99']:.0f} | {ms['max']:.0f} | {failed} | {r['non2xx']} | {socket_errors} |\n"
            f"\nWith {args.connections} connections always busy, each request waits about "
            f"{args.connections} ÷ {rps:.1f} = {args.connections / rps:.1f} s (Little's law): the "
            f"latency is mostly queueing for one of the {args.workers} workers. Where the time "
            "goes: gunicorn's own time per request (`%(D)s`, from the access log), on a machine "
            "shared with the client and PostgreSQL.\n\n"
            "| page | requests | server p50 ms | server p95 ms |\n| --- | --- | --- | --- |\n"
            + "".join(f"| {k} | {n} | {p50:.0f} | {p95:.0f} |\n" for k, n, p50, p95 in pages)
            + f"\nLoad average after the run: "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}.\n"
        )
        print("wrote the Load section of BENCHMARKS.md")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
