"""Shared by the import commands: who imports, the printed report, the real run in-process."""

from django.core.management.base import CommandError

from intake.services import execute_run
from qms.errors import DomainError
from qms.models import User
from qms.permissions import Role


def checked_run(**kwargs):
    """create_run, with a refusal (not a quality manager, a folder without admin rights) as a command error."""
    from intake.services import create_run

    try:
        return create_run(**kwargs)
    except DomainError as exc:
        raise CommandError(exc.message) from exc


def importer(username: str):
    """The named user, or the only active superuser who is also a quality manager."""
    qs = User.objects.filter(is_active=True)
    if username:
        user = qs.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        return user
    candidates = list(qs.filter(is_superuser=True, groups__name=Role.QUALITY_MANAGER)[:2])
    if len(candidates) != 1:
        raise CommandError("Say who imports: --as <username> (a quality manager; folders need an administrator).")
    return candidates[0]


def print_report(cmd, run) -> None:
    report = run.report or {}
    for e in report.get("errors", []):
        cmd.stdout.write(f"ERROR: {e}")
    for n in report.get("notices", []):
        cmd.stdout.write(f"notice: {n}")
    for r in report.get("rows", []):
        what = r.get("number") and f"{r['number']} rev {r.get('label', '')}" or r.get("username") or ""
        line = f"row {r['row']}: {what} — {'PROBLEM' if r.get('problems') else (r.get('action') or '-')}"
        cmd.stdout.write(line)
        for p in r.get("problems", []):
            cmd.stdout.write(f"    problem: {p}")
        for w in r.get("warnings", []):
            cmd.stdout.write(f"    note: {w}")
    s = report.get("summary", {})
    cmd.stdout.write(f"Import {run.pk}: {s.get('rows', 0)} rows, {run.error_count} problem(s). "
                     + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in s.items() if k not in ("rows", "problems")))


def finish(cmd, run, dry_run: bool) -> None:
    if run.error_count:
        raise CommandError(f"{run.error_count} problem(s): nothing was imported. Correct them and run again.")
    if dry_run:
        cmd.stdout.write("Dry run: nothing was written.")
        return
    try:
        counts = execute_run(run, progress=lambda done, total: None)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    cmd.stdout.write(cmd.style.SUCCESS("Imported: " + ", ".join(f"{v} {k}" for k, v in counts.items())))
