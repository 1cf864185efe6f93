"""Scheduled jobs: declared in ``erpml.yml``, fired by an embedded APScheduler or exported.

See ``mlops/schedule/README.md``.
"""

from mlops.schedule.export import ExportOptions, export
from mlops.schedule.jobs import Job, find_job, load_jobs
from mlops.schedule.runner import RunRecord, read_runs, run_job
from mlops.schedule.scheduler import run_scheduler

__all__ = [
    "ExportOptions",
    "Job",
    "RunRecord",
    "export",
    "find_job",
    "load_jobs",
    "read_runs",
    "run_job",
    "run_scheduler",
]
