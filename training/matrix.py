"""The training matrix: people × competences, each cell computed, never stored.

A cell exists where one of the person's job roles requires the competence.
Its state comes from three sources, in one set-based SQL statement (no query
per cell, whatever the size):

- the person's latest signed training record with the result "competent"
  (a record whose effectiveness was evaluated "not effective" does not count);
- the competence's validity in months (expired; due soon within 30 days);
- the documents the competence rests on: for each, the *baseline* is the newest
  revision that became effective and asked for a re-read (the first one, or a
  significant one; editorial revisions never move it). A person is up to date
  on a document when they acknowledged the baseline or a later revision
  (documents.Acknowledgement: the read-and-understood task *is* the training
  task), or were trained on or after the baseline's effective date. For a
  course, sign-off or certificate the document's first revision never counts
  against the training: only a significant revision after it does.

States, in order of precedence: missing (never acquired), out of date (a
document it rests on changed significantly since), expired, due soon, current.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CURRENT, DUE_SOON, EXPIRED, MISSING, OUT_OF_DATE = "current", "due_soon", "expired", "missing", "out_of_date"
STATES = (CURRENT, DUE_SOON, EXPIRED, OUT_OF_DATE, MISSING)
LABELS = {CURRENT: _("Current"), DUE_SOON: _("Due soon"), EXPIRED: _("Expired"), MISSING: _("Missing"),
          OUT_OF_DATE: _("Out of date")}
SHORT = {CURRENT: "✓", DUE_SOON: "!", EXPIRED: "✗", MISSING: "–", OUT_OF_DATE: "↻"}
COLOURS = {CURRENT: "success", DUE_SOON: "warning", EXPIRED: "danger", MISSING: "secondary", OUT_OF_DATE: "info"}
GAPS = (EXPIRED, MISSING, OUT_OF_DATE)
DUE_SOON_DAYS = 30
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Scope:
    """Which cells: people and competences, as SQL conditions on `p` (person) and `r` (requirement)."""

    department_id: int | None = None
    role_id: int | None = None
    person_ids: tuple[int, ...] | None = None
    competence_ids: tuple[int, ...] | None = None
    search: str = ""
    # True: every (person, competence) in scope, required by a role or not (the "who may do this?" check).
    direct: bool = False
    # The users of `person_ids`, when the caller has them (the matrix page): a faster read of acknowledgements.
    user_ids: tuple[int, ...] | None = None

    def where(self) -> tuple[str, list]:
        sql, params = [], []
        if self.department_id:
            sql.append("p.department_id = %s")
            params.append(self.department_id)
        if self.role_id:
            sql.append("EXISTS (SELECT 1 FROM training_assignment a2 WHERE a2.person_id = p.id AND a2.role_id = %s)")
            sql.append("c.id IN (SELECT r2.competence_id FROM training_requirement r2 WHERE r2.role_id = %s)")
            params += [self.role_id, self.role_id]
        if self.search:
            sql.append("UPPER(p.name) LIKE UPPER(%s)")
            params.append("%" + self.search.replace("\\", "").replace("%", "").replace("_", "") + "%")
        for column, ids in (("p.id", self.person_ids), ("c.id", self.competence_ids)):
            if ids is not None:
                if not ids:
                    sql.append("1 = 0")
                else:
                    sql.append(f"{column} IN ({', '.join(['%s'] * len(ids))})")
                    params += list(ids)
        return (" AND ".join(sql) or "1 = 1"), params


def _in(column: str, ids) -> tuple[str, list]:
    """` AND column IN (...)` for a known set of ids ("" when unrestricted): the filters are repeated
    inside the CTEs so PostgreSQL reads only the rows of the people and competences asked for."""
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _ack_date(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({expr} AS DATE)"  # the connection's time zone is UTC (Django)
    return f"date({expr})"


def _plus_months(date_expr: str, months_expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({date_expr} + make_interval(months => {months_expr}) AS DATE)"
    return f"date({date_expr}, '+' || {months_expr} || ' months')"


def cells_sql(scope: Scope, today: date) -> tuple[str, list]:
    """SELECT person_id, competence_id, status, acquired_on, expires_on for every required cell in `scope`."""
    where, params = scope.where()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    expires = _plus_months("acquired", "validity_months")
    rec_p, rec_pp = _in("t.person_id", scope.person_ids)
    rec_c, rec_cp = _in("t.competence_id", scope.competence_ids)
    base_c, base_cp = _in("cd.competence_id", scope.competence_ids)
    if scope.user_ids is not None:  # the page's people: their users by id, so the index on user is used
        ack_users, ack_p = _in("k.user_id", tuple(u for u in scope.user_ids if u) or ())
    elif scope.person_ids is not None:
        ids_sql, ack_p = _in("u.id", scope.person_ids)
        ack_users = f" AND k.user_id IN (SELECT user_id FROM training_person u WHERE u.user_id IS NOT NULL{ids_sql})"
    else:
        ack_users, ack_p = " AND k.user_id IN (SELECT user_id FROM pairs WHERE user_id IS NOT NULL)", []
    if scope.direct:
        pairs = f"""
  SELECT p.id AS person_id, c.id AS competence_id, p.user_id, c.kind
  FROM training_person p CROSS JOIN training_competence c
  WHERE {where}"""
    else:
        pairs = f"""
  SELECT DISTINCT a.person_id, r.competence_id, p.user_id, c.kind
  FROM training_assignment a
  JOIN training_requirement r ON r.role_id = a.role_id
  JOIN training_person p ON p.id = a.person_id
  JOIN training_competence c ON c.id = r.competence_id
  JOIN training_jobrole jr ON jr.id = a.role_id
  WHERE p.is_active AND c.is_active AND jr.is_active AND {where}"""
    sql = f"""
