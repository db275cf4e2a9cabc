"""Table-driven fuzz: every URL pattern (arguments from seeded objects), every
query parameter a list, filter, form or export reads, with nasty values:
never a 500, and a GET changes nothing."""

from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.http import QueryDict

from qms.models import AuditEvent
from tests.auditor import scope_world
from tests.qms.urlwalk import all_routes

NASTY = ["99999999999999999999999", "-1", "abc", "0001-01", "9999-12-31", "x" * 3000 + "😀"]
LIST_PARAMS = ["q", "status", "type", "page", "month", "date", "item", "on", "owner", "clause"]


DETAIL_PARAMS = ["item", "page"]
# Each URL gets every nasty value under the first parameter of its list, whether
# it reads it or not: what every page does with any query string (echo it in a
# link, the language form's "next") is then walked on every URL. Another
# parameter gets them all only where the view reads it (_ReadingQueryDict).


class _Reads:
    """The query parameters the view of one request read."""

    keys: set[str] = set()
    everything = False


@contextmanager
def _unread():
    """What runs inside reads nothing, as far as the record goes."""
    keys, everything = set(_Reads.keys), _Reads.everything
    try:
        yield
    finally:
        _Reads.keys, _Reads.everything = keys, everything


def _unread_call(func):
    def call(*args, **kwargs):
        with _unread():
            return func(*args, **kwargs)
    return call


class _ReadingQueryDict(QueryDict):
    """request.GET that notes each key read; listing its keys or values counts as reading every key."""

    def __getitem__(self, key):
        _Reads.keys.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _Reads.keys.add(key)
        return super().__contains__(key)

    def _getlist(self, key, *args, **kwargs):
        _Reads.keys.add(key)
        return super()._getlist(key, *args, **kwargs)

    def get(self, key, default=None):
        _Reads.keys.add(key)
        return super().get(key, default)

    def __deepcopy__(self, memo):  # copy() lists the keys to copy them: not a read
        with _unread():
            return super().__deepcopy__(memo)

    def urlencode(self, safe=None):
        with _unread():
            return super().urlencode(safe)


def _reading_all(name):
    def method(self, *args, **kwargs):
        _Reads.everything = True
        return getattr(QueryDict, name)(self, *args, **kwargs)
    return method


# Listing the keys or values reads them all. Copying (a view's pagination links
# drop "page" from a copy) and urlencode (echo the query string into a link)
# handle every key alike, whatever its name: the carrier walks them.
for _name in ("__iter__", "keys", "items", "lists", "values", "dict"):
    setattr(_ReadingQueryDict, _name, _reading_all(_name))


class _ReadingGET:
    """WSGIRequest.GET (a cached property) built as a _ReadingQueryDict."""

    def __get__(self, request, owner=None):
        if request is None:
            return self
        with _unread():  # building it asks whether each key is there yet
            request.__dict__["GET"] = value = _ReadingQueryDict(
                get_bytes_from_wsgi(request.environ, "QUERY_STRING", ""), encoding=request._encoding)
        return value


def _record_reads(monkeypatch):
    """request.GET records its reads. The NUL check of every request (qms.middleware)
    reads each key and value alike, whatever its name: not a read here."""
    from qms import middleware

    monkeypatch.setattr(WSGIRequest, "GET", _ReadingGET())
    monkeypatch.setattr(middleware, "_any_nul", _unread_call(middleware._any_nul))


def _read(param) -> bool:
    return _Reads.everything or param in _Reads.keys


@pytest.fixture
def world(quality_manager, author, approver, staff, auditor, external_auditor):
    return scope_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                             auditor=auditor, external_auditor=external_auditor)


def _get_paths(world):
    for route in all_routes():
        if route.name in ("logout", "notification-read-all"):
            continue
        for path, side in scope_world.paths_for(route, world):
            if side in ("in", "any"):
                yield route, path, side


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["quality_manager"])
@pytest.mark.parametrize("param", list(dict.fromkeys(LIST_PARAMS + DETAIL_PARAMS)))
def test_no_query_parameter_value_gives_a_500(request, monkeypatch, client_for, world, who, param):
    """One parameter per test, so the walk of every URL spreads over the test workers.

    A view that does not read the parameter cannot answer differently for
    another of its values (the carrier parameter walks what every page does with
    any query string): after the first value, such a URL is left."""
    _record_reads(monkeypatch)
    c = client_for(request.getfixturevalue(who))
    events = AuditEvent.objects.count()
    problems, read_by = [], 0
    for route, path, side in _get_paths(world):
        # Lists, searches and exports read many parameters; object pages read a few.
        params = LIST_PARAMS if side == "any" and not route.params else DETAIL_PARAMS
        if param not in params:
            continue
        for value in NASTY:
            _Reads.keys, _Reads.everything = set(), False
            response = c.get(path, {param: value})
            if response.status_code >= 500:
                problems.append(f"{path}?{param}={value[:30]} -> {response.status_code}")
            if value is NASTY[0]:
                read_by += _read(param)
            if param != params[0] and not _read(param):
                break
    assert not problems, "\n".join(problems[:80])
    assert AuditEvent.objects.count() == events  # a GET changed nothing
    # Each parameter is listed because views read it: none reading it means the
    # recorder is broken (and every other URL was left after one value).
    assert read_by, f"no view read ?{param}="


def test_the_recorder_notes_what_a_view_reads(monkeypatch, client_for, quality_manager):
    """The register's filter form reads its fields; a page that reads no parameter notes none."""
    _record_reads(monkeypatch)
    c = client_for(quality_manager)
    _Reads.keys, _Reads.everything = set(), False
    assert c.get("/documents/", {"month": "x"}).status_code == 200
    assert {"q", "status", "owner"} <= _Reads.keys and "month" not in _Reads.keys and not _Reads.everything
    _Reads.keys, _Reads.everything = set(), False
    assert c.get("/accounts/sessions/", {"zzz": "1"}).status_code == 200
    assert "zzz" not in _Reads.keys


@pytest.mark.django_db
def test_accepting_a_proposal_with_a_bad_item_or_date_is_refused_not_a_500(client_for, quality_manager, world):
    from audits.models import Audit

    c = client_for(quality_manager)
    url = f"/audits/programmes/{world['programme'].pk}/accept/"
    before = Audit.objects.count()
    for item in ["abc", "", "99999999999999999999999", "-1", "1e3"]:
        for date in ["2026-06-01", "", "abc", "9999-12-31", "0001-01-01"]:
            response = c.post(url, {"item": item, "date": date})
            assert response.status_code < 500, (item, date, response.status_code)
    assert Audit.objects.count() == before
