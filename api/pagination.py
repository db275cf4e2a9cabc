"""Cursor pagination: deep pages cost the same as the first (no OFFSET), and a
list's order is one of the view's named orderings (`?ordering=`)."""

from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering_param = "ordering"

    def get_ordering(self, request, queryset, view):
        orderings = getattr(view, "orderings", None) or {"id": ("id",)}
        name = request.query_params.get(self.ordering_param) or next(iter(orderings))
        if name not in orderings:
            raise ValidationError({self.ordering_param: [gettext("Choose one of: %(orderings)s.") % {"orderings": ", ".join(orderings)}]})
        return tuple(orderings[name])

    def get_page_size(self, request):
        try:
            return super().get_page_size(request)
        except (OverflowError, ValueError):
            return self.page_size

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        orderings = list(getattr(view, "orderings", None) or {"id": ("id",)})
        params.append({
            "name": self.ordering_param, "required": False, "in": "query",
            "description": "The order of the list.", "schema": {"type": "string", "enum": orderings},
        })
        return params