WITH pairs AS ({pairs}),
rec AS (
  SELECT t.person_id, t.competence_id, MAX(t.trained_on) AS trained_on
  FROM training_trainingrecord t
  JOIN pairs q ON q.person_id = t.person_id AND q.competence_id = t.competence_id
  WHERE t.status = 'signed' AND t.result = 'competent' AND t.effectiveness_result <> 'not_effective'{rec_p}{rec_c}
  GROUP BY t.person_id, t.competence_id
),
base AS (
  SELECT cd.competence_id, cd.document_id, MAX(v.seq) AS seq
  FROM training_competence_documents cd
  JOIN documents_document d ON d.id = cd.document_id AND d.effective_revision_id IS NOT NULL
  JOIN documents_revision v ON v.document_id = cd.document_id AND v.effective_at IS NOT NULL
       AND (v.significance <> 'editorial' OR v.seq = 1)
  WHERE cd.competence_id IN (SELECT competence_id FROM pairs){base_c}
  GROUP BY cd.competence_id, cd.document_id
),
brev AS (
  SELECT b.competence_id, b.document_id, b.seq, v.effective_date
  FROM base b JOIN documents_revision v ON v.document_id = b.document_id AND v.seq = b.seq
),
ack AS (
  SELECT k.user_id, v.document_id, MAX(v.seq) AS seq, MAX(k.acknowledged_at) AS at
  FROM documents_acknowledgement k
  JOIN documents_revision v ON v.id = k.revision_id
  WHERE k.acknowledged_at IS NOT NULL
    AND v.document_id IN (SELECT document_id FROM brev)
   {ack_users}
  GROUP BY k.user_id, v.document_id
),
pd AS (
  SELECT q.person_id, q.competence_id,
         CASE WHEN k.seq >= b.seq THEN {_ack_date("k.at")}
              WHEN rec.trained_on >= b.effective_date THEN rec.trained_on
              -- a course or sign-off given before the document's first revision covered it: only a later
              -- significant revision asks for more
              WHEN q.kind <> 'read' AND b.seq = 1 THEN rec.trained_on END AS up_on,
         CASE WHEN k.seq IS NULL AND rec.trained_on IS NULL THEN 1 ELSE 0 END AS never
  FROM pairs q
  JOIN brev b ON b.competence_id = q.competence_id
  LEFT JOIN ack k ON k.user_id = q.user_id AND k.document_id = b.document_id
  LEFT JOIN rec ON rec.person_id = q.person_id AND rec.competence_id = q.competence_id
),
pdg AS (
  SELECT person_id, competence_id, COUNT(*) AS n, SUM(never) AS never, COUNT(up_on) AS up, MIN(up_on) AS up_on
  FROM pd GROUP BY person_id, competence_id
),
cell AS (
  SELECT q.person_id, q.competence_id, c.kind, c.validity_months, rec.trained_on, g.n, g.never, g.up,
         CASE WHEN c.kind = 'read' AND g.n IS NOT NULL THEN g.up_on ELSE rec.trained_on END AS acquired
  FROM pairs q
  JOIN training_competence c ON c.id = q.competence_id
  LEFT JOIN rec ON rec.person_id = q.person_id AND rec.competence_id = q.competence_id
  LEFT JOIN pdg g ON g.person_id = q.person_id AND g.competence_id = q.competence_id
),
dated AS (
  SELECT cell.*, CASE WHEN validity_months IS NOT NULL AND acquired IS NOT NULL THEN {expires} END AS expires_on
  FROM cell
)
SELECT person_id, competence_id,
  CASE
    WHEN kind = 'read' AND n IS NOT NULL AND never > 0 THEN '{MISSING}'
    WHEN kind = 'read' AND n IS NULL AND trained_on IS NULL THEN '{MISSING}'
    WHEN kind <> 'read' AND trained_on IS NULL THEN '{MISSING}'
    WHEN n IS NOT NULL AND up < n THEN '{OUT_OF_DATE}'
    WHEN expires_on IS NOT NULL AND expires_on < %s THEN '{EXPIRED}'
    WHEN expires_on IS NOT NULL AND expires_on <= %s THEN '{DUE_SOON}'
    ELSE '{CURRENT}'
  END AS status,
  acquired, expires_on
