from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from indicators.models import Observation


class Command(BaseCommand):
    help = (
        "Load the sourced reference data (fixtures/reference.json) into an empty database. "
        "Safe to run again: an already filled database is left as it is unless --force is "
        "given, which updates the reference rows in place (matched by natural key)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload over existing data")

    def handle(self, force, **options):
        if Observation.objects.exists() and not force:
            self.stdout.write("Reference data already present; nothing loaded (use --force).")
            return
        with transaction.atomic():
            call_command("loaddata", "reference", verbosity=options["verbosity"])
