"""The OpenAPI document: the token's security scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "qms_<key_id>.<secret>",
                "description": "A personal access token from your API tokens page."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The browser session; unsafe methods need the X-CSRFToken header."}


# ------------------------------------------------------------------ every operation's error answers
# Every API error is {detail, code[, errors]} (api.exceptions). The document
# lists them on every operation, so a client (and Schemathesis) knows each
# answer it can get: 401 without a valid token, 403 a rule's refusal, 404 no
# such object (or not for you), 429 past the rate; 400 where there is input
# (a body or query parameters), 409 for a state move.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {}},
    },
    "required": ["detail", "code"],
}
_ERRORS = {
    "400": "The input is not valid: the form's field errors",
    "401": "No valid token (or session)",
    "403": "The rule's refusal (or a read-only token)",
    "404": "No such object, or not for you",
    "409": "An illegal state move or an edit conflict",
    "429": "Too many requests: see Retry-After",
}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["401", "403", "404", "429"]
            if operation.get("parameters") or operation.get("requestBody") or method != "get":
                wanted.append("400")
            if method != "get":
                wanted.append("409")
            for code in wanted:
                existing = responses.get(code)
                if existing is None or not existing.get("content"):
                    description = (existing or {}).get("description") or _ERRORS[code]
                    responses[code] = _error_response(description)
            for answer in responses.values():
                content = answer.get("content") or {}
                # A stored file is served with its own type (a PDF, a text, an image).
                if "application/octet-stream" in content and "*/*" not in content:
                    content["*/*"] = content["application/octet-stream"]
    return result
