#!/usr/bin/env python3
"""User-visible text in templates that is not marked for translation (issue 20).

Reads each template with Django's own template lexer, so `{% translate %}`,
`{% blocktranslate %}…{% endblocktranslate %}`, comments and variables are
known for what they are; what is left is HTML, which the standard library's
parser splits into text and attributes. Reported: text with a word in it, and
the attributes a reader sees or hears (title, placeholder, aria-label, alt,
data-confirm, and the value of a button-like input). Not reported: script and
style bodies, and text that is only acronyms, numbers and punctuation
("CSV", "ISO 9001", "·").

    .venv/bin/python bin/unmarked_strings.py [template ...]   # default: every template
    .venv/bin/python bin/unmarked_strings.py --summary         # counts per file

Exit status 1 when anything is unmarked. tests/qms/test_i18n_coverage.py runs it.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = ["templates", "api/templates"]
VISIBLE_ATTRS = {"title", "placeholder", "aria-label", "alt", "data-confirm", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
HOLE = "\x00"  # stands for a template tag, a variable or a marked string
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row, in any script
_ACRONYMS_ONLY = re.compile(r"^[\sA-Z0-9.,:;/·•×&#%+\-–—()\[\]|*?!'\"<>=]*$")
_ENTITY = re.compile(r"&[a-zA-Z]+;|&#x?[0-9a-fA-F]+;")
_SKIP_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment",
                "verbatim": "endverbatim"}


def template_files() -> list[Path]:
    files = []
    for folder in TEMPLATE_DIRS:
        files.extend(p for p in sorted((ROOT / folder).rglob("*")) if p.suffix in (".html", ".txt") and p.is_file())
    return files


def _holed(source: str) -> str:
    """The template with every tag, variable and marked string replaced by HOLE
    (keeping its newlines, so line numbers hold)."""
    from django.template.base import Lexer, TokenType

    out, closing = [], None
    for token in Lexer(source).tokenize():
        raw = token.contents
        if token.token_type == TokenType.BLOCK:
            name = raw.split(None, 1)[0] if raw.strip() else ""
            if closing:
                if name == closing:
                    closing = None
                out.append(HOLE + "\n" * raw.count("\n"))
                continue
            if name in _SKIP_BLOCKS:
                closing = _SKIP_BLOCKS[name]
            out.append(HOLE + "\n" * raw.count("\n"))
        elif token.token_type == TokenType.TEXT:
            out.append(HOLE + "\n" * raw.count("\n") if closing else raw)
        else:
            out.append(HOLE + "\n" * raw.count("\n"))
    return "".join(out)


def _visible(text: str) -> str:
    text = _ENTITY.sub(" ", text.replace(HOLE, " ")).strip()
    if not _WORD.search(text) or _ACRONYMS_ONLY.match(text):
        return ""
    return " ".join(text.split())


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str]] = []
        self._raw = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._raw += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value is None:
                continue
            visible = name in VISIBLE_ATTRS or (name == "value" and tag in ("input", "button")
                                                and (attrs.get("type") or "").lower() in BUTTON_INPUTS)
            if visible and (text := _visible(value)):
                self.found.append((self.getpos()[0], f'{name}="{text}"'))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if not self._raw and (text := _visible(data)):
            self.found.append((self.getpos()[0], text))


def unmarked(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each unmarked user-visible text of one template."""
    finder = _Finder()
    finder.feed(_holed(path.read_text(encoding="utf-8")))
    finder.close()
    return finder.found


def main(argv: list[str]) -> int:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
        django.setup()
    summary = "--summary" in argv
    paths = [Path(a).resolve() for a in argv if not a.startswith("--")] or template_files()
    total = 0
    for path in paths:
        found = unmarked(path)
        total += len(found)
        if found and summary:
            print(f"{len(found):5d}  {path.relative_to(ROOT)}")
        elif found:
            for line, text in found:
                print(f"{path.relative_to(ROOT)}:{line}: {text}")
    print(f"{total} unmarked in {len(paths)} templates", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
