"""qms.bulk: the selection policy every register's bulk actions share."""

import pytest

from qms import bulk
from qms.errors import DomainError
from qms.models import User


def test_ids_keep_their_order_without_repeats():
    assert bulk.parse_ids(["3", " 1", "3", "2"]) == [3, 1, 2]


@pytest.mark.parametrize("values", [[], [""], ["1", "x"], ["-2"], ["1.5"], ["9" * 19]])
def test_unusable_ids_refuse_the_whole_selection(values):
    with pytest.raises(bulk.BulkInputError, match="Nothing was done"):
        bulk.parse_ids(values)


def test_more_than_the_limit_is_refused_but_the_limit_is_fine():
    assert len(bulk.parse_ids([str(i) for i in range(1, bulk.MAX_IDS + 1)])) == bulk.MAX_IDS
    with pytest.raises(bulk.BulkInputError, match="At most 500"):
        bulk.parse_ids([str(i) for i in range(1, bulk.MAX_IDS + 2)])


@pytest.mark.django_db
def test_select_refuses_ids_outside_the_queryset_in_one_query(django_assert_num_queries, staff, quality_manager):
    with django_assert_num_queries(1):
        assert bulk.select(User.objects.all(), [str(staff.pk), str(quality_manager.pk)]) == [staff, quality_manager]
    with pytest.raises(bulk.BulkInputError, match="1 of the 2"):
        bulk.select(User.objects.filter(pk=staff.pk), [str(staff.pk), str(quality_manager.pk)])


def test_run_reports_each_row_and_goes_on_after_a_refusal():
    def action(n):
        if n == 2:
            raise DomainError("two is refused")

    results = bulk.run([1, 2, 3], action)
    assert [(r.done, r.message) for r in results] == [(True, ""), (False, "two is refused"), (True, "")]
    assert bulk.summary(results, done_word="done") == "2 of 3 done; 1 refused (see the reasons below)."
