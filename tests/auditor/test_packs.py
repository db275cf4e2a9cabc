"""Evidence pack format and its verifier: the manifest is signed (Ed25519) and
covers every file including manifest.csv and the README; the verifier
catches every way of tampering, ignores directory entries, bounds what it
reads, and gives the same answer on the web and on the command line, each
failure in one plain sentence."""

import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from auditor import signing
from auditor.packs import REASONS, PackEntry, verify_evidence_pack, verify_pack, write_pack


def _entries():
    files = {"documents/SOP-QA-001 rev 02.pdf": b"%PDF-1.7 " + b"x" * 5000, "records/CAL-0001/cert.pdf": b"%PDF cert",
             "records/CAL-0001/cert.pdf ": b"dup name ok"}
    return [PackEntry(path.strip(), f"file {i}", (lambda data=data: io.BytesIO(data))) for i, (path, data) in enumerate(files.items())]


def _pack() -> bytes:
    buf = io.BytesIO()
    write_pack(buf, _entries(), title="Pack", readme_lines=["Scope: 7.1.5"], pack_id="P-TEST-1")
    return buf.getvalue()


def _rewrite(src: bytes, change) -> bytes:
    """Copy the ZIP, letting `change(name, data)` return new bytes, or None to drop the member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
        extra = change.extra if hasattr(change, "extra") else {}
        for name, data in {**members, **extra}.items():
            new = change(name, data)
            if new is not None:
                zout.writestr(name, new)
    return out.getvalue()


def _flip(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _manifest(src: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        return json.loads(zf.read("manifest.json"))


def test_manifest_hashes_equal_the_files_and_duplicates_get_unique_names():
    src = _pack()
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert [f["path"] for f in manifest["files"]] == [
            "documents/SOP-QA-001 rev 02.pdf", "records/CAL-0001/cert.pdf", "records/CAL-0001/cert-2.pdf"]
        for f in manifest["files"] + manifest["covered"]:
            assert hashlib.sha256(zf.read(f["path"])).hexdigest() == f["sha256"]
        assert {c["path"] for c in manifest["covered"]} == {"manifest.csv", "README.txt"}
        assert signing.verify(zf.read("manifest.json"), zf.read("manifest.sig"))
        assert "Scope: 7.1.5" in zf.read("README.txt").decode()


def test_an_intact_pack_verifies():
    result = verify_pack(io.BytesIO(_pack()))
    assert result.ok and result.checked == 5
    assert result.message == "This pack is intact: all 5 files match its signed manifest."


def _replace_file_and_its_hash(src):
    manifest = _manifest(src)
    new = b"%PDF forged certificate"
    manifest["files"][1]["sha256"] = hashlib.sha256(new).hexdigest()

    def change(name, data):
        if name == "records/CAL-0001/cert.pdf":
            return new
        if name == "manifest.json":
            return json.dumps(manifest, indent=2).encode()
        return data
    return _rewrite(src, change)


def _delete_file_and_its_entry(src):
    manifest = _manifest(src)
    manifest["files"] = manifest["files"][:-1]
    return _rewrite(src, lambda name, data: None if name == "records/CAL-0001/cert-2.pdf"
                    else json.dumps(manifest, indent=2).encode() if name == "manifest.json" else data)


def _empty_manifest(src):
    manifest = _manifest(src)
    manifest["files"], manifest["covered"] = [], []
    return _rewrite(src, lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data)


def _add(name, content):
    def change(n, data):
        return data
    change.extra = {name: content}
    return change


TAMPERING = {
    "one changed byte": (lambda s: _rewrite(s, lambda n, d: _flip(d) if n == "records/CAL-0001/cert.pdf" else d),
                         "files_differ"),
    "file replaced together with its hash": (_replace_file_and_its_hash, "bad_signature"),
    "file deleted together with its entry": (_delete_file_and_its_entry, "bad_signature"),
    "changed manifest.csv": (lambda s: _rewrite(s, lambda n, d: d + b"x,y,1,z\n" if n == "manifest.csv" else d),
                             "files_differ"),
    "changed README": (lambda s: _rewrite(s, lambda n, d: d.replace(b"7.1.5", b"8.5") if n == "README.txt" else d),
                       "files_differ"),
    "empty manifest": (_empty_manifest, "bad_signature"),
    "signature removed": (lambda s: _rewrite(s, lambda n, d: None if n == "manifest.sig" else d), "unsigned"),
    "file missing": (lambda s: _rewrite(s, lambda n, d: None if n == "records/CAL-0001/cert-2.pdf" else d),
                     "files_differ"),
    "file smuggled in": (lambda s: _rewrite(s, _add("smuggled.exe", b"MZ")), "files_differ"),
    "manifest removed": (lambda s: _rewrite(s, lambda n, d: None if n == "manifest.json" else d), "no_manifest"),
    "manifest garbled": (lambda s: _rewrite(s, lambda n, d: b"{not json" if n == "manifest.json" else d),
                         "bad_manifest"),
    "deeply nested manifest": (lambda s: _rewrite(s, lambda n, d: b"[" * 100000 + b"]" * 100000
                                                  if n == "manifest.json" else d), "bad_manifest"),
    "not a zip": (lambda s: b"PK not really a zip", "not_zip"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_every_kind_of_tampering_is_caught_with_a_named_reason(case):
    tamper, reason = TAMPERING[case]
    result = verify_pack(io.BytesIO(tamper(_pack())))
    assert not result.ok
    assert result.reason == reason
    assert result.message == REASONS[reason]


def test_an_empty_manifest_signed_by_us_is_still_refused():
    """Even a correctly signed manifest with no files proves nothing."""
    buf = io.BytesIO()
    write_pack(buf, [], title="Empty", readme_lines=[])
    result = verify_pack(io.BytesIO(buf.getvalue()))
    assert not result.ok and result.reason == "empty_manifest"


def test_a_pack_unzipped_and_rezipped_with_zip_still_verifies(tmp_path):
    if not shutil.which("zip") or not shutil.which("unzip"):
        # Same archive shape as `zip -r`: explicit directory entries.
        src = _pack()
        with zipfile.ZipFile(io.BytesIO(src)) as zin:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as zout:
                for d in ("documents/", "records/", "records/CAL-0001/"):
                    zout.writestr(zipfile.ZipInfo(d), b"")
                for item in zin.infolist():
                    zout.writestr(item.filename, zin.read(item.filename))
        assert verify_pack(io.BytesIO(out.getvalue())).ok
        return
    (tmp_path / "pack.zip").write_bytes(_pack())
    subprocess.run(["unzip", "-q", "pack.zip", "-d", "x"], cwd=tmp_path, check=True)
    subprocess.run(["zip", "-qr", "../again.zip", "."], cwd=tmp_path / "x", check=True)
    assert verify_pack(str(tmp_path / "again.zip")).ok


def test_a_huge_manifest_is_refused_without_reading_it_whole():
    from auditor import packs

    src = _rewrite(_pack(), lambda n, d: b" " * (packs.MAX_MANIFEST_BYTES + 10) if n == "manifest.json" else d)
    assert len(src) < 200_000  # it compresses to almost nothing: a bomb
    result = verify_pack(io.BytesIO(src))
    assert result.reason == "bad_manifest"


@pytest.mark.django_db
def test_command_and_web_verifier_give_the_same_answer(tmp_path, client_for, quality_manager, external_auditor):
    for case, (tamper, reason) in TAMPERING.items():
        data = tamper(_pack())
        (tmp_path / "p.zip").write_bytes(data)
        out = io.StringIO()
        with pytest.raises(CommandError):
            call_command("verify_pack", str(tmp_path / "p.zip"), stdout=out)
        web = client_for(quality_manager).post("/auditor/packs/verify/", {"pack": SimpleUploadedFile("p.zip", data)})
        assert web.status_code == 200, case
        message = REASONS[reason]
        assert message in out.getvalue(), case
        from django.utils.html import escape

        assert escape(message) in web.content.decode(), case


@pytest.mark.django_db
def test_the_web_verifier_names_the_built_pack_from_the_servers_record(client_for, quality_manager, external_auditor):
    from django.utils import timezone

    from auditor.models import PackSeal
    from qms.models import Job

    buf = io.BytesIO()
    sealed = write_pack(buf, _entries(), title="Pack", readme_lines=[], pack_id="P-20261201-7")
    job = Job.objects.create(kind="evidence_pack", requested_by=external_auditor, params={})
    PackSeal.objects.create(pack_id="P-20261201-7", manifest_sha256=sealed.manifest_sha256, job=job, title="Pack",
                            built_by=external_auditor, built_by_name=external_auditor.display_name,
                            built_at=timezone.now(), files=3, key_id=signing.key_id())
    body = client_for(external_auditor).post("/auditor/packs/verify/",
                                             {"pack": SimpleUploadedFile("p.zip", buf.getvalue())}).content.decode()
    assert "This pack is intact" in body and "It is pack P-20261201-7" in body
    assert signing.public_key_pem().splitlines()[1] in body  # the key is published for offline checks
    assert verify_evidence_pack(io.BytesIO(buf.getvalue())).seal.pack_id == "P-20261201-7"


@pytest.mark.django_db
def test_public_key_download_and_access(client_for, quality_manager, staff):
    response = client_for(quality_manager).get("/auditor/packs/public-key.pem")
    assert response.status_code == 200 and b"BEGIN PUBLIC KEY" in response.content
    assert client_for(staff).get("/auditor/packs/public-key.pem").status_code == 403
    assert client_for(staff).get("/auditor/packs/verify/").status_code == 403


def test_offline_check_with_openssl_accepts_the_signature(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    with zipfile.ZipFile(io.BytesIO(_pack())) as zf:
        zf.extractall(tmp_path)
    (tmp_path / "key.pem").write_text(signing.public_key_pem())
    result = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
                             "-in", "manifest.json", "-sigfile", "manifest.sig"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert "Signature Verified Successfully" in result.stdout, result.stderr
