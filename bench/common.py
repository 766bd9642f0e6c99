"""Helpers the benchmark scripts share (bench/run.py, bench/measure.py, bench/load.py)."""

import datetime
import os
import platform
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(env, *args):
    """Run `manage.py ARGS` with `env`; stop with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def machine():
    """What the figures were measured on: a shared machine's load matters."""
    meminfo = Path("/proc/meminfo").read_text()
    total = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 2**20
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory_gb": round(total, 1),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "python": platform.python_version(),
        "load_before": os.getloadavg(),
    }


def describe(info):
    """One line for a report: cores, memory, Python, load average before the run."""
    return (
        f"{info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB memory, "
        f"Python {info['python']}, load average before the run "
        f"{', '.join(f'{x:.1f}' for x in info['load_before'])}"
    )
