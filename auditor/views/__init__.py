"""The certification auditor's pages: `access` (grants, evidence requests, evidence
packs), `asof` (the point-in-time view) and `clauses` (the clause catalogue and
readiness map)."""
