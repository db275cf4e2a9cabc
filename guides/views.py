"""/help/: the guides of docs/, for every logged-in user (login is required by
the middleware, as on every page)."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from guides import selectors


def _render(request, name):
    page = selectors.page(name)
    if page is None:
        raise Http404("There is no such guide.")
    return render(request, "guides/page.html", {"guide": page, "guides": selectors.GUIDES})


@require_GET
def index(request):
    return _render(request, selectors.INDEX)


@require_GET
def page(request, name):
    return _render(request, name)


@require_GET
def image(request, name):
    path = selectors.image_path(name)
    if path is None:
        raise Http404("There is no such image.")
    return FileResponse(path.open("rb"), content_type="image/png")
