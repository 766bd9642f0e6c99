"""Import observations from a CSV file through the same code path as the admin's import.

    manage.py import_csv FILE --user USERNAME [--dry-run] [--accept-warnings]

Prints the preview's counts and messages and how many rows per second the preview and the
write took; --dry-run stops after the preview and writes nothing."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from indicators import imports


class Command(BaseCommand):
    help = "Import observations from a CSV file (the admin's import, from the command line)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="who imports (their regions apply)")
        parser.add_argument("--dry-run", action="store_true", help="preview only")
        parser.add_argument("--accept-warnings", action="store_true")

    def handle(self, file, user, dry_run, accept_warnings, **options):
        try:
            user = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        raw = file.read_bytes()
        started = time.perf_counter()
        result = imports.preview(raw, file.name, user)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"preview: {result.total_rows} rows in {elapsed:.2f} s "
            f"({result.total_rows / elapsed:,.0f} rows/s); {result.counts()}"
        )
        for message in result.messages[:20]:
            self.stdout.write(
                f"  row {message.row} {message.column} [{message.level}] "
                f"{message.value!r}: {message.text}"
            )
        if len(result.messages) > 20:
            self.stdout.write(f"  … {len(result.messages) - 20} more messages")
        if dry_run:
            return
        if not result.can_confirm:
            raise CommandError("The file has errors; nothing was written.")
        if result.warnings and not accept_warnings:
            raise CommandError("The file has warnings; rerun with --accept-warnings to write it.")
        batch = imports.save_pending(result, user)
        started = time.perf_counter()
        batch = imports.confirm(batch, user)
        elapsed = time.perf_counter() - started
        written = batch.created_count + batch.updated_count
        self.stdout.write(
            f"confirm: {written} rows written in {elapsed:.2f} s "
            f"({written / elapsed:,.0f} rows/s); batch {batch.pk}"
        )
