"""Every user-visible string of the apps' Python is marked for translation (issue 20):
bin/unmarked_strings.py --python reads each module's syntax tree and reports the
literal strings (and f-strings) a user reads — field labels and help texts,
choices labels, verbose names, messages, exception and rule refusal messages —
outside gettext. PENDING_PY is the list of modules not yet marked; it may only
shrink, as PENDING does for templates (tests/qms/test_i18n_coverage.py)."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CHECK = runpy.run_path(str(ROOT / "bin" / "unmarked_strings.py"))

PENDING_PY: set[str] = set()  # every module is marked (issue 20); a new one stays marked


def _relative(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", CHECK["python_files"](), ids=_relative)
def test_user_visible_python_text_is_marked_for_translation(path):
    found = CHECK["unmarked_python"](path)
    if _relative(path) in PENDING_PY:
        assert found, "every user-visible string of this module is marked now: take it off PENDING_PY"
    else:
        assert found == [], "\n".join(f"line {line}: {text}" for line, text in found)


def test_the_check_finds_stored_texts_and_notifications_written_without_a_msgid(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "notify(user, title=f'{capa.number} assigned to you', body=capa.title)\n"
        "notify_role(role, title=said(gettext_noop('Account locked: %(username)s'), username=u))\n"
        "problems.append(said('Unknown role.'))\n"
        "error = stored_text.text(f'The file {name} is missing.')\n"
        "fine = stored_text.text(gettext_noop('The file %(name)s is missing.'), name=name)\n")
    assert CHECK["unmarked_python"](sample) == [
        (1, "f-string: assigned to you"), (3, "Unknown role."), (4, "f-string: The file is missing.")]


def test_pending_py_names_only_modules_that_exist():
    assert sorted(p for p in PENDING_PY if not (ROOT / p).is_file()) == []


def test_the_check_finds_unmarked_labels_messages_refusals_and_choices(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from django.utils.translation import gettext_lazy as _\n"
        "class Status(models.TextChoices):\n"
        "    DRAFT = 'draft', 'Draft'\n"
        "    DONE = 'done', _('Done')\n"
        "name = forms.CharField(label='Your name', help_text=_('As on your badge.'))\n"
        "messages.success(request, f'Record {number} saved.')\n"
        "rule('records.view', pred, 'You cannot view this record.')\n"
        "raise DomainError(_('Nothing was changed.'))\n"
        "raise ValidationError('The date is in the future.')\n"
        "log.info('Not a user text at all')\n")
    assert CHECK["unmarked_python"](sample) == [
        (3, "Draft"), (5, "Your name"), (6, "f-string: Record saved."), (7, "You cannot view this record."),
        (9, "The date is in the future.")]
