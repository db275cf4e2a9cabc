"""The audit-event verbs of the API (personal access tokens) and the sentences
the trail shows for them (registered from ApiConfig.ready())."""

from qms.audit import Verb, register_verbs

register_verbs({
    "api.token_created": Verb("API token created", note="Token"),
    "api.token_revoked": Verb("API token revoked", note="Token"),
    "api.token_new_address": Verb("API token used from a new address", note="Token"),
    "webhook.created": Verb("Webhook endpoint created", note="Endpoint"),
    "webhook.disabled": Verb("Webhook endpoint disabled", note="Endpoint"),
    "webhook.enabled": Verb("Webhook endpoint enabled", note="Endpoint"),
    "webhook.deleted": Verb("Webhook endpoint deleted", note="Endpoint"),
})
