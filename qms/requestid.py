"""A request id on every request, every log line and the jobs a request asks for.

The id comes from the proxy's `X-Request-ID` when it is a plain token (letters,
digits, `.`, `_`, `-`, at most 64), otherwise a new one; it is sent back in the
response's `X-Request-ID`. `RequestIdLogFilter` puts it on every log record
(`%(request_id)s`, and a field of the JSON logs with LOG_FORMAT=json), and
`qms.jobs` passes it to the worker in the task's headers, so one id follows a
print from the click to the worker that rendered it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"


def current() -> str:
    return _current.get()


def bind(value: str | None) -> contextvars.Token:
    """Set the id for the code that follows (a worker running a job); returns the reset token."""
    return _current.set(value if value and _TOKEN.match(value) else "-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(HEADER, "")
        rid = sent if _TOKEN.match(sent) else uuid.uuid4().hex
        request.request_id = rid
        token = _current.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = rid
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
