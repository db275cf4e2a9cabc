"""Builtins of every template: `|in_sentence`, a label inside a sentence
(qms.i18n.in_sentence); `|stored_text:"error"` and `|stored_texts:"problems"`,
a text kept in the database shown in the reader's language (qms.stored_text)."""

from django import template

from qms import stored_text as _stored
from qms.i18n import in_sentence as _in_sentence

register = template.Library()


@register.filter
def in_sentence(value) -> str:
    return _in_sentence(value)


@register.filter
def stored_text(obj, name: str) -> str:
    """`{{ job|stored_text:"error" }}`: job.error_i18n translated, else job.error (never raises)."""
    return _stored.display(obj, str(name))


@register.filter
def stored_texts(obj, name: str) -> list[str]:
    """`{% for p in row|stored_texts:"problems" %}`: a list of stored texts, item by item."""
    return _stored.display_list(obj, str(name))
