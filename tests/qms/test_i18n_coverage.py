"""Every user-visible text of a template is marked for translation (issue 20):
bin/unmarked_strings.py reads each template with Django's lexer and an HTML
parser and reports text and visible attributes outside {% translate %} and
{% blocktranslate %}. PENDING is the list of templates not yet marked; it may
only shrink: a template off it must stay clean, and one on it that is clean
must come off it."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CHECK = runpy.run_path(str(ROOT / "bin" / "unmarked_strings.py"))

PENDING = {
    "api/templates/api/_token_rows.html",
    "api/templates/api/token_admin.html",
    "api/templates/api/token_list.html",
    "api/templates/api/webhook_detail.html",
    "api/templates/api/webhook_list.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "templates/auditor/_asof_header.html",
    "templates/auditor/_readiness_summary.html",
    "templates/auditor/_readiness_table.html",
    "templates/auditor/access_detail.html",
    "templates/auditor/access_invite.html",
    "templates/auditor/access_list.html",
    "templates/auditor/access_renew.html",
    "templates/auditor/asof_document_detail.html",
    "templates/auditor/asof_document_list.html",
    "templates/auditor/asof_record_detail.html",
    "templates/auditor/asof_record_list.html",
    "templates/auditor/asof_register.html",
    "templates/auditor/clause_detail.html",
    "templates/auditor/home.html",
    "templates/auditor/pack_build.html",
    "templates/auditor/pack_verify.html",
    "templates/auditor/readiness_map.html",
    "templates/auditor/request_detail.html",
    "templates/auditor/request_list.html",
    "templates/auditor/request_new.html",
    "templates/emails/digest.html",
    "templates/emails/digest.txt",
    "templates/emails/digest_subject.txt",
    "templates/equipment/calibration_form.html",
    "templates/equipment/instrument_detail.html",
    "templates/equipment/instrument_form.html",
    "templates/equipment/instrument_impact.html",
    "templates/equipment/instrument_list.html",
    "templates/equipment/instrument_status.html",
    "templates/equipment/instrument_trail.html",
    "templates/guides/page.html",
    "templates/includes/_bulk_bar.html",
    "templates/includes/_bulk_rows.html",
    "templates/includes/_bulk_select_all.html",
    "templates/includes/_changed_banner.html",
    "templates/includes/_job_status.html",
    "templates/includes/_messages.html",
    "templates/includes/_pagination.html",
    "templates/includes/_signature_form.html",
    "templates/includes/_signatures.html",
    "templates/includes/_text_extraction.html",
    "templates/includes/_trail.html",
    "templates/intake/_upload.html",
    "templates/intake/index.html",
    "templates/intake/mapping.html",
    "templates/intake/new_documents.html",
    "templates/intake/new_people.html",
    "templates/intake/new_records.html",
    "templates/intake/run_detail.html",
    "templates/pdf/_controlled_page.css.html",
    "templates/pdf/audit_plan.html",
    "templates/pdf/audit_report.html",
    "templates/pdf/manual_front.html",
    "templates/pdf/print_stamp.html",
    "templates/pdf/readiness.html",
    "templates/pdf/record.html",
    "templates/pdf/review_pack.html",
    "templates/pdf/revision.html",
    "templates/pdf/suppliers_asl.html",
    "templates/pdf/table.html",
    "templates/qms/_chart.html",
    "templates/qms/access_review.html",
    "templates/qms/bulk_preview.html",
    "templates/qms/bulk_results.html",
    "templates/qms/clause_list.html",
    "templates/qms/job_detail.html",
    "templates/qms/notification_list.html",
    "templates/qms/search.html",
    "templates/qms/security.html",
    "templates/qms/session_list.html",
    "templates/qms/trail.html",
    "templates/qms/trail_export.html",
    "templates/records/_builder_row.html",
    "templates/records/_builder_rules.html",
    "templates/records/_nav.html",
    "templates/records/_record_badges.html",
    "templates/records/_staged_files.html",
    "templates/records/record_amend.html",
    "templates/records/record_detail.html",
    "templates/records/record_dispose.html",
    "templates/records/record_form.html",
    "templates/records/record_list.html",
    "templates/records/record_list_rows.html",
    "templates/records/record_retention.html",
    "templates/records/recordtype_detail.html",
    "templates/records/recordtype_fields.html",
    "templates/records/recordtype_form.html",
    "templates/records/recordtype_list.html",
    "templates/registration/locked_out.html",
    "templates/registration/login_verify.html",
    "templates/registration/mfa_recovery_codes.html",
    "templates/registration/mfa_setup.html",
    "templates/registration/password_change_done.html",
    "templates/registration/password_change_form.html",
    "templates/registration/password_reset_complete.html",
    "templates/registration/password_reset_confirm.html",
    "templates/suppliers/_nav.html",
    "templates/suppliers/approved_list.html",
    "templates/suppliers/criteria_list.html",
    "templates/suppliers/criterion_form.html",
    "templates/suppliers/evaluation_detail.html",
    "templates/suppliers/evaluation_form.html",
    "templates/suppliers/scorecard.html",
    "templates/suppliers/supplier_detail.html",
    "templates/suppliers/supplier_form.html",
    "templates/suppliers/supplier_list.html",
    "templates/suppliers/supplier_status.html",
    "templates/suppliers/supplier_trail.html",
}


def _relative(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", CHECK["template_files"](), ids=_relative)
def test_template_text_is_marked_for_translation(path):
    found = CHECK["unmarked"](path)
    if _relative(path) in PENDING:
        assert found, "every text of this template is marked now: take it off PENDING"
    else:
        assert found == [], "\n".join(f"line {line}: {text}" for line, text in found)


def test_pending_names_only_templates_that_exist():
    assert sorted(p for p in PENDING if not (ROOT / p).is_file()) == []


def test_the_check_finds_text_and_visible_attributes_and_skips_what_is_marked(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% load i18n %}<h1>{% translate "Records" %}</h1>\n'
        '<p title="Open the record">{{ record.number }}</p>\n'
        '<input type="submit" value="Save">\n'
        '{% blocktranslate with n=count %}{{ n }} records{% endblocktranslate %}\n'
        '<script>const label = "not a page text";</script>\n'
        '<span>CSV · XLSX</span> <em>New record</em>\n'
        '{% comment %}a note for developers{% endcomment %}\n')
    assert CHECK["unmarked"](sample) == [(2, 'title="Open the record"'), (3, 'value="Save"'), (6, "New record")]
