"""Records sections of the home dashboard (see qms.dashboard)."""

from qms import dashboard


@dashboard.provider(order=20)
def sections(user) -> list[dashboard.Section]:
    return [dashboard.Section(key="records.to_verify", title="Records to verify", empty="Nothing waiting for you.")]
