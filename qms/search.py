"""One search box for everything (issue 18.2): apps register what they can
find; the core's /search/ page asks each, within the user's rules and scope,
and shows the hits grouped by kind with counts.

An app registers, from its AppConfig.ready()::

    @search.provider("documents", "Documents", order=10)
    def find(user, q: str, since: date | None, until: date | None, limit: int) -> search.Found: ...

A provider narrows with the same selectors its own pages use (so every rule
and the external auditor's scope apply), runs a fixed number of queries, and
returns the total (``counted``: at most COUNT_CAP, then "more than") and the
first ``limit`` hits. Snippets are built from the
text a reader sees (rendered Markdown, never its source), cut at word
boundaries, escaped, with the query's words marked.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db import connection
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from qms import dates


@dataclass
class Hit:
    title: str
    url: str
    snippet: SafeString | str = ""
    when: date | None = None
    meta: str = ""


@dataclass
class Found:
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    capped: bool = False  # more than `total` match (counted(): the count stops at COUNT_CAP)

    @property
    def has_more(self) -> bool:
        """More matches than the hits listed."""
        return self.capped or self.total > len(self.hits)


# A kind counts its matches up to this many: "more than 1,000" is what a reader
# needs (they narrow the search), and an exact count of a common word reads every
# match, which grows with the register (25,000 documents at 50,000).
COUNT_CAP = 1000


def counted(qs, cap: int | None = None) -> tuple[int, bool]:
    """How many rows `qs` has, up to `cap` (COUNT_CAP), and whether there are more.
    Give it the query in the order its hits are listed: the count then walks the
    same index as the hits and stops after cap + 1 rows."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # marked with gettext_noop where it is registered; shown through `display`
    order: int
    find: Callable[..., Found]

    @property
    def display(self) -> str:
        """The label in the reader's language."""
        return gettext(str(self.label))


_KINDS: dict[str, Kind] = {}


def provider(key: str, label: str, *, order: int = 50):
    def register(func):
        _KINDS[key] = Kind(key, label, order, func)
        return func

    return register


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.label))


@dataclass
class Group:
    kind: Kind
    found: Found


def search(user, q: str, *, only: str = "", since: date | None = None, until: date | None = None,
           limit: int = 5) -> list[Group]:
    """Every kind's hits for ``q`` (or one kind's, with ``only``), in order; kinds with no hit are kept (count 0)."""
    q = (q or "").strip()[:200]
    if not q:
        return []
    out = []
    for kind in kinds():
        if only and kind.key != only:
            continue
        out.append(Group(kind, kind.find(user, q, since, until, limit)))
    return out


# ------------------------------------------------------------------ snippets
_SPACE = re.compile(r"\s+")


def words_of(q: str) -> list[str]:
    """The query's words (quotes and operators of a web search dropped), longest first."""
    words = [w for w in re.findall(r"\w[\w'-]*", q, flags=re.UNICODE) if w.lower() not in {"or", "and", "not"}]
    return sorted(dict.fromkeys(words), key=len, reverse=True)[:10]


# A block's end is a word's end: "<td>a</td><td>b</td>" reads "a b", not "ab".
_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|td|th|tr|div|pre|blockquote|ul|ol|table)>|<br\s*/?>|<hr\s*/?>)", re.I)


def plain_text(html_or_text: str) -> str:
    """Tags stripped, entities decoded and white space collapsed: the words a reader sees."""
    text = strip_tags(_BLOCK_END.sub(r"\1 ", html_or_text or ""))
    return _SPACE.sub(" ", html_lib.unescape(text)).strip()


def _unsegmented(word: str) -> bool:
    """A word of a script written without spaces (Chinese, Japanese, Thai…): matched as a substring."""
    return any(ord(ch) >= 0x0E00 for ch in word)


@lru_cache(maxsize=4096)
def _stems(word: str) -> tuple[str, ...]:
    """The English stems PostgreSQL's search matches a word by ("calibrating" → "calibr"), so
    "calibration" is marked too; nothing for a stop word. None off PostgreSQL (words only)."""
    if connection.vendor != "postgresql":
        return ()
    with connection.cursor() as cur:
        cur.execute("SELECT unnest(ts_lexize('english_stem', lower(%s)))", [word])
        return tuple(row[0] for row in cur.fetchall() if row[0])


@lru_cache(maxsize=256)
def _pattern(q: str) -> re.Pattern | None:
    """Whole words that begin with one of the query's words or their stems; a
    word of an unsegmented script anywhere. A mark never ends inside a word."""
    words = words_of(q)
    if not words:
        return None
    spaced = [w for w in words if not _unsegmented(w)]
    starts = sorted({*spaced, *(s for w in spaced[:5] for s in _stems(w) if len(s) >= 3)}, key=len, reverse=True)
    parts = []
    if starts:
        parts.append(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in starts) + r")\w*")
    parts += [re.escape(w) for w in words if _unsegmented(w)]
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text: str, q: str, *, width: int = 220) -> SafeString:
    """A window of ``text`` around the first match of the query's words, cut at
    word boundaries (never inside a word), escaped, matches in <mark>."""
    text = (text or "").strip()
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:  # a stored plain text needs none of this
        text = _SPACE.sub(" ", text)
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    pattern = _pattern(q)
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > width // 3:
        start = first.start() - width // 3
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else 0
    end = start + width
    if end < len(text):
        space = text.find(" ", end)
        end = space if space != -1 else len(text)
    piece = text[start:end]
    out, last = [], 0
    for m in pattern.finditer(piece) if pattern else ():
        out.append(escape(piece[last:m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(piece[last:]))
    html = "".join(out)
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))  # noqa: S308 - escaped above


def in_range(qs, field_name: str, since: date | None, until: date | None):
    """``qs`` cut to rows whose date (or datetime) field falls between the two days, both included."""
    if _is_datetime(qs, field_name):
        return qs.filter(**dates.within_days(field_name, since, until))
    if since:
        qs = qs.filter(**{f"{field_name}__gte": since})
    if until:
        qs = qs.filter(**{f"{field_name}__lte": until})
    return qs


def _is_datetime(qs, field_name: str) -> bool:
    from django.db import models

    model = qs.model
    parts = field_name.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return isinstance(model._meta.get_field(parts[-1]), models.DateTimeField)
