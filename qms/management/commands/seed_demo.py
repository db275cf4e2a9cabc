"""Load the demo company with 18 months of history (idempotent). Refuses on
production settings unless --force.

Each app's `demo.seed` runs the real services under a moving clock (see
qms.demo.moving_clock), so what the dashboards, the as-of view and the
readiness map show is what the services recorded at the time."""

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from qms.demo import DEMO_PASSWORD, USERS, remembered_passwords, seed_core, settle_notifications


class Command(BaseCommand):
    help = "Create a small demo company with one user per role, and each app's demo data."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG=False (never in production).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with DEBUG=False. "
                "Use --force only on a throwaway demo server."
            )
        users = seed_core()
        notes: dict[str, str] = {}
        with remembered_passwords():
            for config in apps.get_app_configs():  # each app's `demo` module, in INSTALLED_APPS order
                if config.name == "qms" or not module_has_submodule(config.module, "demo"):
                    continue
                module = importlib.import_module(f"{config.name}.demo")
                module.seed(users=users, stdout=self.stdout)
                notes.update(getattr(module, "login_notes", dict)())
        settle_notifications()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in at {settings.SITE_URL} with:"))
        for username, full_name, _title, _dept, roles, is_admin in USERS:
            role = ", ".join(roles) or ("Administrator" if is_admin else "")
            note = f"\n              {notes[username]}" if username in notes else ""
            self.stdout.write(f"  {username:<9} / {DEMO_PASSWORD}   {full_name} ({role}){note}")
