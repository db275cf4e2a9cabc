"""Domain errors. Services raise them; views turn them into a message or a 4xx."""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule refused the action. The message is shown to the user as is."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IllegalTransition(DomainError):
    """A state change that the object's lifecycle does not allow."""


class PermissionRefused(DomainError, PermissionDenied):
    """A rule (qms.rules) said no. Uncaught, it is Django's 403 page with the rule's message."""

    status_code = 403


class SignatureRefused(DomainError):
    """Wrong password, wrong user or a signing rule broken: no signature made."""

    status_code = 403
