"""Tags for print layouts (templates/pdf/): `{% pdf_static "vendor/…" %}` is a
file a PDF may load (see qms.pdf.static_file_uri) and `{% pdf_lang title body %}`
the language of the texts (qms.pdf.text_language)."""

from django import template

from qms import pdf

register = template.Library()


@register.simple_tag
def pdf_static(name: str) -> str:
    return pdf.static_file_uri(name)


@register.simple_tag(takes_context=True)
def pdf_lang(context, *texts) -> str:
    """The language the layout was given (`pdf_language`: a document's own), else the texts' one."""
    if context.get("pdf_language"):
        return pdf.language_tag(context["pdf_language"])
    return pdf.text_language(*texts)
