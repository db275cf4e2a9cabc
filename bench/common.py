"""Shared benchmark helpers: a fresh database, timing, query counts, ANALYZE."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def fresh_database() -> None:
    """An empty bench database, migrated from scratch, so data migrations
    (roles, clauses, document types) run again: `flush` would empty them and a
    second `migrate` would not refill them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        if name and name != ":memory:" and os.path.exists(name):
            os.remove(name)
    call_command("migrate", verbosity=0)
    # A new server process for what is measured: the one that dropped the schema and
    # ran every migration keeps catalogue caches bloated by that DDL, and each query
    # it ran afterwards was slower (a rare-word search: 42 ms on it, 23 ms on a new
    # connection). A production server's connections never ran the migrations.
    connection.close()


def analyze() -> None:
    """PostgreSQL plans badly on tables it has no statistics for."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def timings(func: Callable[[], object], *, runs: int = 30, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        func()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def count_queries(func: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def database_ms(func: Callable[[], object]) -> float:
    """The database's own time for one call of `func`: each SELECT it ran, run
    again under EXPLAIN ANALYZE (planning plus execution, as the server measures
    them). Wall-clock timings on a shared VM move with its other load; this
    share moves only with the data, so growth with size is read from it."""
    if connection.vendor != "postgresql":
        return 0.0
    with CaptureQueriesContext(connection) as ctx:
        func()
    total = 0.0
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            sql = query["sql"]
            if sql.startswith("DECLARE ") and " FOR " in sql:  # a server-side cursor (QuerySet.iterator)
                sql = sql.split(" FOR ", 1)[1]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cur.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            total += plan.get("Planning Time", 0.0) + plan.get("Execution Time", 0.0)
    return total


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def get_ok(client: Client, url: str) -> Callable[[], object]:
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call
