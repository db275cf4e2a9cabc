"""Lifecycles of risks, treatment actions, register entries and objectives:
states, allowed moves and badge colours, in one place."""

from planning.models import ContextIssue, InterestedParty, Objective, Risk, RiskAction
from qms import lifecycle

R, A, OB = Risk.Status, RiskAction.Status, Objective.Status

RISK = lifecycle.declare(
    Risk,
    moves={R.OPEN: {R.TREATING, R.CLOSED}, R.TREATING: {R.OPEN, R.CLOSED}, R.CLOSED: {R.OPEN}},
    colours={R.OPEN: "warning", R.TREATING: "primary", R.CLOSED: "secondary"},
)

ACTION = lifecycle.declare(
    RiskAction,
    moves={A.OPEN: {A.DONE, A.CANCELLED}, A.DONE: set(), A.CANCELLED: set()},
    colours={A.OPEN: "warning", A.DONE: "success", A.CANCELLED: "secondary"},
)

for _model in (ContextIssue, InterestedParty):
    lifecycle.declare(
        _model,
        moves={_model.Status.ACTIVE: {_model.Status.RETIRED}, _model.Status.RETIRED: {_model.Status.ACTIVE}},
        colours={_model.Status.ACTIVE: "success", _model.Status.RETIRED: "secondary"},
    )

OBJECTIVE = lifecycle.declare(
    Objective,
    moves={OB.ACTIVE: {OB.ACHIEVED, OB.NOT_ACHIEVED, OB.WITHDRAWN}, OB.ACHIEVED: set(), OB.NOT_ACHIEVED: set(),
           OB.WITHDRAWN: set()},
    colours={OB.ACTIVE: "primary", OB.ACHIEVED: "success", OB.NOT_ACHIEVED: "danger", OB.WITHDRAWN: "secondary"},
)
