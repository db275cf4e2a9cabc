"""The site's form renderer (settings.FORM_RENDERER): Django's own, except that
a select is written in Python.

Django's select template includes `select_option.html` for every option, and
that includes `attrs.html`: two template includes per option. A filter form
with the clause catalogue and the people list renders a few hundred options
on every register page, and those includes were the largest single part of a
rare-word search's server time (issue 18: a search under 30 ms). The markup is
exactly the template's (tests/qms/test_form_renderer.py compares the two for
every kind of select), so the templates stay the reference.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT_TEMPLATES = {"django/forms/widgets/select.html"}
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """attrs.html: a False value is left out, True is the bare name."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


def render_select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
        for option in group_choices:
            parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                         f'{_attrs(option["attrs"])}>{conditional_escape(localize(option["label"]))}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if (template_name in SELECT_TEMPLATES and widget is not None
                and all(o.get("template_name") == OPTION_TEMPLATE for _g, opts, _i in widget["optgroups"] for o in opts)):
            return render_select(widget)
        return super().render(template_name, context, request)
