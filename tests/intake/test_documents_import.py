"""Document import: a register and a ZIP of real Word and PDF files become
documents with their history; the dry run reports every problem and writes nothing."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from documents.models import Document, NumberCounter, Revision
from documents.selectors import render_markdown
from documents.services import document_create
from intake.models import ImportedItem, ImportRun
from intake.services import create_run, execute_run, start_run
from qms.errors import PermissionRefused
from qms.models import AuditEvent, Signature
from tests.intake.files import csv_bytes, docx_bomb, docx_bytes, row, standard_set, xlsx_bytes, zip_of

pytestmark = pytest.mark.django_db


def _run(qm, rows, files, *, register="register.csv", data=None):
    return create_run(actor=qm, kind="documents", register_name=register,
                      register_data=data if data is not None else csv_bytes(rows),
                      files_name="files.zip", files_data=zip_of(files))


def _problems(run) -> list[str]:
    return [p for r in run.report["rows"] for p in r["problems"]] + run.report["errors"]


def test_dry_run_writes_nothing_then_the_run_builds_the_history(quality_manager, qa):
    rows, files = standard_set()
    before = (Document.objects.count(), Revision.objects.count(), Signature.objects.count())
    run = _run(quality_manager, rows, files)
    assert run.status == ImportRun.Status.CHECKED and run.error_count == 0, _problems(run)
    assert (Document.objects.count(), Revision.objects.count(), Signature.objects.count()) == before
    assert run.report["summary"]["documents_new"] == 2 and run.report["summary"]["revisions_new"] == 4
    actions = {(r["number"], r["label"]): r["action"] for r in run.report["rows"]}
    assert actions[("SOP-QA-007", "00")] == "create document SOP-QA-007, revision 00"

    execute_run(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    doc = Document.objects.get(number="SOP-QA-007")
    revs = list(doc.revisions.order_by("seq"))
    assert [(r.seq, r.label, r.status) for r in revs] == [
        (1, "00", "superseded"), (2, "01", "superseded"), (3, "02", "effective")]
    assert doc.effective_revision == revs[2] and doc.latest_revision == revs[2]
    # Word → Markdown, the original kept as the source file; the PDF stays a PDF
    assert "<h1>Purpose</h1>" in str(render_markdown(revs[0].content))
    assert "The first issue." in str(render_markdown(revs[0].content))
    assert revs[0].source_original_name == "sop7-00.docx"
    assert revs[0].source_sha256 and not revs[0].pdf_file
    assert revs[2].pdf_file and revs[2].pdf_original_name == "sop7-02.pdf" and not revs[2].content
    assert str(revs[0].effective_date) == "2021-03-01" and revs[0].retired_at.date().isoformat() == "2022-05-01"
    assert [c.number for c in doc.clauses.all()] == ["7.5"]
    assert [g.name for g in doc.distribution_groups.all()] == ["Staff"]
    # numbering counters advance past the imported numbers
    assert NumberCounter.objects.get(doc_type__code="SOP", scope="QA").last_seq == 7
    new = document_create(actor=quality_manager, doc_type=doc.doc_type, department=qa, title="Next one")
    assert new.number == "SOP-QA-008"
    wi = Document.objects.get(number="WI-QA-002")
    assert wi.effective_revision.label == "1.0"


def test_an_imported_documents_history_starts_with_one_row_holding_what_was_imported(quality_manager, qa):
    rows, files = standard_set()
    execute_run(_run(quality_manager, rows, files))
    doc = Document.objects.get(number="SOP-QA-007")
    (created,) = doc.history.all()  # not one row per step of the import
    assert created.history_type == "+" and created.history_user == quality_manager
    assert created.history_change_reason.startswith("Imported (import ")
    assert created.effective_revision_id == doc.effective_revision_id == doc.revisions.get(label="02").pk
    assert [c.clause.number for c in created.clauses.select_related("clause")] == ["7.5"]
    assert [g.group.name for g in created.distribution_groups.select_related("group")] == ["Staff"]
    # a later import of the next revision is a change of the same history
    files["sop7-03.docx"] = docx_bytes("The fourth issue.")
    rows.append(row(rev="03", effective="2025-02-01", approved="2025-01-30", file="sop7-03.docx"))
    execute_run(_run(quality_manager, rows, files))
    assert list(doc.history.order_by("history_id").values_list("history_type", flat=True)) == ["+", "~"]
    assert doc.history.latest("history_id").effective_revision.label == "03"


def test_historic_approval_is_an_imported_signature_never_an_e_signature(quality_manager, qa, client_for):
    rows, files = standard_set()
    execute_run(_run(quality_manager, rows, files))
    rev = Revision.objects.get(document__number="SOP-QA-007", label="01")
    sig = Signature.objects.get(object_id=rev.pk, content_type__model="revision")
    assert sig.meaning == Signature.Meaning.IMPORTED and sig.is_imported
    assert sig.printed_name == "Jane Former" and sig.signer == quality_manager and sig.method == "imported"
    assert sig.signed_at.date().isoformat() == "2022-04-28"
    assert "recorded by Quinn Marsh" in str(sig) and "approved outside this system" in str(sig)
    assert not Signature.objects.filter(meaning=Signature.Meaning.APPROVED).exists()
    page = client_for(quality_manager).get(rev.get_absolute_url()).content.decode()
    assert "Approved outside this system (imported record, not an e-signature)" in page
    assert "not an e-signature; recorded by Quinn Marsh" in page
    assert "imported approval" in page
    # The document's revision history names the approver of each imported revision in its "Approved by" column.
    history = client_for(quality_manager).get(rev.document.get_absolute_url()).content.decode()
    assert "Jane Former (approved outside this system on 2022-04-28, imported)" in history


def test_same_import_twice_creates_nothing_new(quality_manager, qa):
    rows, files = standard_set()
    execute_run(_run(quality_manager, rows, files))
    counts = (Document.objects.count(), Revision.objects.count(), Signature.objects.count(),
              ImportedItem.objects.count())
    again = _run(quality_manager, rows, files)
    assert again.error_count == 0
    assert {r["action"] for r in again.report["rows"]} == {"skip"}
    execute_run(again)
    assert (Document.objects.count(), Revision.objects.count(), Signature.objects.count(),
            ImportedItem.objects.count()) == counts


def test_a_later_import_adds_the_next_revision_and_supersedes_the_effective_one(quality_manager, qa):
    rows, files = standard_set()
    execute_run(_run(quality_manager, rows, files))
    files["sop7-03.docx"] = docx_bytes("The fourth issue.")
    rows.append(row(rev="03", effective="2025-02-01", approved="2025-01-30", file="sop7-03.docx"))
    run = _run(quality_manager, rows, files)
    assert run.error_count == 0
    assert run.report["summary"]["revisions_new"] == 1
    execute_run(run)
    doc = Document.objects.get(number="SOP-QA-007")
    assert list(doc.revisions.filter(status="effective").values_list("label", flat=True)) == ["03"]
    assert doc.revisions.get(label="02").status == "superseded"


def test_xlsx_register_works_the_same(quality_manager, qa):
    rows, files = standard_set()
    run = _run(quality_manager, rows, files, register="register.xlsx", data=xlsx_bytes(rows))
    assert run.error_count == 0, _problems(run)
    execute_run(run)
    assert Revision.objects.filter(document__number="SOP-QA-007").count() == 3


@pytest.mark.parametrize(("change", "expected"), [
    ({"file": "missing.docx"}, "is not in the ZIP file"),
    ({"type_": "XYZ"}, "Unknown document type “XYZ”"),
    ({"rev": "B"}, "does not fit the scheme of type SOP"),
    ({"rev": "O", "type_": "FRM", "number": "FRM-QA-001"}, "does not fit the scheme of type FRM"),
    ({"effective": "2999-01-01", "approved": "2998-12-01"}, "is in the future"),
    ({"effective": "31/31/2020"}, "is not a date"),
    ({"owner": "nobody-here"}, "no active user “nobody-here”"),
    ({"dept": "ZZ"}, "Unknown department “ZZ”"),
    ({"clauses": "7.5, 99.9"}, "Unknown ISO 9001 clause “99.9”"),
    ({"title": "=HYPERLINK(\"http://evil\")"}, "would run as a formula"),
    ({"approver": "@SUM(A1:A9)"}, "would run as a formula"),
    ({"file": "notes.txt"}, ".txt files cannot be imported"),
    ({"number": "SOP QA 7"}, "a number may hold only"),
    ({"approved": "2021-04-01"}, "after it became effective"),
])
def test_each_bad_row_is_reported_in_the_dry_run(quality_manager, qa, change, expected):
    files = {"sop7-00.docx": docx_bytes("x"), "notes.txt": b"plain text"}
    run = _run(quality_manager, [row(**change)], files)
    assert run.status == ImportRun.Status.BLOCKED and run.error_count == 1
    assert any(expected in p for p in _problems(run)), _problems(run)
    assert not Document.objects.exists()
    with pytest.raises(Exception, match="problem"):
        start_run(actor=quality_manager, run=run)


def test_duplicate_numbers_in_the_register_and_in_the_system(quality_manager, qa):
    files = {"sop7-00.docx": docx_bytes("x")}
    run = _run(quality_manager, [row(), row()], files)
    assert any("appears twice in the register" in p for p in _problems(run))
    existing = document_create(actor=quality_manager, doc_type=Revision._meta.get_field("document")
                               .related_model._meta.get_field("doc_type").related_model.objects.get(code="SOP"),
                               department=qa, title="Made here")
    run = _run(quality_manager, [row(number=existing.number)], files)
    assert any(f"Number {existing.number} is already used in this system" in p for p in _problems(run))


def test_a_docx_zip_bomb_is_refused_in_the_dry_run(quality_manager, qa):
    run = _run(quality_manager, [row(file="bomb.docx")], {"bomb.docx": docx_bomb()})
    assert any("ZIP bomb" in p for p in _problems(run)), _problems(run)
    assert not Document.objects.exists()


def test_a_100_mb_register_is_refused_by_its_size(quality_manager, qa):
    big = csv_bytes([row()]) + b"," * (100 * 1024 * 1024)
    run = _run(quality_manager, [], {}, data=big)
    assert run.status == ImportRun.Status.BLOCKED
    assert any("100 MB" in e and "at most 20 MB" in e for e in run.report["errors"]), run.report["errors"]


def test_utf8_bom_and_windows_1252_registers(quality_manager, qa):
    files = {"sop7-00.docx": docx_bytes("x"), "sop8.docx": docx_bytes("y")}
    bom = _run(quality_manager, [row(title="Lenkung der Dokumente – Übersicht")], files,
               data=csv_bytes([row(title="Lenkung der Dokumente – Übersicht")], bom=True))
    assert bom.error_count == 0 and "byte-order mark" in " ".join(bom.report["notices"])
    assert bom.report["rows"][0]["title"] == "Lenkung der Dokumente – Übersicht"
    # one line UTF-8, one line Windows-1252 (pasted from an old export)
    mixed = (csv_bytes([row(title="Prüfmittel")]) +
             ",".join(row(number="SOP-QA-008", title="Maßnahmen", file="sop8.docx")).encode("cp1252") + b"\r\n")
    run = _run(quality_manager, [], files, data=mixed)
    assert run.error_count == 0, _problems(run)
    assert [r["title"] for r in run.report["rows"]] == ["Prüfmittel", "Maßnahmen"]
    assert "Mixed encodings: line(s) 3" in " ".join(run.report["notices"])
    assert run.report["rows"][1]["warnings"][0] == "This line was read as Windows-1252."


def test_converted_word_text_is_sanitised(quality_manager, qa):
    files = {"sop7-00.docx": docx_bytes('<script>alert("x")</script>', "<img src=x onerror=alert(1)> & more")}
    execute_run(_run(quality_manager, [row()], files))
    rev = Revision.objects.get(document__number="SOP-QA-007")
    html = str(render_markdown(rev.content))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert" in html and "&lt;img src=x onerror=alert(1)&gt; &amp; more" in html  # kept, as text


def test_a_failed_run_leaves_no_half_document(quality_manager, qa, monkeypatch):
    rows, files = standard_set()
    run = _run(quality_manager, rows, files)
    from intake import documents_import

    real = documents_import._store
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second file of the first document
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(documents_import, "_store", flaky)
    with pytest.raises(OSError):
        execute_run(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "disk full" in run.error
    assert not Document.objects.filter(number="SOP-QA-007").exists()  # the document rolled back whole
    monkeypatch.setattr(documents_import, "_store", real)
    execute_run(run)  # resumed: runs again, creating what is missing
    assert Revision.objects.filter(document__number="SOP-QA-007").count() == 3


def test_the_job_runs_with_progress_and_keeps_the_report(quality_manager, qa, client_for,
                                                         django_capture_on_commit_callbacks):
    rows, files = standard_set()
    run = _run(quality_manager, rows, files)
    with django_capture_on_commit_callbacks(execute=True):
        run = start_run(actor=quality_manager, run=run)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.job.status == "ready" and run.job.progress == 100
    assert run.report["created"] == {"documents": 2, "revisions": 4, "signatures": 4}
    c = client_for(quality_manager)
    csv = c.get(f"/intake/{run.pk}/report.csv")
    assert csv.status_code == 200 and b"SOP-QA-007" in csv.content
    assert c.get(f"/intake/{run.pk}/report.json").json()["inputs"]["register"] == "register.csv"
    assert AuditEvent.objects.filter(verb="revision.imported").count() == 4


def test_only_the_quality_manager_imports(author, qa):
    rows, files = standard_set()
    with pytest.raises(PermissionRefused):
        _run(author, rows, files)


def test_command_dry_run_and_run_from_a_folder(quality_manager, qa, tmp_path, capsys):
    rows, files = standard_set()
    for name, data in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    (tmp_path / "register.csv").write_bytes(csv_bytes(rows))
    zip_path = tmp_path / "files.zip"
    zip_path.write_bytes(zip_of(files))
    call_command("import_documents", str(zip_path), "--register", str(tmp_path / "register.csv"), "--dry-run",
                 "--as", "qm")
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert not Document.objects.exists()
    with pytest.raises(CommandError, match="administrator"):  # a folder on the server: administrators only
        call_command("import_documents", str(tmp_path / "src"), "--register", str(tmp_path / "register.csv"),
                     "--as", "qm")
    quality_manager.is_superuser = True
    quality_manager.save()
    call_command("import_documents", str(tmp_path / "src"), "--register", str(tmp_path / "register.csv"),
                 "--as", "qm")
    assert "Imported: 2 documents, 4 revisions, 4 signatures" in capsys.readouterr().out
    (tmp_path / "bad.csv").write_bytes(csv_bytes([row(file="gone.docx")]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_documents", str(zip_path), "--register", str(tmp_path / "bad.csv"), "--as", "qm")
