"""Template helpers. `{% can "approve_revision" revision as ok %}` asks the same
predicate the view asks (qms.permissions.can_approve_revision(user, revision))."""

from django import template
from django.utils.html import format_html

from qms import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    func = getattr(permissions, f"can_{action}", None)
    if func is None:
        raise template.TemplateSyntaxError(f"No predicate qms.permissions.can_{action}")
    user = context["request"].user
    return func(user) if obj is None else func(user, obj)


@register.simple_tag(takes_context=True)
def has_role(context, *names: str) -> bool:
    return permissions.has_role(context["request"].user, *names)


STATUS_COLOURS = {
    "draft": "secondary",
    "in_review": "info",
    "approved": "primary",
    "effective": "success",
    "superseded": "dark",
    "obsolete": "dark",
    "pending": "secondary",
    "running": "info",
    "ready": "success",
    "failed": "danger",
    "open": "warning",
    "closed": "success",
    "void": "danger",
    "voided": "danger",
    "submitted": "primary",
    "verified": "success",
    "disposed": "dark",
    # audits and CAPA
    "planned": "secondary",
    "prepared": "info",
    "in_progress": "primary",
    "reported": "success",
    "issued": "success",
    "analysed": "info",
    "implementing": "primary",
    "verifying": "warning",
    "done": "success",
    # evidence requests
    "answered": "info",
}


@register.simple_tag
def status_badge(value: str, label: str = "") -> str:
    colour = STATUS_COLOURS.get(str(value), "secondary")
    return format_html('<span class="badge text-bg-{} status-{}">{}</span>', colour, value, label or value)


@register.filter
def same_site(value):
    """A stored link shown only if it is a path on this site (see qms.safeurls)."""
    from qms.safeurls import same_site_path_or_empty

    return same_site_path_or_empty(value or "")
