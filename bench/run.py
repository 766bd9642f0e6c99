"""`make bench`: measure the dashboard on SQLite and PostgreSQL, at reference and national scale.

For each database: a fresh database, migrate, the reference data; measure; then
`generate_data --scale national` (timed) and measure again. bench/measure.py does
the measuring. The table is printed and written to BENCHMARKS.md.

    python bench/run.py                        # everything (about 15–25 minutes)
    python bench/run.py --db sqlite --scale reference --requests 20 --import-rows 10000

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/eq_bench);
the database named there is DROPPED and recreated.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine, manage

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/eq_bench"


def fresh_postgres(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {admin} ({error}).\n"
            "Start it, set BENCH_DATABASE_URL, or run with --db sqlite."
        ) from None


def run_database(vendor, url, scales, args, static_root):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url}
    out = {"scales": {}}
    if vendor == "postgresql":
        out["server"] = f"PostgreSQL {fresh_postgres(url)}"
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        out["server"] = "SQLite (WAL)"
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_reference")
    for scale in scales:
        if scale == "national":
            started = time.perf_counter()
            said = manage(env, "generate_data", "--scale", "national", "--seed", "2035")
            out["load"] = {"seconds": round(time.perf_counter() - started, 1), "said": said.strip()}
            print(f"  [{vendor}] {said.strip()}", file=sys.stderr)
            if vendor == "postgresql":
                # Fresh statistics for the planner, as autovacuum would give a settled database.
                manage(env, "dbshell", "--", "-qc", "VACUUM ANALYZE")
            # The load leaves a gigabyte of dirty pages for the kernel to write back: let it,
            # so that the measurements do not compete with that.
            os.sync()
        print(f"  [{vendor}] measuring at {scale} scale…", file=sys.stderr)
        measured = subprocess.run(
            [
                sys.executable, "bench/measure.py", "--requests", str(args.requests),
                "--import-rows", str(args.import_rows), "--static-root", str(static_root),
            ],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if measured.returncode:
            raise SystemExit(f"bench/measure.py failed on {vendor}:\n{measured.stderr}")
        out["scales"][scale] = json.loads(measured.stdout)
    return out


def row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def report(info, results, args):
    lines = [
        "# Benchmarks",
        "",
        f"Made by `make bench` (`python bench/run.py {' '.join(sys.argv[1:])}`) on "
        f"{info['date']}: {info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB memory, "
        f"Python {info['python']}; load average before the run "
        f"{', '.join(f'{x:.1f}' for x in info['load_before'])} (a shared machine: compare "
        "ratios within one run, not absolute times across runs).",
        "",
        "Databases: "
        + "; ".join(f"{vendor}: {r['server']}" for vendor, r in results.items())
        + ". Reference scale = the shipped reference data (country, 31 provinces); national scale "
        "= plus `generate_data --scale national` (every prefecture and county, 2010–2024).",
        "",
    ]
    if any("load" in r for r in results.values()):
        lines += ["## Loading the national data (`generate_data --scale national`)", ""]
        lines += [row("database", "what it said"), row("---", "---")]
        for vendor, r in results.items():
            if "load" in r:
                lines.append(row(vendor, r["load"]["said"]))
        lines.append("")
    lines += [
        "## Pages",
        "",
        f"Server time (gunicorn's own request time, `%(D)s`) over {args.requests} sequential "
        "requests on loopback, 2 sync workers, DEBUG=0, after 3 warm-up requests; × trivial = p50 "
        "÷ the p50 of `/livez` (the whole middleware stack, no database) in the same run. "
        "Queries: in-process test client, `CaptureQueriesContext`. Bytes received with "
        "`Accept-Encoding: br, gzip` (headers + body): first visit = the page and every "
        "`/static/` asset it names; repeat visit = the page again plus a conditional request "
        "for any asset not still fresh in the cache.",
        "",
        row(
            "database",
            "scale",
            "page",
            "p50 ms",
            "p95 ms",
            "× trivial",
            "queries",
            "first visit KB",
            "repeat visit KB",
        ),  # fmt: skip
        row(*["---"] * 9),
    ]
    for vendor, r in results.items():
        for scale, m in r["scales"].items():
            trivial = next(iter(m["timings"].values()))
            for name, t in m["timings"].items():
                q = m["queries"].get(name, {})
                w = m["wire"].get(name, {})
                lines.append(
                    row(vendor, scale, name, t["p50_ms"], t["p95_ms"],
                        f"{t['p50_ms'] / trivial['p50_ms']:.0f}×", q.get("queries", "–"),
                        w.get("first_kb", "–"), w.get("repeat_kb", "–"))
                )  # fmt: skip
    lines += [
        "",
        "### The same pages without the page cache",
        "",
        "What a page costs when it is built: the first visit after any write to the data, or "
        "any visit by a signed-in user (`PAGE_CACHE_URL=dummy://`, same server settings).",
        "",
        row("database", "scale", "page", "p50 ms", "p95 ms", "× trivial"),
        row(*["---"] * 6),
    ]
    for vendor, r in results.items():
        for scale, m in r["scales"].items():
            timings = m.get("timings_uncached", {})
            trivial = next(iter(timings.values()), None)
            for name, t in list(timings.items())[1:]:
                lines.append(
                    row(vendor, scale, name, t["p50_ms"], t["p95_ms"],
                        f"{t['p50_ms'] / trivial['p50_ms']:.0f}×")
                )  # fmt: skip
    measured = [m for r in results.values() for m in r["scales"].values()]
    missing = {path for m in measured for path in m["missing_pages"]}
    if missing:
        lines += ["", f"Not on this branch, not measured: {', '.join(sorted(missing))}."]
    lines += ["", "### Queries per page must not grow with the data", ""]
    lines += [row("database", "page", "reference", "national", "equal"), row(*["---"] * 5)]
    for vendor, r in results.items():
        s = r["scales"]
        if {"reference", "national"} <= s.keys():
            for name, q in s["reference"]["queries"].items():
                big = s["national"]["queries"][name]["queries"]
                mark = "yes" if big == q["queries"] else "**NO**"
                lines.append(row(vendor, name, q["queries"], big, mark))
    for title, key in [("Export of the whole data set as CSV", "export"),
                       ("Import of a CSV of new rows", "import")]:  # fmt: skip
        lines += ["", f"## {title}", ""]
        lines += [row("database", "scale", "method", "rows", "s", "rows/s", "peak MB", "CSV MB")]
        lines.append(row(*["---"] * 8))
        for vendor, r in results.items():
            for scale, m in r["scales"].items():
                for e in m[key]:
                    if "status" in e:
                        lines.append(row(vendor, scale, e["method"], e["status"], *["–"] * 4))
                        continue
                    lines.append(
                        row(vendor, scale, e["method"], f"{e['rows']:,}", e["seconds"],
                            f"{e['rows_per_s']:,}", e["peak_mb"], e.get("mb", "–"))
                    )  # fmt: skip
    lines += ["", "### Against the budgets (same run)", ""]
    lines += [row("database", "scale", "measure", "ratio", "budget"), row(*["---"] * 5)]
    for vendor, r in results.items():
        for scale, m in r["scales"].items():
            for label, ratio, budget in budget_ratios(m):
                lines.append(row(vendor, scale, label, ratio, budget))
    lines += [
        "",
        "Peak MB = growth of the measuring process's resident memory during the run (sampled "
        "every 5 ms). Imports write into throw-away indicators and are rolled back; on "
        "PostgreSQL each checks its foreign keys as it writes (`SET CONSTRAINTS ALL "
        "IMMEDIATE`, as a committed import would at its commit) and the tables are vacuumed "
        "between peers. The product's figure is preview and confirmation together. The "
        "django-import-export resource resolves the indicator code with `ForeignKeyWidget` (one "
        "query a row) and takes the region code as the key it is; COPY loads a staging table "
        "and resolves the codes in one `INSERT … SELECT`.",
        "",
    ]
    return "\n".join(lines)


def speed(entries, prefix):
    found = [e for e in entries if e["method"].startswith(prefix) and "rows_per_s" in e]
    return found[0]["rows_per_s"] if found else None


def budget_ratios(measured):
    """(what, ratio, budget) for the export and import budgets, where both sides ran."""
    out = []
    trivial = next(iter(measured["timings"].values()))["p95_ms"]
    for name, t in list(measured["timings"].items())[1:]:
        if name in ("overview", "indicator"):
            out.append((f"{name} p95 ÷ trivial p95", f"{t['p95_ms'] / trivial:.1f}×", "≤ 4×"))
    uncached = measured.get("timings_uncached", {})
    if uncached:
        trivial = next(iter(uncached.values()))["p95_ms"]
        for name, t in list(uncached.items())[1:]:
            if name in ("overview", "indicator"):
                ratio = f"{t['p95_ms'] / trivial:.1f}×"
                out.append((f"{name} p95 ÷ trivial p95, page cache off", ratio, "≤ 4×"))
    product, copy = speed(measured["export"], "product"), speed(measured["export"], "COPY")
    if product and copy:
        out.append(("export ÷ COPY TO", f"{product / copy:.2f}×", "≥ 0.5×"))
    product = speed(measured["import"], "product")
    for peer, budget in (("django-import-export", "≥ 20×"), ("COPY", "≥ 0.2×")):
        other = speed(measured["import"], peer)
        if product and other:
            out.append((f"import ÷ {peer}", f"{product / other:.2f}×", budget))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", choices=["reference", "national", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    if args.requests < 50:
        print("note: under 50 requests a page: a quick run, not a benchmark", file=sys.stderr)
    info = machine()
    scales = ["reference", "national"] if args.scale == "both" else [args.scale]
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        static_root = Path(scratch) / "static"
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x", "STATIC_ROOT": str(static_root)}
        print("collecting static files (compressed)…", file=sys.stderr)
        manage(env, "collectstatic", "--noinput", "-v0")
        for vendor in databases:
            url = (
                os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
                if vendor == "postgresql"
                else f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
            )
            print(f"{vendor}: {url}", file=sys.stderr)
            if args.scale == "national":
                scales = ["national"]
            results[vendor] = run_database(vendor, url, scales, args, static_root)
    text = report(info, results, args)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
