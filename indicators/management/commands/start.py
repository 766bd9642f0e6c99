"""The production start sequence, shared by docker-compose and its native test.

migrate → load the reference data if the database is empty → exec gunicorn.
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the reference data into an empty database, then serve with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=f"0.0.0.0:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "3"))

    def handle(self, bind, workers, **options):
        call_command("migrate", interactive=False, verbosity=1)
        call_command("load_reference")
        self.stdout.write(f"Serving on {bind} with {workers} gunicorn workers.")
        self.stdout.flush()
        os.execvp(
            "gunicorn",
            [
                "gunicorn",
                "equalization.wsgi",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--no-control-socket",
                "--access-logfile",
                "-",
                "--chdir",
                str(settings.BASE_DIR),
            ],
        )
