"""Apps add menu entries through qms.nav; the base template shows those the
user's rule allows, and none to an anonymous visitor."""

import pytest

from qms import nav

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    saved = dict(nav._ENTRIES)
    nav.entry("Management system", "Open entry", "records:index", prefix="/records/", order=1)
    nav.entry("Management system", "QM-only entry", "audits:index", rule="audits.raise_capa", order=2)
    yield
    nav._ENTRIES.clear()
    nav._ENTRIES.update(saved)


def test_menus_follow_the_rules(entries, quality_manager, external_auditor, client_for):
    qm_labels = [e.label for m in nav.menus_for(quality_manager) for e in m.entries]
    assert qm_labels[:2] == ["Open entry", "QM-only entry"]
    ext_labels = [e.label for m in nav.menus_for(external_auditor) for e in m.entries]
    assert "Open entry" in ext_labels and "QM-only entry" not in ext_labels
    html = client_for(external_auditor).get("/records/").content.decode()
    assert "Open entry" in html and "QM-only entry" not in html
    assert 'class="dropdown-item active" aria-current="page"' in html


def test_no_menus_for_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert nav.menus_for(AnonymousUser()) == []
