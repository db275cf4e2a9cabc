"""`{% object_panels obj %}`: the panels other apps registered for `obj`'s page (qms.panels)."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join

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
    # Each panel is a rendered template (a SafeString: it escaped its own content), kept as it is.
    return format_html_join("", "{}", ((h,) for h in html))
