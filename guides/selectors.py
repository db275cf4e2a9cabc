"""The guides in docs/: which pages exist, and each one rendered as HTML.

Pages are served under /help/<name>.md so that the relative links the
Markdown files use between themselves (`admin-guide.md`, `img/x.png`) work
unchanged in the app and on a code host. Only files directly in docs/ (and
PNGs directly in docs/img/) whose names match a strict pattern are served:
nothing outside docs/ can be named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString

from documents.selectors import render_markdown

INDEX = "README"
PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.png$")
# The guides every footer links to, in this order (file stem, short label).
GUIDES = [
    ("quality-manager-guide", "Quality manager's guide"),
    ("auditor-guide", "Auditor's guide"),
    ("admin-guide", "Administrator's guide"),
]


def docs_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs"


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    html: SafeString


def _inside_docs(path: Path, folder: Path) -> Path | None:
    """The resolved path if it is a regular file directly in `folder` (no symlink tricks)."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if resolved.parent != folder.resolve() or not resolved.is_file():
        return None
    return resolved


def page(name: str) -> Page | None:
    """docs/<name>.md rendered (sanitised Markdown), or None when there is no such guide."""
    if name != INDEX and not PAGE_NAME.match(name):
        return None
    path = _inside_docs(docs_dir() / f"{name}.md", docs_dir())
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    heading = re.search(r"^#\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return Page(name=name, title=heading.group(1) if heading else name, html=render_markdown(text))


def image_path(name: str) -> Path | None:
    """docs/img/<name> if it is one of the guides' PNG screenshots."""
    if not IMAGE_NAME.match(name):
        return None
    return _inside_docs(docs_dir() / "img" / name, docs_dir() / "img")
