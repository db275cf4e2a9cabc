"""The redline: what changed between two revisions, shown in the rendered document.

    redline(old_html, new_html)   word-level insertions and deletions in the rendered HTML, by block
    pdf_text_html(revision)       an uploaded PDF's text as escaped HTML (one heading per page), to redline

Both revisions are rendered by `selectors.render_markdown` (the sanitised HTML the
document page shows); lxml's `htmldiff` marks what changed, word by word, with
`<ins>` and `<del>`; the result goes through the same nh3 allow-list again, with
`ins`/`del` and our own anchors added, so nothing an author wrote can become
active content. The diff is cut into the document's top-level blocks (paragraphs,
lists, tables, headings): the side-by-side view shows each block's old and new
version in one row, and headings name the changed sections.

Library weighed: lxml's `htmldiff` (HTML-aware, word tokens, keeps the markup;
lxml is well kept); `redlines` and `diff-match-patch` diff plain text (the first
word-level, the second by characters), so they would lose the rendering or split
words; the `htmldiff` package is unmaintained since 2011.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import nh3
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from lxml import etree
from lxml.html import diff as lxml_diff
from lxml.html import fragment_fromstring

from documents.selectors import ALLOWED_TAGS

log = logging.getLogger(__name__)

DIFF_TAGS = ALLOWED_TAGS | {"ins", "del", "div"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_OUR_ID = re.compile(r"(sec|chg)-\d+")
_OUR_CLASSES = {"rl-block", "rl-changed", "rl-heading"}
PDF_TEXT_CACHE_SECONDS = 7 * 24 * 3600


def _attributes(tags: set[str], extra: set[str]) -> dict[str, set[str]]:
    """nh3's default attributes of `tags`, plus `extra` (our anchors) on each."""
    return {tag: set(nh3.ALLOWED_ATTRIBUTES.get(tag, ())) | extra for tag in tags}


def _ours(tag: str, attr: str, value: str) -> str | None:
    """Keep only the ids and classes this module adds (revisions' own never reach here, but be sure)."""
    if attr == "id":
        return value if _OUR_ID.fullmatch(value) else None
    if attr == "class":
        kept = " ".join(c for c in value.split() if c in _OUR_CLASSES)
        return kept or None
    return value


def clean(html: str, *, keep: set[str] = frozenset({"ins", "del"}), drop: set[str] = frozenset(),
          ids: bool = True) -> SafeString:
    """The project's allow-list (selectors.ALLOWED_TAGS) with `keep` of ins/del; `drop` removes those
    elements with their content (the other side of a side-by-side row)."""
    tags = (ALLOWED_TAGS | {"div"} | set(keep)) - set(drop)
    return mark_safe(nh3.clean(html, tags=tags, clean_content_tags=set(drop) or None,  # noqa: S308 - the allow-list
                               attributes=_attributes(tags, {"id", "class"} if ids else {"class"}),
                               attribute_filter=_ours))


@dataclass
class Block:
    html: SafeString  # the block with its ins/del marks, sanitised (clean)
    changed: bool
    anchor: str = ""
    old: SafeString = SafeString()  # side by side: the old version (deletions marked), the new (insertions marked)
    new: SafeString = SafeString()


@dataclass
class Section:
    title: str
    anchor: str
    insertions: int = 0
    deletions: int = 0


@dataclass
class Redline:
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)  # only the changed ones, in document order
    insertions: int = 0
    deletions: int = 0

    @property
    def inline_html(self) -> SafeString:
        return SafeString("".join(b.html for b in self.blocks))  # each block went through clean()

    @property
    def changed(self) -> bool:
        return bool(self.insertions or self.deletions)


def _text(el, skip: str) -> str:
    """An element's text without its `skip` (ins or del) parts."""
    copy = fragment_fromstring(etree.tostring(el, encoding="unicode", with_tail=False))
    for x in list(copy.iter(skip)):
        x.drop_tree()  # keeps the text after it
    return " ".join("".join(copy.itertext()).split())


