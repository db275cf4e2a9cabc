"""Suppliers in the state walk (tests/qms/test_state_walk.py): a supplier has
no final state (a disqualified one may start again as prospective, with a new
evaluation; tests/suppliers/test_services.py), and criteria are active or not."""

NO_FINAL = "a supplier has no final state: a disqualified one may be re-qualified from prospective"
NOT_FINISHED = {
    "suppliers:criterion-edit": "an evaluation criterion has no lifecycle (active or not, both editable)",
    **{f"suppliers:{name}": NO_FINAL for name in (
        "edit", "status", "contact-add", "certificate-add", "capa", "audit-link", "evaluate", "scorecard")},
}
PAYLOADS: dict = {}
CONTROL: dict = {}
ACTORS: dict = {}


def build_finished(w):
    pass


def finished_objects(w) -> dict:
    return {}


def build_earlier(w):
    pass


def targets(route, w):
    return None
