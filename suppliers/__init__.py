"""External providers: approval, evaluation and re-evaluation (ISO 9001 8.4)."""
