"""Domain errors. Services raise them; views turn them into a message or a 4xx."""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule refused the action. The message is shown to the user as is.

    A message that may be stored (a job's error: qms.stored_text.text(...)) is
    shown in the active language, and stored as msgid and parameters
    (qms.stored_text.message_of(exc) finds it)."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self._message = message

    @property
    def message(self) -> str:
        translated = getattr(self._message, "translated", None)  # a StoredText
        return translated() if callable(translated) else self._message

    def __str__(self) -> str:  # Django's 403 page shows str(exception)
        return str(self.message)


class IllegalTransition(DomainError):
    """A state change that the object's lifecycle does not allow."""


class PermissionRefused(DomainError, PermissionDenied):
    """A rule (qms.rules) said no. Uncaught, it is Django's 403 page with the rule's message."""

    status_code = 403


class SignatureRefused(DomainError):
    """Wrong password, wrong user or a signing rule broken: no signature made."""

    status_code = 403
