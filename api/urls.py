"""/api/: the schema, the docs (Swagger UI and Redoc, vendored), the tokens
pages, and /api/v1/ with every app's resources (api/resources/<app>.py)."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path, register_converter
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from api import views
from api.base import ApiViewMixin
from api.resources import registered

app_name = "api"


class Schema(ApiViewMixin, SpectacularAPIView):
    pass


# The docs are pages to read: GET only (an OPTIONS request asked DRF for the
# page's metadata, which a template-rendered view cannot give: a 500).
DOCS_METHODS = ["get", "head"]


class Swagger(SpectacularSwaggerSplitView):
    """A page: anonymous visitors go to the login page."""

    http_method_names = DOCS_METHODS


class Redoc(SpectacularRedocView):
    template_name = "api/redoc.html"  # without the web fonts of the stock template: nothing from outside
    http_method_names = DOCS_METHODS


# Swagger UI and Redoc style themselves inline and Redoc runs a worker from a blob:
# the docs pages alone allow that; their scripts still come only from our static files.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"], "img-src": ["data:"]})


@extend_schema(exclude=True)
class NoSuchOperation(ApiViewMixin, APIView):
    """Any other path under /api/v1/ (an id of the wrong form, a typo): a JSON
    404 like every API error (401 without a token), never the site's HTML page."""

    def _not_found(self, request, *args, **kwargs):
        if not request.path.endswith("/"):
            raise NotFound(gettext("No such API operation: API paths end with a slash."))
        raise NotFound(gettext("No such API operation or object."))

    get = post = put = patch = delete = _not_found


class AnythingConverter:
    """Any rest of a path, newlines and all (the `path` converter stops at a newline)."""

    regex = r"[\s\S]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AnythingConverter, "anything")

router = SimpleRouter(use_regex_path=False)
for prefix, viewset, basename in registered():
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", Schema.as_view(), name="schema"),
    path("docs/", login_required(docs_csp(Swagger.as_view(url_name="api:schema"))), name="docs"),
    path("docs/redoc/", login_required(docs_csp(Redoc.as_view(url_name="api:schema"))), name="redoc"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("tokens/all/", views.token_admin, name="token-admin"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhooks-endpoint"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhooks-test"),
    path("webhooks/<int:pk>/disable/", views.webhook_disable, name="webhooks-disable"),
    path("webhooks/<int:pk>/enable/", views.webhook_enable, name="webhooks-enable"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhooks-delete"),
    path("webhooks/deliveries/<int:pk>/redeliver/", views.webhook_redeliver, name="webhooks-redeliver"),
    path("v1/", include(router.urls)),
    path("v1/<anything:rest>", NoSuchOperation.as_view(), name="no-such-operation"),  # last: what nothing matched
]
