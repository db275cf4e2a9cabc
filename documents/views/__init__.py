"""Controlled documents pages: `documents` (register, authoring, revision pages,
route, review, compare) and `prints` (controlled PDFs, the quality manual, the
public verification page)."""
