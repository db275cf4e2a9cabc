"""Customer feedback and management review (ISO 9001 9.1.2, 9.3)."""
