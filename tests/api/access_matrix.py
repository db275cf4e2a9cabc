"""The API's access policy, one line per operation of the OpenAPI document: the status of a
call with an empty body by each caller (tests/api/test_walk.py::test_the_access_matrix_...):

    qm staff approver admin ext_in ext_out read_only

qm, staff, approver: the personas' read-write tokens; admin: staff with the right to change
users; ext_in / ext_out: the external auditor (8.5 grant) on the object inside / outside the
grant; read_only: the quality manager's read-only token. 2xx: done; 400: the caller passed
the gates and the rule, the empty body is refused; 403: the rule's (or the gate's) refusal;
404: not for this caller, or no such object; 409: an illegal state move.
"""

from __future__ import annotations

from pathlib import Path

MATRIX: dict[str, str] = {
}


def write(seen: dict[str, str]) -> None:
    """Rewrite MATRIX from an observed run (API_MATRIX_WRITE=1): review the diff."""
    path = Path(__file__)
    text = path.read_text()
    head, _, rest = text.partition("MATRIX: dict[str, str] = {\n")
    _, _, tail = rest.partition("}\n")
    body = "".join(f"    {op!r}: {codes!r},\n" for op, codes in sorted(seen.items()))
    path.write_text(f"{head}MATRIX: dict[str, str] = {{\n{body}}}\n{tail}")
