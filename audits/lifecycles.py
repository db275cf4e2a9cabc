"""Lifecycles of audits, findings, reports, CAPAs and CAPA actions: states,
allowed moves and badge colours, in one place."""

from audits.models import Audit, AuditReport, Capa, CapaAction, Finding
from qms import lifecycle

A, F, R, C, X = Audit.Status, Finding.Status, AuditReport.Status, Capa.Status, CapaAction.Status

AUDIT = lifecycle.declare(
    Audit,
    moves={A.PLANNED: {A.PREPARED}, A.PREPARED: {A.IN_PROGRESS}, A.IN_PROGRESS: {A.REPORTED},
           A.REPORTED: {A.CLOSED}, A.CLOSED: set()},
    colours={A.PLANNED: "secondary", A.PREPARED: "info", A.IN_PROGRESS: "primary", A.REPORTED: "success",
             A.CLOSED: "success"},
)

FINDING = lifecycle.declare(
    Finding, moves={F.OPEN: {F.CLOSED}, F.CLOSED: set()}, colours={F.OPEN: "warning", F.CLOSED: "success"},
)

REPORT = lifecycle.declare(
    AuditReport, moves={R.DRAFT: {R.ISSUED}, R.ISSUED: set()}, colours={R.DRAFT: "secondary", R.ISSUED: "success"},
)

CAPA = lifecycle.declare(
    Capa,
    moves={
        C.OPEN: {C.ANALYSED},
        # No corrective action needed (justified): straight to the check of the correction.
        C.ANALYSED: {C.IMPLEMENTING, C.VERIFYING},
        C.IMPLEMENTING: {C.VERIFYING},
        # "Not effective" reopens: back to analysis for a new root cause and plan.
        C.VERIFYING: {C.EFFECTIVE, C.OPEN},
        C.EFFECTIVE: {C.CLOSED},
        C.CLOSED: set(),
    },
    colours={C.OPEN: "warning", C.ANALYSED: "info", C.IMPLEMENTING: "primary", C.VERIFYING: "warning",
             C.EFFECTIVE: "success", C.CLOSED: "success"},
)

ACTION = lifecycle.declare(
    CapaAction, moves={X.OPEN: {X.DONE}, X.DONE: set()}, colours={X.OPEN: "warning", X.DONE: "success"},
)
