"""Documents sections of the home dashboard (see qms.dashboard)."""

from qms import dashboard


@dashboard.provider(order=10)
def sections(user) -> list[dashboard.Section]:
    return [dashboard.Section(key="documents.to_sign", title="Waiting for my signature", empty="Nothing waiting for you.")]
