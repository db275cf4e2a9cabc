"""Context of the organisation, risks and opportunities, quality objectives (ISO 9001 4.1, 4.2, 6.1, 6.2, 9.1.1)."""
