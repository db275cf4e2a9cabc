"""What already held under concurrency and must keep holding (issue 11, "Keep
holding"), with real PostgreSQL row locks and real threads."""

import threading

import pytest
from django.db import connection

from documents import services
from documents.models import Document, Rendition, Revision, RouteStep
from qms.models import AuditEvent, Job, Signature
from qms.permissions import Role
from tests.documents.factories import doc_type, make_draft, submit
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks and threads need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _run_together(*calls):
    """Start every call at the same moment, each in its own thread and connection."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_approvers_signing_at_the_same_moment_give_one_transition_one_job_one_pdf(reference_data, author,
                                                                                        approver):
    second = UserFactory(username="approver2", roles=[Role.APPROVER, Role.STAFF])
    for round_ in range(20):
        mode = RouteStep.Mode.ANY if round_ % 2 else RouteStep.Mode.ALL
        rev = make_draft(author, title=f"Race {round_}").latest_revision
        submit(author, rev, [approver, second], mode=mode)

        def sign(user, rev=rev):
            return services.revision_decide(actor=user, revision=rev, password=PASSWORD, outcome="approved",
                                            significance="significant")

        results = _run_together(lambda: sign(approver), lambda: sign(second))
        rev.refresh_from_db()
        assert rev.status == Revision.Status.EFFECTIVE, (round_, results)
        assert AuditEvent.objects.filter(verb="revision.approved", object_id=str(rev.pk)).count() == 1
        assert Job.objects.filter(kind="revision_rendition", object_id=rev.pk).count() == 1
        assert Rendition.objects.filter(revision=rev).count() == 1
        signed = Signature.objects.filter(object_id=rev.pk, meaning="approved").count()
        if mode == RouteStep.Mode.ALL:  # both signatures count, one of them completes the step
            assert all(not isinstance(r, Exception) for r in results) and signed == 2
        else:  # the first completes the step; the other is refused, never a second approval
            assert sum(isinstance(r, Exception) for r in results) <= 1 and signed in (1, 2)


def test_fifty_concurrent_creations_of_one_type_get_distinct_numbers(reference_data, author):
    doc_type("SOP")
    qa = DepartmentFactory(code="QA")

    def create_two(i):  # 25 connections making 50 documents at once (the server is shared)
        return [services.document_create(actor=author, doc_type=doc_type("SOP"), department=qa,
                                         title=f"Parallel {i}-{k}").number for k in range(2)]

    results = _run_together(*[lambda i=i: create_two(i) for i in range(25)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    numbers = sorted(n for r in results for n in r)
    assert numbers == [f"SOP-QA-{n:03d}" for n in range(1, 51)]
    assert Document.objects.filter(number__startswith="SOP-QA-").count() == 50