def _html(el) -> str:
    return etree.tostring(el, method="html", encoding="unicode", with_tail=False)


def _top_blocks(html: str) -> list:
    """The top-level elements of rendered HTML; stray top-level text (rare) becomes a paragraph."""
    if not (html or "").strip():
        return []
    root = fragment_fromstring(html, create_parent="div")
    out = []

    def stray(text):
        if text and text.strip():
            p = etree.Element("p")
            p.text = text.strip()
            out.append(p)

    stray(root.text)
    for child in list(root):
        tail, child.tail = child.tail, None
        if isinstance(child.tag, str):
            out.append(child)
        stray(tail)
    return out


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _align(old: list, new: list) -> list[tuple]:
    """Pair the blocks of a changed stretch: each old block with the most alike new block
    of the same kind after the last pair (at least half alike), the rest inserted or deleted."""
    if len(old) * len(new) > 2500:  # a rewrite: no pairing, a deletion and an insertion
        return [(o, None) for o in old] + [(None, n) for n in new]
    texts_new = [" ".join(n.itertext()) for n in new]
    pairs, j = [], 0
    for o in old:
        text_o = " ".join(o.itertext())
        best, best_k = 0.5, None
        for k in range(j, len(new)):
            if new[k].tag == o.tag and (ratio := _similar(text_o, texts_new[k])) >= best:
                best, best_k = ratio, k
                if ratio == 1:
                    break
        if best_k is None:
            pairs.append((o, None))
            continue
        pairs.extend((None, n) for n in new[j:best_k])
        pairs.append((o, new[best_k]))
        j = best_k + 1
    pairs.extend((None, n) for n in new[j:])
    return pairs


def _wrapped(el, mark: str):
    """A whole block inserted or deleted: the block inside one <ins> or <del>, in a div."""
    div, m = etree.Element("div"), etree.Element(mark)
    div.append(m)
    m.append(el)
    return div


def htmldiff(old_html: str, new_html: str) -> str:
    """lxml's `htmldiff`, with the plain difflib matcher: lxml's own drops equal runs of one or
    two words amid changes (readable for long rewrites, but a short sentence with one word
    changed would come out as a whole new sentence). Built from lxml.html.diff's public steps."""
    old, new = lxml_diff.tokenize(old_html), lxml_diff.tokenize(new_html)
    chunks: list = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            chunks.extend(lxml_diff.expand_tokens(new[j1:j2], equal=True))
            continue
        if op in ("insert", "replace"):
            lxml_diff.merge_insert(list(lxml_diff.expand_tokens(new[j1:j2])), chunks)
        if op in ("delete", "replace"):
            lxml_diff.merge_delete(list(lxml_diff.expand_tokens(old[i1:i2])), chunks)
    lxml_diff.cleanup_delete(chunks)
    return lxml_diff.fixup_ins_del_tags("".join(chunks).strip())


def _word_diff(o, n):
    """Two versions of one block, their words compared (lxml htmldiff): one element."""
    root = fragment_fromstring(htmldiff(_html(o), _html(n)), create_parent="div")
    for mark in list(root.iter("ins", "del")):
        if not "".join(mark.itertext()).strip() and not len(mark):
            mark.drop_tag()  # a mark around the space between two words
    kids = [k for k in root if isinstance(k.tag, str)]
    if len(kids) == 1 and not (root.text or "").strip() and not (kids[0].tail or "").strip():
        kids[0].tail = None
        return kids[0]
    return root  # e.g. a paragraph that became a heading: both, in a div


def _pairs(old_html: str, new_html: str) -> list[tuple]:
    """(element, changed) for each block of the redline, in the new document's order."""
    old, new = _top_blocks(old_html), _top_blocks(new_html)
    old_keys, new_keys = [_html(b) for b in old], [_html(b) for b in new]
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend((n, False) for n in new[j1:j2])
            continue
        for o, n in _align(old[i1:i2], new[j1:j2]):
            if o is None:
                out.append((_wrapped(n, "ins"), True))
            elif n is None:
                out.append((_wrapped(o, "del"), True))
            else:
                out.append((_word_diff(o, n), True))
    return out


