"""Planning's Celery tasks. Thin: the work lives in planning/services.py."""

from celery import shared_task


@shared_task
def refresh_computed_kpis() -> int:
    """Daily: store the computed KPIs' values for the periods that have ended."""
    from planning.services import refresh_computed_kpis as refresh

    return refresh()
