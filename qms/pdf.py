"""PDF helpers (WeasyPrint). Print layouts live in templates/pdf/.

`render_pdf(template, context)` is the one entry point apps use for printable
output (records, audit plans and reports, readiness summaries); the controlled
document renditions build on it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    context = {"COMPANY_NAME": settings.COMPANY_NAME, **context}
    return html_to_pdf(render_to_string(template, context))
