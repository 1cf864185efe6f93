"""The ``jobs:`` section of the project file: scoring, monitoring, build and extract jobs.

```yaml
jobs:
  - name: nightly_late_payment
    kind: score                      # score | monitor | build | extract
    cron: "0 6 * * mon-fri"          # 5-field cron (or @daily, ...), in `timezone`
    timezone: America/Chicago        # default UTC
    model: late_payment@champion     # NAME@ALIAS or NAME@VERSION (score, monitor)
    feature_set: late_payment@1      # optional, NAME@VERSION (score, monitor)
    args: [--where, "status <> 'paid'"]   # extra arguments for the erpml command
```

:func:`load_jobs` validates it with pydantic and names the file and line of the first error
(``erpml.yml:14: jobs.1.cron: '0 6 * *' is not a cron expression: ...``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlops.errors import MlopsError
from mlops.schedule.cron import Cron, parse_cron

KINDS = ("score", "monitor", "build", "extract")
Kind = Literal["score", "monitor", "build", "extract"]
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MODEL_REF = re.compile(r"^[a-z][a-z0-9_]{0,62}@(?:[0-9]+|[a-z][a-z0-9_-]{0,62})$")  # store.py
FEATURE_SET_REF = re.compile(r"^[a-z][a-z0-9_]{0,62}@[0-9]+$")
MODEL_KINDS = frozenset({"score", "monitor"})
SET_BY_SCHEDULER = frozenset({"--project", "--job", "--scheduled-time", "--model", "--target"})


class Job(BaseModel):
    """One scheduled job: which erpml command runs, when, and with what."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Kind
    cron: str
    model: str | None = Field(None, description="NAME@ALIAS or NAME@VERSION (score, monitor)")
    feature_set: str | None = Field(None, description="NAME@VERSION the job expects")
    target: Literal["duckdb", "postgres"] | None = Field(None, description="dbt target (build)")
    args: tuple[str, ...] = ()
    timezone: str = "UTC"
    misfire_grace_seconds: int = Field(
        86400, ge=1, description="a firing missed by more than this is skipped, not run late"
    )
    lock_timeout_seconds: float = Field(
        3600, gt=0, description="how long to wait for the warehouse writer lock"
    )
    timeout_seconds: float | None = Field(None, gt=0, description="kill the command after this")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError(
                f"job name {value!r}: use lowercase letters, digits and _, starting with a letter"
            )
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if value not in KINDS:
            raise ValueError(f"unknown job kind {value!r}: use one of {', '.join(KINDS)}")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        parse_cron(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like UTC)") from None
        return value

    @field_validator("model")
    @classmethod
    def _model(cls, value: str | None) -> str | None:
        if value is not None and not MODEL_REF.match(value):
            raise ValueError(
                f"model {value!r} is not NAME@ALIAS or NAME@VERSION (e.g. late_payment@champion):"
                " a scheduled job scores with a pinned model"
            )
        return value

    @field_validator("feature_set")
    @classmethod
    def _feature_set(cls, value: str | None) -> str | None:
        if value is not None and not FEATURE_SET_REF.match(value):
            raise ValueError(f"feature_set {value!r} is not NAME@VERSION (e.g. late_payment@1)")
        return value

    @field_validator("args", mode="before")
    @classmethod
    def _args(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        # YAML reads `[--days, 7]` as a string and a number: the command line wants text.
        args = [
            str(a) if isinstance(a, int | float) and not isinstance(a, bool) else a for a in value
        ]
        for arg in args:
            if isinstance(arg, str) and arg.split("=", 1)[0] in SET_BY_SCHEDULER:
                raise ValueError(f"{arg.split('=', 1)[0]} is set by the scheduler, not in args")
        return args

    @model_validator(mode="after")
    def _fits_kind(self) -> Job:
        if self.kind in MODEL_KINDS and self.model is None:
            raise ValueError(f"job {self.name!r}: a {self.kind} job needs model: NAME@ALIAS")
        if self.kind not in MODEL_KINDS:
            for key in ("model", "feature_set"):
                if getattr(self, key) is not None:
                    raise ValueError(
                        f"job {self.name!r}: {key} applies to score and monitor jobs, "
                        f"not {self.kind}"
                    )
        if self.target is not None and self.kind != "build":
            raise ValueError(
                f"job {self.name!r}: target applies to build jobs (the others use the "
                "project's warehouse)"
            )
        return self

    @property
    def schedule(self) -> Cron:
        return parse_cron(self.cron)


class _JobsSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    jobs: list[Job] = Field(default_factory=list)


def load_jobs(project: Path) -> list[Job]:
    """The jobs of ``project`` (an ``erpml.yml``); ``MlopsError`` names file and line on error."""
    from connectors.config import describe, read_yaml
    from connectors.errors import ConfigError

    try:
        data, lines = read_yaml(project)
    except ConfigError as exc:
        raise MlopsError(str(exc)) from None
    try:
        section = _JobsSection.model_validate({"jobs": data.get("jobs") or []})
    except ValidationError as exc:
        raise MlopsError(describe(exc, project, lines)) from None
    first_line: dict[str, int] = {}
    for i, job in enumerate(section.jobs):
        line = lines.get(("jobs", i, "name"), 0)
        if job.name in first_line:
            raise MlopsError(
                f"{project}:{line}: jobs.{i}.name: job name {job.name!r} is used twice "
                f"(first at line {first_line[job.name]})"
            )
        first_line[job.name] = line
    return section.jobs


def find_job(jobs: list[Job], name: str, project: Path) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    known = ", ".join(j.name for j in jobs) or "none"
    raise MlopsError(f"{project}: no job named {name!r} (known: {known})")
