"""Audits sections of the home dashboard (see qms.dashboard)."""

from qms import dashboard


@dashboard.provider(order=30)
def sections(user) -> list[dashboard.Section]:
    return [dashboard.Section(key="audits.upcoming", title="My upcoming audits and CAPA actions", empty="Nothing waiting for you.")]
