"""iCalendar feeds (RFC 5545) built with the `icalendar` library, so audits
show in Outlook, Google Calendar or Thunderbird."""

from __future__ import annotations

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from audits.models import Audit


def build_calendar(audits, *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//QMS//Audits//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    base = settings.SITE_URL.rstrip("/")
    for audit in audits:
        ev = Event()
        # Stable UID: calendar clients update the event instead of duplicating it.
        ev.add("uid", f"audit-{audit.pk}@{base.split('://')[-1]}")
        ev.add("summary", f"{audit.number} {audit.title}")
        ev.add("dtstart", audit.planned_start)
        ev.add("dtend", audit.planned_end)
        ev.add("dtstamp", audit.created_at)
        ev.add("location", vText(audit.site or ("Remote" if audit.is_remote else "")))
        ev.add("description", f"{audit.get_audit_type_display()} audit, {audit.get_status_display()}.\nScope: {audit.scope}")
        ev.add("url", base + audit.get_absolute_url())
        ev.add("status", "TENTATIVE" if audit.status == Audit.Status.PLANNED else "CONFIRMED")
        lead = audit.lead_auditor
        organizer = vCalAddress(f"mailto:{lead.email or lead.username}")
        organizer.params["cn"] = vText(lead.display_name)
        ev.add("organizer", organizer)
        cal.add_component(ev)
    return cal.to_ical()
