"""/api/: the schema, the docs (Swagger UI and Redoc, vendored), the tokens
pages, and /api/v1/ with every app's resources (api/resources/<app>.py)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views
from api.base import ApiViewMixin
from api.resources import registered

app_name = "api"


class Schema(ApiViewMixin, SpectacularAPIView):
    pass


class Swagger(ApiViewMixin, SpectacularSwaggerSplitView):
    pass


class Redoc(ApiViewMixin, SpectacularRedocView):
    pass


router = SimpleRouter(use_regex_path=False)
for prefix, viewset, basename in registered():
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", Schema.as_view(), name="schema"),
    path("docs/", Swagger.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", Redoc.as_view(url_name="api:schema"), name="redoc"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("tokens/all/", views.token_admin, name="token-admin"),
    path("v1/", include(router.urls)),
]
