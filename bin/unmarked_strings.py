#!/usr/bin/env python3
"""User-visible text in templates that is not marked for translation (issue 20).

Reads each template with Django's own template lexer, so `{% translate %}`,
`{% blocktranslate %}…{% endblocktranslate %}`, comments and variables are
known for what they are; what is left is HTML, which the standard library's
parser splits into text and attributes. Reported: text with a word in it, and
the attributes a reader sees or hears (title, placeholder, aria-label, alt,
data-confirm, and the value of a button input). Not reported: script and
style bodies, and text that is only acronyms, numbers and punctuation
("CSV", "ISO 9001", "·").

    .venv/bin/python bin/unmarked_strings.py [template ...]   # default: every template
    .venv/bin/python bin/unmarked_strings.py --summary         # counts per file
    .venv/bin/python bin/unmarked_strings.py --python [module ...]  # the apps' Python

In Python (--python), reported are literal strings (and f-strings, which cannot
be translated) in the places a user reads them: a field's label, help_text,
empty_label or verbose_name; a choices label; a message for
django.contrib.messages; the message of an exception whose class name ends in
Error, Refused or Transition (not Python's own ValueError, KeyError, ...: those
speak to the developer); a rule's refusal message (qms.rules.rule). A
string inside gettext/gettext_lazy/ngettext/pgettext (any name `_`) is marked.

Exit status 1 when anything is unmarked. tests/qms/test_i18n_coverage.py and
tests/qms/test_i18n_coverage_python.py run it.
"""

from __future__ import annotations

import ast
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
            # A button input shows its value; a <button>'s value is only posted (its text is its content).
            visible = name in VISIBLE_ATTRS or (name == "value" and tag == "input"
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


# ------------------------------------------------------------------ Python
PY_APPS = ["qms", "documents", "records", "audits", "auditor", "guides", "planning", "reviews", "training",
           "suppliers", "equipment", "intake", "api"]
PY_SKIP_PARTS = {"migrations", "management", "templatetags"}
_TRANSLATORS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
                "npgettext", "npgettext_lazy", "format_lazy"}
_LABEL_KEYWORDS = {"label", "help_text", "empty_label", "verbose_name", "verbose_name_plural"}
_MESSAGE_FUNCS = {"success", "info", "warning", "error", "debug", "add_message"}
# A notification's title and body are read later, in the reader's language: a stored
# text (qms.stored_text), its msgid marked with gettext_noop; so is the msgid of a stored text.
_NOTIFY_FUNCS = {"notify", "notify_role"}
_NOTIFY_KEYWORDS = {"title", "body"}
_STORED_TEXT_FUNCS = {"said"}
_CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}
# Python's own exceptions report a programming or configuration mistake to the
# developer (a traceback, a log): their text is never shown to a user, who meets
# DomainError, ValidationError, PermissionRefused and the like instead.
_DEVELOPER_ERRORS = {"ValueError", "TypeError", "KeyError", "LookupError", "IndexError", "RuntimeError",
                     "AssertionError", "NotImplementedError", "AttributeError", "ImproperlyConfigured"}


def python_files() -> list[Path]:
    files = []
    for app in PY_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not PY_SKIP_PARTS & set(path.relative_to(ROOT).parts):
                files.append(path)
    return files


def _text(node) -> str:
    """The visible text of an unmarked literal, or "" for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _visible(node.value)
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return ("f-string: " + " ".join(literal.split())) if _WORD.search(literal) else ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _text(node.left)  # "..." % values
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _text(node.func.value)  # "...".format(...)
    if isinstance(node, ast.IfExp):
        return _text(node.body) or _text(node.orelse)
    if isinstance(node, ast.Lambda):
        return _text(node.body)
    return ""


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


class _PyFinder(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[int, str]] = []

    def _report(self, node):
        if text := _text(node):
            self.found.append((node.lineno, text))

    def visit_Call(self, node):
        name = _name(node.func)
        if name in _TRANSLATORS:
            return  # marked: nothing inside is reported
        for keyword in node.keywords:
            if keyword.arg in _LABEL_KEYWORDS or (name in _NOTIFY_FUNCS and keyword.arg in _NOTIFY_KEYWORDS):
                self._report(keyword.value)
        if node.args and (name in _STORED_TEXT_FUNCS or (
                name == "text" and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "stored_text")):
            self._report(node.args[0])
        if name in _MESSAGE_FUNCS and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "messages":
            for arg in node.args[1:2] + ([node.args[2]] if name == "add_message" and len(node.args) > 2 else []):
                self._report(arg)
        elif (name.endswith("Error") or name.endswith("Refused") or name.endswith("Transition")) and node.args \
                and name not in _DEVELOPER_ERRORS:
            self._report(node.args[0])
        elif name == "rule" and len(node.args) >= 3:
            self._report(node.args[2])
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        if any(_name(base) in _CHOICES_BASES for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple) \
                        and len(statement.value.elts) >= 2:
                    self._report(statement.value.elts[-1])
        self.generic_visit(node)


def unmarked_python(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each unmarked user-visible string of one module."""
    finder = _PyFinder()
    finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return sorted(finder.found)


def main(argv: list[str]) -> int:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
        django.setup()
    summary = "--summary" in argv
    python = "--python" in argv
    paths = [Path(a).resolve() for a in argv if not a.startswith("--")] or (
        python_files() if python else template_files())
    total = 0
    for path in paths:
        found = unmarked_python(path) if path.suffix == ".py" else unmarked(path)
        total += len(found)
        if found and summary:
            print(f"{len(found):5d}  {path.relative_to(ROOT)}")
        elif found:
            for line, text in found:
                print(f"{path.relative_to(ROOT)}:{line}: {text}")
    print(f"{total} unmarked in {len(paths)} files", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
