from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "REST API"

    urls = (("api/", "api.urls"),)

    def ready(self):
        from api import (  # noqa: F401
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            rules,  # registers the app's rules (qms.rules)
            schema,  # the token's security scheme in the OpenAPI document
            webhooks,  # the delivery job kind, the audit-event hook and the webhooks resource
        )
