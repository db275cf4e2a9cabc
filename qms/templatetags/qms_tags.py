"""Template helpers. `{% can "documents.sign_revision" revision as ok %}` asks the
same rule the service requires (qms.rules); an unknown rule name is an error."""

from django import template
from django.utils.html import format_html

from qms import lifecycle, permissions, rules

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    try:
        return rules.allowed(action, context["request"].user, obj)
    except rules.UnknownRule as exc:
        raise template.TemplateSyntaxError(str(exc)) from exc


@register.simple_tag(takes_context=True)
def has_role(context, *names: str) -> bool:
    return permissions.has_role(context["request"].user, *names)


@register.simple_tag
def status_badge(value: str, label: str = "") -> str:
    colour = lifecycle.colour(str(value))  # declared with each model's lifecycle
    return format_html('<span class="badge text-bg-{} status-{}">{}</span>', colour, value, label or value)


@register.filter
def same_site(value):
    """A stored link shown only if it is a path on this site (see qms.safeurls)."""
    from qms.safeurls import same_site_path_or_empty

    return same_site_path_or_empty(value or "")


@register.simple_tag(takes_context=True)
def readable_registers(context) -> list:
    """The declared registers (qms.registers) the signed-in user may read."""
    from qms import registers

    return registers.readable(context["request"].user)


@register.simple_tag(takes_context=True)
def nav_menus(context) -> list:
    """The apps' menus the signed-in user may open (qms.nav)."""
    from qms.nav import menus_for

    request = context.get("request")
    return menus_for(getattr(request, "user", None))


@register.filter
def nav_active(menu, path: str) -> bool:
    return menu.active(path or "")
