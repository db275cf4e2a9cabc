"""Re-hash every stored file and compare with its recorded SHA-256."""

from django.core.management.base import BaseCommand, CommandError

from qms.integrity import check_files


class Command(BaseCommand):
    help = "Check every stored file (documents, renditions, manuals, evidence) against its SHA-256."

    def handle(self, *args, **options):
        report = check_files()
        for p in report.problems:
            self.stdout.write(f"{p.kind.upper()}: {p.model} #{p.pk} {p.name}")
        self.stdout.write(f"{report.checked} files checked, {len(report.problems)} problem(s).")
        if not report.ok:
            raise CommandError("Some stored files do not match their recorded hashes.")
