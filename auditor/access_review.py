"""The external auditors' grants as a column of the core's access review (issue 17)."""

from django.utils import timezone


def grants(user_ids: list[int]) -> dict[int, str]:
    from auditor.models import AuditorAccess

    now = timezone.now()
    out = {}
    for access in AuditorAccess.objects.filter(user_id__in=user_ids).only(
            "user_id", "organisation", "valid_from", "valid_until", "all_scope", "revoked_at"):
        if access.revoked_at:
            state = f"revoked {access.revoked_at:%Y-%m-%d}"
        elif access.valid_until < now:
            state = f"expired {access.valid_until:%Y-%m-%d}"
        else:
            state = f"{access.valid_from:%Y-%m-%d} – {access.valid_until:%Y-%m-%d}"
        scope = "everything" if access.all_scope else "limited scope"
        out[access.user_id] = f"{access.organisation}: {state}, {scope}"
    return out
