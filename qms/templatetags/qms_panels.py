"""`{% object_panels obj %}`: the panels other apps registered for `obj`'s page (qms.panels)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from qms import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def object_panels(context, obj) -> str:
    request = context.get("request")
    if request is None or obj is None:
        return ""
    html = []
    for p in panels.panels_for(request, obj):
        html.append(render_to_string(p.template, {"panel": p, "object": obj, **p.context}, request=request))
    return mark_safe("".join(html))  # each panel's template escapes its own content
