"""The import job (qms.jobs): one per real run, on the bulk lane, with progress."""

from __future__ import annotations

import json

from django.utils.translation import gettext_noop

from qms.jobs import JobOutput, job_handler, set_progress


@job_handler("intake_import", label=gettext_noop("Import"), lane="bulk")  # its time limit: settings.JOB_TIME_LIMITS
def run_import(job) -> JobOutput:
    from intake.models import ImportRun
    from intake.services import execute_run

    run = ImportRun.objects.select_related("created_by").get(pk=job.params["run"])
    last = [-1]

    def progress(done: int, total: int) -> None:
        percent = int(done * 100 / max(total, 1))
        if percent != last[0]:
            last[0] = percent
            set_progress(job, percent)

    execute_run(run, progress=progress)
    run.refresh_from_db()
    return JobOutput(filename=f"import-{run.pk}-report.json", content_type="application/json",
                     content=json.dumps(run.report, indent=1, ensure_ascii=False).encode())