FROM dated
"""
    return sql, params + rec_pp + rec_cp + base_cp + ack_p + [today, soon]


@dataclass(frozen=True)
class Cell:
    status: str
    acquired_on: date | None = None
    expires_on: date | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def short(self) -> str:
        return SHORT[self.status]

    @property
    def colour(self) -> str:
        return COLOURS[self.status]


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite returns text


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def cells(scope: Scope, today: date | None = None, *, statuses: tuple[str, ...] = ()) -> dict[tuple[int, int], Cell]:
    """{(person_id, competence_id): Cell} for every required cell in `scope` (one query), optionally
    only those in `statuses`."""
    sql, params = cells_sql(scope, today or timezone.localdate())
    if statuses:
        sql = f"SELECT * FROM ({sql}) m WHERE status IN ({', '.join(['%s'] * len(statuses))})"
        params = params + list(statuses)
    return {(p, c): Cell(s, _as_date(a), _as_date(e)) for p, c, s, a, e in _fetch(sql, params)}


def data_version() -> tuple:
    """What the matrix is computed from, as one cheap tuple (one query on primary keys): every change
    that can move a cell writes an audit event (qms.audit) or a new row in these tables."""
    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT MAX(id) FROM qms_auditevent), (SELECT MAX(id) FROM training_trainingrecord),"
                    " (SELECT MAX(id) FROM training_assignment), (SELECT MAX(id) FROM training_requirement),"
                    " (SELECT MAX(id) FROM documents_acknowledgement), (SELECT MAX(id) FROM documents_revision),"
                    " (SELECT COUNT(*) FROM training_requirement), (SELECT COUNT(*) FROM training_assignment)")
        return tuple(cur.fetchone())


def counts_by_competence(scope: Scope, today: date | None = None, *, cached: bool = False) -> dict[int, dict[str, int]]:
    """{competence_id: {status: n}} over everyone in `scope` (one aggregate query).

    `cached`: keep the answer in the cache until anything it rests on changes (data_version): the
    matrix page's column counts run over every filtered person, the rest of the page over 50."""
    sql, params = cells_sql(scope, today or timezone.localdate())
    if cached:
        key = "training.matrix.counts:" + hashlib.sha256(
            repr((sql, params, data_version())).encode()).hexdigest()
        found = cache.get(key)
        if found is None:
            found = counts_by_competence(scope, today)
            cache.set(key, found, CACHE_SECONDS)
        return found
    out: dict[int, dict[str, int]] = {}
    for comp, status, n in _fetch(
            f"SELECT competence_id, status, COUNT(*) FROM ({sql}) m GROUP BY competence_id, status", params):
        out.setdefault(comp, {})[status] = n
    return out


def counts_by_person(scope: Scope, today: date | None = None) -> dict[int, dict[str, int]]:
    sql, params = cells_sql(scope, today or timezone.localdate())
    out: dict[int, dict[str, int]] = {}
    for person, status, n in _fetch(
            f"SELECT person_id, status, COUNT(*) FROM ({sql}) m GROUP BY person_id, status", params):
        out.setdefault(person, {})[status] = n
    return out


@dataclass
class Counts:
    by_status: dict[str, int] = field(default_factory=dict)

    def get(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def required(self) -> int:
        return sum(self.by_status.values())

    @property
    def gaps(self) -> int:
        return sum(self.by_status.get(s, 0) for s in GAPS)

    @property
    def ok(self) -> int:
        return self.get(CURRENT) + self.get(DUE_SOON)

    @property
    def percent(self) -> int | None:
        return round(100 * self.ok / self.required) if self.required else None

    def items(self):
        return [(s, LABELS[s], self.get(s), COLOURS[s]) for s in STATES]
