"""Evidence packs: a ZIP of evidence files with a SHA-256 manifest (CSV and
JSON) and a README, built by streaming (each file is written and hashed in
chunks, never held whole in memory), and a verifier that checks a pack
against its own manifest and names every changed, missing or extra file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MANIFEST_CSV = "manifest.csv"
MANIFEST_JSON = "manifest.json"
MANIFEST_SIG = "manifest.sig"
README = "README.txt"
CHUNK = 1024 * 1024


@dataclass
class PackEntry:
    """One file of the pack: its path inside the ZIP, what it is, and how to read it."""

    path: str
    description: str
    open: Callable[[], io.BufferedIOBase]  # returns a binary file-like object


@dataclass
class ManifestRow:
    path: str
    sha256: str
    size: int
    description: str


@dataclass
class SealedPack:
    rows: list[ManifestRow]
    manifest_sha256: str


def write_pack(target, entries: Iterable[PackEntry], *, title: str, readme_lines: list[str],
               pack_id: str = "", built_by: str = "", built_at: str = "") -> SealedPack:
    """Write the ZIP to `target` (a path or a binary file opened for writing).

    manifest.json lists every evidence file and also the SHA-256 of manifest.csv
    and README.txt; manifest.sig is the Ed25519 signature of manifest.json's exact
    bytes, so nothing in the pack can change without the signature failing."""
    from auditor import signing

    rows: list[ManifestRow] = []
    seen: set[str] = {MANIFEST_CSV, MANIFEST_JSON, MANIFEST_SIG, README}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for entry in entries:
            path = _unique(entry.path, seen)
            digest, size = hashlib.sha256(), 0
            with entry.open() as src, zf.open(path, "w", force_zip64=True) as dst:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
            rows.append(ManifestRow(path, digest.hexdigest(), size, entry.description))
        csv_bytes = _manifest_csv(rows).encode()
        readme_bytes = _readme(title, readme_lines, rows).encode()
        manifest = {
            "format": 2, "pack": pack_id, "title": title, "built_at": built_at, "built_by": built_by,
            "key_id": signing.key_id(),
            "files": [r.__dict__ for r in rows],
            "covered": [{"path": MANIFEST_CSV, "sha256": hashlib.sha256(csv_bytes).hexdigest()},
                        {"path": README, "sha256": hashlib.sha256(readme_bytes).hexdigest()}],
        }
        manifest_bytes = json.dumps(manifest, indent=2).encode()
        zf.writestr(MANIFEST_CSV, csv_bytes)
        zf.writestr(README, readme_bytes)
        zf.writestr(MANIFEST_JSON, manifest_bytes)
        zf.writestr(MANIFEST_SIG, signing.sign(manifest_bytes))
    return SealedPack(rows, hashlib.sha256(manifest_bytes).hexdigest())


def _unique(path: str, seen: set[str]) -> str:
    base, n = path, 2
    while path in seen:
        stem, dot, ext = base.rpartition(".")
        path = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
        n += 1
    seen.add(path)
    return path


def _manifest_csv(rows: list[ManifestRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["path", "sha256", "size_bytes", "description"])
    for r in rows:
        writer.writerow([r.path, r.sha256, r.size, r.description])
    return buf.getvalue()


def _readme(title: str, lines: list[str], rows: list[ManifestRow]) -> str:
    return "\n".join(
        [
            title,
            "=" * len(title),
            "",
            *lines,
            "",
            f"This pack holds {len(rows)} evidence files. {MANIFEST_CSV} and {MANIFEST_JSON} list each file",
            f"with its SHA-256; {MANIFEST_SIG} is the QMS's Ed25519 signature of {MANIFEST_JSON}.",
            "To check the pack: upload it on the QMS page 'Verify an evidence pack', or run",
            "`python manage.py verify_pack <file.zip>`. Offline: download the public key from that page and run",
            f"`openssl pkeyutl -verify -pubin -inkey qms-pack-key.pem -rawin -in {MANIFEST_JSON} -sigfile {MANIFEST_SIG}`,",
            "then compare `sha256sum` of each file with the manifest.",
            "",
        ]
    )


# Bounds for packs given to the verifier: a pack is an archive anyone can craft.
MAX_ENTRIES = 100_000
MAX_MANIFEST_BYTES = 16 * 1024 * 1024

REASONS = {
    "not_zip": "This file is not a readable ZIP archive: upload the evidence pack exactly as it was downloaded "
               "from the QMS.",
    "too_many_entries": "This archive holds far more files than any evidence pack, so it was not checked: make sure "
                        "you chose the pack itself.",
    "no_manifest": "The pack has no manifest.json, so its contents cannot be checked: ask the quality manager for a "
                   "fresh copy of the pack.",
    "bad_manifest": "The pack's manifest.json is damaged or not in the expected form: ask the quality manager for a "
                    "fresh copy of the pack.",
    "unsigned": "The pack carries no signature (manifest.sig), so it may have been altered or was built before packs "
                "were signed: ask the quality manager for a fresh copy.",
    "bad_signature": "The pack's list of files and fingerprints was changed after the QMS built it: do not rely on "
                     "this pack and ask the quality manager for a fresh copy.",
    "empty_manifest": "The pack's manifest lists no files, so nothing in it can be relied on: ask the quality manager "
                      "for a fresh copy.",
    "files_differ": "Some files in the pack are not the ones it was built with (listed below): do not rely on this "
                    "pack and ask the quality manager for a fresh copy.",
}


@dataclass
class VerifyResult:
    ok: bool
    reason: str = ""
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    manifest_sha256: str = ""
    pack_id: str = ""
    built_at: str = ""
    built_by: str = ""
    seal: object = None  # the server's record of building this pack, when it has one

    @property
    def message(self) -> str:
        if self.ok:
            return f"This pack is intact: all {self.checked} files match its signed manifest."
        return REASONS[self.reason]

    def lines(self) -> list[str]:
        out = [self.message]
        out += [f"Changed: {p}" for p in self.changed]
        out += [f"Missing: {p}" for p in self.missing]
        out += [f"Not in the manifest: {p}" for p in self.extra]
        if self.ok and self.seal is not None:
            out.append(f"It is pack {self.seal.pack_id}, built on {self.seal.built_at:%Y-%m-%d %H:%M} UTC by "
                       f"{self.seal.built_by_name}, and this QMS recorded exactly this manifest.")
        elif self.ok:
            out.append("It was signed with this QMS's key, but this server holds no record of building it "
                       f"(pack {self.pack_id or 'without a number'}); ask the quality manager where it comes from.")
        return out


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """Read a member but never more than `limit` bytes (headers can lie about sizes)."""
    if info.file_size > limit:
        return None
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    return None if len(data) > limit else data


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    digest = hashlib.sha256()
    try:
        with zf.open(info) as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None  # a corrupted, encrypted or unsupported member
    return digest.hexdigest()


def _parse_manifest(data: bytes) -> dict | None:
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        covered = manifest.get("covered", [])
        if not isinstance(files, list) or not isinstance(covered, list):
            return None
        for f in [*files, *covered]:
            if not (isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)):
                return None
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    return manifest


def verify_pack(source) -> VerifyResult:
    """Check the ZIP at `source` (a path or a binary file) on its own terms.

    The signature must cover manifest.json; every file the manifest names
    (evidence, manifest.csv, README) must be there with its SHA-256, and
    nothing else may be (directory entries, which `zip -r` adds, are ignored).
    The web verifier and `manage.py verify_pack` both call this (through
    auditor.services.verify_evidence_pack, which adds the server's record)."""
    from auditor import signing

    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return VerifyResult(ok=False, reason="not_zip")
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            return VerifyResult(ok=False, reason="too_many_entries")
        members = {i.filename: i for i in infos if not i.is_dir()}
        if MANIFEST_JSON not in members:
            return VerifyResult(ok=False, reason="no_manifest")
        try:
            manifest_bytes = _read_bounded(zf, members[MANIFEST_JSON], MAX_MANIFEST_BYTES)
            signature = _read_bounded(zf, members[MANIFEST_SIG], 1024) if MANIFEST_SIG in members else None
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            return VerifyResult(ok=False, reason="bad_manifest")
        manifest = _parse_manifest(manifest_bytes) if manifest_bytes is not None else None
        if manifest is None:
            return VerifyResult(ok=False, reason="bad_manifest")
        result = VerifyResult(
            ok=False, manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
            pack_id=str(manifest.get("pack", ""))[:40], built_at=str(manifest.get("built_at", ""))[:40],
            built_by=str(manifest.get("built_by", ""))[:200],
        )
        if not signature:
            result.reason = "unsigned"
            return result
        if not signing.verify(manifest_bytes, signature):
            result.reason = "bad_signature"
            return result
        if not manifest["files"]:
            result.reason = "empty_manifest"
            return result
        expected = {f["path"]: f["sha256"] for f in [*manifest["files"], *manifest.get("covered", [])]}
        for path, sha in expected.items():
            info = members.get(path)
            if info is None:
                result.missing.append(path)
                continue
            actual = _hash_member(zf, info)
            result.checked += 1
            if actual != sha:
                result.changed.append(path)
        result.extra = sorted(set(members) - set(expected) - {MANIFEST_JSON, MANIFEST_SIG})
        result.checked = len(expected) - len(result.missing)
        result.ok = not (result.changed or result.missing or result.extra)
        result.reason = "" if result.ok else "files_differ"
        return result


def verify_evidence_pack(source) -> VerifyResult:
    """What the web verifier and `manage.py verify_pack` answer: the pack
    checked on its own terms, then matched with this server's record of
    building it (by the SHA-256 of its signed manifest)."""
    from auditor.models import PackSeal

    result = verify_pack(source)
    if result.ok:
        result.seal = PackSeal.objects.filter(manifest_sha256=result.manifest_sha256).first()
    return result