def _side(el, drop: str) -> str:
    """One side of a changed block: the `drop` marks (ins on the old side, del on the new) taken
    out with their words, and a list item or table row left empty by that taken out too."""
    copy = fragment_fromstring(_html(el))
    for mark in list(copy.iter(drop)):
        parent = mark.getparent()
        mark.drop_tree()
        while parent is not None and parent.tag in ("li", "tr", "td", "th") and parent is not copy \
                and not "".join(parent.itertext()).strip() and not parent.xpath(".//img"):
            grand = parent.getparent()
            parent.drop_tree()
            parent = grand if grand is not None and grand.tag == "tr" else None
    return _html(copy)


def redline(old_html: str, new_html: str) -> Redline:
    """Word-level redline of two rendered (already sanitised) HTML documents."""
    result = Redline()
    current: Section | None = None
    seen_sections: list[Section] = []
    n_heading = n_change = 0
    for el, changed in _pairs(old_html, new_html):
        ins, dels = len(list(el.iter("ins"))), len(list(el.iter("del")))
        changed = changed and bool(ins or dels)
        classes = ["rl-block"]
        heading = next((h for h in el.iter(*HEADINGS)), None)
        if heading is not None and heading is not el and el.tag != "div":
            heading = None  # a heading inside a table cell or list does not start a section
        if heading is not None:
            n_heading += 1
            heading.set("id", f"sec-{n_heading}")
            title = _text(heading, "del") or _text(heading, "ins")
            current = Section(title=title, anchor=f"sec-{n_heading}")
            seen_sections.append(current)
            classes.append("rl-heading")
        anchor = ""
        if changed:
            n_change += 1
            classes.append("rl-changed")
            anchor = f"chg-{n_change}"
            if heading is el:
                anchor = heading.get("id")
            else:
                el.set("id", anchor)
            if current is None:
                current = Section(title="Before the first heading", anchor=anchor)
                seen_sections.append(current)
            current.insertions += ins
            current.deletions += dels
            result.insertions += ins
            result.deletions += dels
        el.set("class", " ".join(classes))
        raw = _html(el)
        block = Block(html=clean(raw), changed=changed, anchor=anchor)
        if changed:
            block.old = clean(_side(el, "ins"), keep={"del"}, ids=False)
            block.new = clean(_side(el, "del"), keep={"ins"})
        else:
            block.old, block.new = clean(raw, ids=False), block.html
        result.blocks.append(block)
    result.sections = [s for s in seen_sections if s.insertions or s.deletions]
    return result


# ------------------------------------------------------------------ uploaded PDFs
def _pdf_pages(revision) -> list[str] | None:
    """The text of each page of the revision's PDF (cached by its SHA-256), or None if unreadable."""
    from django.core.files.storage import default_storage

    from qms.pdf import extract_text

    key = f"redline:pdf-text:{revision.pdf_sha256 or hashlib.sha256(revision.pdf_file.encode()).hexdigest()}"
    pages = cache.get(key)
    if pages is not None:
        return pages
    try:
        with default_storage.open(revision.pdf_file) as fh:
            pages = extract_text(fh.read())
    except Exception:  # a damaged or missing file: said on the page, never a 500
        log.warning("redline: the PDF of %s could not be read", revision, exc_info=True)
        return None
    cache.set(key, pages, PDF_TEXT_CACHE_SECONDS)
    return pages


def pdf_text_html(revision) -> str | None:
    """The PDF's text as escaped HTML: a heading per page, a paragraph per line (None if unreadable)."""
    if not revision.pdf_file:
        return ""
    pages = _pdf_pages(revision)
    if pages is None:
        return None
    out = io.StringIO()
    for number, text in enumerate(pages, start=1):
        out.write(f"<h2>Page {number}</h2>")
        for line in text.splitlines():
            if line.strip():
                out.write(f"<p>{escape(line.strip())}</p>")
    return out.getvalue()
