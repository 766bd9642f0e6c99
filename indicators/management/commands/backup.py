"""A consistent copy of the whole database in one file: pg_dump's custom format on
PostgreSQL, SQLite's online backup API (safe while the site is writing) on SQLite."""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from indicators.management.commands.restore import is_postgresql, postgres_tool


class Command(BaseCommand):
    help = "Write a consistent copy of the database to PATH (restore it with `manage.py restore`)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, path, **options):
        if path.exists():
            raise CommandError(f"{path} already exists; choose a new file name.")
        path.parent.mkdir(parents=True, exist_ok=True)
        if is_postgresql():
            postgres_tool(
                "pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"
            )
        else:
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        self.stdout.write(f"Backed up {connection.settings_dict['NAME']} to {path}.")
