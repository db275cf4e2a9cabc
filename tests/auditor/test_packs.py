"""Evidence pack format: manifest hashes equal the files' hashes; the verifier
passes an intact pack and names the file when one byte changes."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from auditor.packs import PackEntry, verify_pack, write_pack


def _entries():
    files = {"documents/SOP-QA-001 rev 02.pdf": b"%PDF-1.7 " + b"x" * 5000, "records/CAL-0001/cert.pdf": b"%PDF cert",
             "records/CAL-0001/cert.pdf ": b"dup name ok"}
    return [PackEntry(path.strip(), f"file {i}", (lambda data=data: io.BytesIO(data))) for i, (path, data) in enumerate(files.items())]


def _tamper(src: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = data[:-1] + bytes([data[-1] ^ 1])  # flip one bit of the last byte
            zout.writestr(item, data)
    return out.getvalue()


def test_manifest_hashes_equal_the_files_and_duplicates_get_unique_names():
    buf = io.BytesIO()
    rows = write_pack(buf, _entries(), title="Pack", readme_lines=["Scope: 7.1.5"])
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert [f["path"] for f in manifest["files"]] == [
            "documents/SOP-QA-001 rev 02.pdf", "records/CAL-0001/cert.pdf", "records/CAL-0001/cert-2.pdf"]
        for f in manifest["files"]:
            assert hashlib.sha256(zf.read(f["path"])).hexdigest() == f["sha256"]
        assert "sha256" in zf.read("manifest.csv").decode().splitlines()[0]
        assert "Scope: 7.1.5" in zf.read("README.txt").decode()
    assert len(rows) == 3


def test_verifier_passes_intact_pack_and_names_a_changed_byte(tmp_path):
    buf = io.BytesIO()
    write_pack(buf, _entries(), title="Pack", readme_lines=[])
    intact = tmp_path / "intact.zip"
    intact.write_bytes(buf.getvalue())
    assert verify_pack(str(intact)).ok
    call_command("verify_pack", str(intact))

    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(_tamper(buf.getvalue(), "records/CAL-0001/cert.pdf"))
    result = verify_pack(str(tampered))
    assert not result.ok and result.changed == ["records/CAL-0001/cert.pdf"]
    with pytest.raises(CommandError):
        call_command("verify_pack", str(tampered))


def test_verifier_names_missing_and_extra_files_and_rejects_non_zip(tmp_path):
    buf = io.BytesIO()
    write_pack(buf, _entries(), title="Pack", readme_lines=[])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            if item.filename != "records/CAL-0001/cert-2.pdf":
                zout.writestr(item, zin.read(item.filename))
        zout.writestr("smuggled.exe", b"MZ")
    result = verify_pack(io.BytesIO(out.getvalue()))
    assert result.missing == ["records/CAL-0001/cert-2.pdf"] and result.extra == ["smuggled.exe"]
    assert not verify_pack(io.BytesIO(b"not a zip")).ok


@pytest.mark.django_db
def test_verification_page_reports_intact_and_tampered_packs(client_for, quality_manager, external_auditor, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    write_pack(buf, _entries(), title="Pack", readme_lines=[])
    ok = client_for(external_auditor).post("/auditor/packs/verify/", {"pack": SimpleUploadedFile("p.zip", buf.getvalue())})
    assert "The pack is intact." in ok.content.decode()
    bad = client_for(quality_manager).post(
        "/auditor/packs/verify/", {"pack": SimpleUploadedFile("p.zip", _tamper(buf.getvalue(), "documents/SOP-QA-001 rev 02.pdf"))}
    )
    body = bad.content.decode()
    assert "CHANGED: documents/SOP-QA-001 rev 02.pdf" in body and "does NOT match" in body
    assert client_for(staff).get("/auditor/packs/verify/").status_code == 403
