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


def write_pack(target, entries: Iterable[PackEntry], *, title: str, readme_lines: list[str]) -> list[ManifestRow]:
    """Write the ZIP to `target` (a path or a binary file opened for writing)."""
    rows: list[ManifestRow] = []
    seen: set[str] = set()
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
        zf.writestr(MANIFEST_CSV, _manifest_csv(rows))
        zf.writestr(MANIFEST_JSON, json.dumps({"title": title, "files": [r.__dict__ for r in rows]}, indent=2))
        zf.writestr(README, _readme(title, readme_lines, rows))
    return rows


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
            "with its SHA-256. To check the pack: upload it on the QMS page 'Verify an evidence pack',",
            "or run `python manage.py verify_pack <file.zip>`, or compare `sha256sum` of each file",
            "with the manifest.",
            "",
        ]
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    error: str = ""

    def lines(self) -> list[str]:
        if self.error:
            return [self.error]
        out = [f"{self.checked} files checked against the manifest."]
        out += [f"CHANGED: {p}" for p in self.changed]
        out += [f"MISSING: {p}" for p in self.missing]
        out += [f"NOT IN MANIFEST: {p}" for p in self.extra]
        out.append("The pack is intact." if self.ok else "The pack does NOT match its manifest.")
        return out


def verify_pack(source) -> VerifyResult:
    """Check every file of the ZIP at `source` (path or binary file) against manifest.json."""
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        return VerifyResult(ok=False, error=f"Not a readable ZIP file: {exc}")
    with zf:
        names = set(zf.namelist())
        if MANIFEST_JSON not in names:
            return VerifyResult(ok=False, error="The pack has no manifest.json.")
        try:
            manifest = json.loads(zf.read(MANIFEST_JSON))
            files = {f["path"]: f["sha256"] for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            return VerifyResult(ok=False, error=f"manifest.json cannot be read: {exc}")
        result = VerifyResult(ok=True)
        for path, expected in files.items():
            if path not in names:
                result.missing.append(path)
                continue
            digest = hashlib.sha256()
            try:
                with zf.open(path) as fh:
                    for chunk in iter(lambda: fh.read(CHUNK), b""):
                        digest.update(chunk)
            except zipfile.BadZipFile:
                result.changed.append(path)  # a corrupted member fails its CRC check
                continue
            result.checked += 1
            if digest.hexdigest() != expected:
                result.changed.append(path)
        result.extra = sorted(names - set(files) - {MANIFEST_CSV, MANIFEST_JSON, README})
        result.ok = not (result.changed or result.missing or result.extra)
        return result
