"""Competence and training tied to document revisions (ISO 9001 7.2, 7.3)."""
