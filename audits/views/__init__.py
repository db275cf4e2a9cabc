"""Audit and CAPA pages: `audits` (programme, audits, checklists, findings,
reports, question library, calendar feeds) and `capa` (nonconformities and CAPA)."""
