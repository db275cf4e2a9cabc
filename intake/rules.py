"""Who may import: the quality manager (with write access). Server folders: administrators."""

from django.utils.translation import gettext_lazy as _

from qms.permissions import can_write, is_quality_manager
from qms.rules import predicate, rule


@predicate
def can_import(user) -> bool:
    return is_quality_manager(user) and can_write(user)


@predicate
def can_import_from_folder(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


@predicate
def can_view_run(user, run=None) -> bool:
    return is_quality_manager(user)


rule("intake.import", can_import, _("Only the quality manager can import documents, records and people."))
rule("intake.import_folder", can_import_from_folder, _("Only an administrator can import from a folder on the server."))
rule("intake.view_run", can_view_run, _("Only the quality manager can read import reports."))
