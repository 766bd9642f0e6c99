"""Replace the database's contents with a file written by `manage.py backup`."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SIGNATURES = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}


def is_postgresql():
    return connection.vendor == "postgresql"


def postgres_tool(name, *args):
    """Run pg_dump / pg_restore against this project's database; fail with its own message."""
    if shutil.which(name) is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = [name, *args, f"--dbname={db['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command.append(f"{option}={db[key]}")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{name} failed: {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Replace every row in the database with the backup in PATH. Run `migrate` afterwards."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, path, interactive, **options):
        kind = "postgresql" if is_postgresql() else "sqlite"
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        with path.open("rb") as file:
            head = file.read(16)
        if not head.startswith(SIGNATURES[kind]):
            found = next((k for k, s in SIGNATURES.items() if head.startswith(s)), None)
            raise CommandError(
                f"{path} is not a {kind} backup" + (f" (it is a {found} one)." if found else ".")
            )
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(f"Replace everything in {name} with {path}? Type 'yes' to continue: ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        if kind == "postgresql":
            connection.close()
            postgres_tool(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            )
        else:
            connection.ensure_connection()
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        self.stdout.write(f"Restored {name} from {path}.")
