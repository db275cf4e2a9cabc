"""Who may do what: one registry of named rules, each with its refusal message.

Every app registers its rules in `<app>/rules.py` (imported by its AppConfig):

    rule("documents.sign_revision", can_write & in_review & is_signer_now,
         "You are not a signer on this revision's active step.")

A rule is a django-rules predicate (composable with `&`, `|`, `~`) named
`<app>.<action>`. Services call `require(name, actor, obj)` once, which raises
`PermissionRefused` with the rule's message; views and templates ask
`allowed(name, user, obj)` (template: `{% can "documents.sign_revision" revision as ok %}`)
to decide what to show. The message lives here, beside its rule, and nowhere else.

We use the rules library (django-rules) for the predicates and the rule set; the
messages and the strict lookup (an unknown name is an error, never "no") are ours.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext
from rules import RuleSet
from rules import predicate as predicate  # re-exported: apps build their predicates with it

from qms import stored_text
from qms.errors import PermissionRefused

Message = str | Callable[..., str]  # a str may be a lazy translation (gettext_lazy)

_RULES = RuleSet()
_MESSAGES: dict[str, Message] = {}


class UnknownRule(LookupError):
    pass


def rule(name: str, pred, message: Message) -> None:
    """Register `name` (`<app>.<action>`) with its predicate and refusal message.

    `message` is a sentence, or a function of (user, obj) for one that names them."""
    if "." not in name:
        raise ValueError(f"Rule names are <app>.<action>: {name!r}")
    if name in _RULES:
        raise ValueError(f"Rule {name} is registered twice")
    _RULES.add_rule(name, pred)
    _MESSAGES[name] = message


def allowed(name: str, user, obj=None) -> bool:
    if name not in _RULES:
        raise UnknownRule(f"No rule named {name!r} is registered")
    return _RULES.test_rule(name, user, obj)


def message(name: str, user=None, obj=None) -> str:
    """The refusal in the reader's language: a rule's message is marked for translation
    (gettext_lazy, or gettext_noop) where it is registered, and translated here when shown."""
    msg = _MESSAGES[name]
    text = msg(user, obj) if callable(msg) else msg
    return gettext(str(text))


def _refusal(name: str, user, obj) -> str:
    """A sentence registered with the rule is raised as a stored text (qms.stored_text):
    shown in the reader's language, and kept by msgid where it is stored (a job
    refused in a worker). A message made for the user and object is raised as it is."""
    msg = _MESSAGES[name]
    if callable(msg):
        return message(name, user, obj)
    return stored_text.lazy(msg) if isinstance(msg, Promise) else stored_text.text(str(msg))


def require(name: str, user, obj=None) -> None:
    """The one check a service makes: refuse with the rule's message."""
    if not allowed(name, user, obj):
        raise PermissionRefused(_refusal(name, user, obj))


def registered() -> dict[str, Message]:
    """Every rule name with its message (for the registry tests and documentation)."""
    return dict(_MESSAGES)
