import pytest

from tests.records.factories import make_type


@pytest.fixture
def cal_type(db):
    return make_type("CAL")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path
