"""The POST forms of a page, read from its HTML (what a browser would send),
and the nasty values a fuzz sends field by field."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # input type ("text", "date", "number", "hidden", "checkbox", "radio", "file", ...), "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)  # select options / radio and checkbox values
    multiple: bool = False
    required: bool = False


@dataclass
class Form:
    action: str  # a path
    page: str
    fields: dict[str, Field] = field(default_factory=dict)
    multipart: bool = False

    def add(self, f: Field, *, checked: bool = False):
        known = self.fields.get(f.name)
        if known is None:
            if f.kind in ("checkbox", "radio"):
                f.options, f.value = [f.value], (f.value if checked else "")
                f.multiple = f.kind == "checkbox"
            self.fields[f.name] = f
            return
        # Several checkboxes or radios under one name: one field with options.
        known.options.append(f.value)
        if checked:
            known.value = f.value if not known.value else known.value
        if f.kind == "checkbox":
            known.multiple = True


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.form, self.select, self.textarea = page, [], None, None, None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                action = urljoin(self.page, a.get("action") or self.page)
                self.form = Form(action=urlsplit(action).path, page=self.page,
                                 multipart="multipart" in (a.get("enctype") or ""))
                self.forms.append(self.form)
            return
        if self.form is None or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image") and not a.get("value"):
                return
            if kind in ("submit", "button"):
                kind = "submit"
            self.form.add(Field(a["name"], kind, a.get("value", "on" if kind == "checkbox" else ""),
                                required="required" in a), checked="checked" in a)
        elif tag == "button" and a.get("value") is not None:
            self.form.add(Field(a["name"], "submit", a.get("value", "")))
        elif tag == "select":
            self.select = Field(a["name"], "select", multiple="multiple" in a, required="required" in a)
            self.form.fields.setdefault(self.select.name, self.select)
        elif tag == "option" and self.select is not None:
            value = a.get("value")
            self._option = [value, "selected" in a]
        elif tag == "textarea":
            self.textarea = Field(a["name"], "textarea", required="required" in a)
            self.form.fields.setdefault(self.textarea.name, self.textarea)

    def handle_data(self, data):
        if self._option is not None and self._option[0] is None:
            self._option[0] = data.strip()
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self.select is not None:
            value, selected = self._option
            self.select.options.append(value or "")
            if selected and not self.select.value:
                self.select.value = value or ""
            self._option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.form = None


def post_forms(html: str, page: str) -> list[Form]:
    parser = _Parser(page)
    parser.feed(html)
    return parser.forms


# ------------------------------------------------------------------ values
LONG = "x" * 20000
TEXT = [LONG, "‮gnp.exe‬ 😀🏭 עברית ﷽", "' OR 1=1 --", "<script>alert(1)</script>", " ", "\u200b"]
NUMBERS = ["-0.0", "NaN", "inf", "-Infinity", "1e309", "1e-400", "99999999999999999999999999", "-1", "32767",
           "1_000", "٣"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1989-12-31", "99999-01-01", "2026-1-1x"]
DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "1989-12-31T23:59"]
IDS = ["999999999", "0", "-1", "abc", "1.5", "99999999999999999999999"]


def nasty_values(f: Field) -> list:
    """Values to send for one field (a list value = the name repeated)."""
    common = ["", ["1", "2"]]
    if f.kind == "date":
        return DATES + ["-0.0"] + common
    if f.kind == "datetime-local":
        return DATETIMES + DATES[:2] + common
    if f.kind == "number":
        return NUMBERS + common
    if f.kind in ("select", "radio", "checkbox"):
        return ["999999999", "-1", "abc", "99999999999999999999999", "maybe", LONG] + common
    if f.kind == "file":
        return []  # uploads are fuzzed separately (tests/documents/test_pdf_uploads.py, records evidence tests)
    if f.kind in ("password", "submit"):
        return [LONG, ""]
    # text, textarea, hidden, email, search: anything may arrive here
    return [LONG, TEXT[1], " ", "-0.0", "NaN", "1e309", "9999-12-31", "999999999"] + common
