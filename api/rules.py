"""Who may do what with personal access tokens (qms.rules)."""

from django.utils.translation import gettext_lazy as _

from qms.permissions import can_write, has_a_role, is_quality_manager
from qms.rules import predicate, rule


@predicate
def owns_token(user, token) -> bool:
    return token is None or token.user_id == user.pk


@predicate
def is_active_user(user) -> bool:
    return bool(getattr(user, "is_active", False))


# A user with a role makes tokens for themselves; an external auditor only read-only ones
# (api.services.token_create caps them to the access window).
rule("api.manage_own_tokens", is_active_user & has_a_role & owns_token, _("You cannot manage API tokens."))
rule("api.create_write_token", can_write & has_a_role,
     _("External auditor accounts may only create read-only tokens."))
rule("api.manage_all_tokens", is_quality_manager, _("Only the quality manager lists and revokes everyone's API tokens."))
rule("api.revoke_token", is_active_user & (is_quality_manager | (has_a_role & owns_token)),
     _("You can revoke only your own API tokens."))
rule("api.manage_webhooks", is_active_user & can_write & is_quality_manager,
     _("Only the quality manager registers and manages webhooks."))
rule("api.use_api", has_a_role, _("Your account has no role in the QMS: the API has nothing for you."))
rule("api.write_with_api", can_write, _("External auditor accounts are read-only: nothing can be changed."))


@predicate
def is_user_administrator(user) -> bool:
    """The administrator of DESIGN.md: staff with the admin's permission to change users."""
    return bool(getattr(user, "is_staff", False)) and user.has_perm("qms.change_user")


rule("api.administer_users", is_active_user & can_write & is_user_administrator,
     _("Only an administrator (staff with the right to change users) creates and changes users."))
