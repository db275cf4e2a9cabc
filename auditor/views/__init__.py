"""The certification auditor's pages: `access` (grants), `requests` (evidence requests), `packs`
(evidence packs), `asof` (the point-in-time view) and `clauses` (the clause catalogue and
readiness map)."""
