"""`|in_sentence`: a label inside a sentence (qms.i18n.in_sentence); a builtin of every template."""

from django import template

from qms.i18n import in_sentence as _in_sentence

register = template.Library()


@register.filter
def in_sentence(value) -> str:
    return _in_sentence(value)
