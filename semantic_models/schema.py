"""The shape of a definition file: entities, features, metrics and feature sets.

pydantic v2 models, frozen and strict about unknown keys. A file holds any of the four lists;
every definition has ``name``, ``version``, ``owner`` and ``description``. What a definition
*computes* (SQL, window, filter, grain, what it reads) goes into its fingerprint
(:mod:`semantic_models.fingerprint`); ``owner`` and ``description`` never do.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME = r"^[a-z][a-z0-9_]{0,62}$"
REF = re.compile(r"^(?P<name>[a-z][a-z0-9_]{0,62})@(?P<version>[1-9][0-9]*)$")
MODEL_NAME_MAX = 63  # PostgreSQL's identifier length
WINDOW = re.compile(r"^(?P<n>[1-9][0-9]*)\s*(?P<unit>day|days|week|weeks)$")

Aggregation = Literal["sum", "count", "avg", "latest"]
DataType = Literal["numeric", "integer", "boolean", "varchar", "timestamp"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Definition(Model):
    """What every definition carries; ``owner`` and ``description`` are metadata only."""

    name: str = Field(pattern=NAME)
    version: int = Field(ge=1)
    owner: str = Field(min_length=1)
    description: str = Field(min_length=1)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


class Entity(Definition):
    """A business object features are computed for: a key column shared by the marts."""

    key: str = Field(pattern=NAME, description="key column, e.g. customer_key")
    mart: str = Field(pattern=NAME, description="the dimension or fact that lists the entity")
    mart_version: int | None = Field(None, ge=1, description="pin a dbt model version")
    references: dict[str, str] = Field(
        default_factory=dict,
        description="other entities this one points to: entity name -> key column in `mart`",
    )

    @property
    def relation(self) -> str:
        """The table name of the mart (a versioned dbt model is ``<name>_v<version>``)."""
        return f"{self.mart}_v{self.mart_version}" if self.mart_version else self.mart


def parse_window(text: str) -> timedelta:
    """``"90 days"`` or ``"13 weeks"`` as a timedelta."""
    m = WINDOW.match(text.strip())
    if m is None:
        raise ValueError(f"window {text!r} is not '<n> days' or '<n> weeks'")
    n = int(m["n"])
    return timedelta(days=n * 7) if m["unit"].startswith("week") else timedelta(days=n)


def feature_model_name(name: str, version: int) -> str:
    """The dbt model of a feature version: ``feat_<name>__v<version>``."""
    return f"feat_{name}__v{version}"


class Feature(Definition):
    """An aggregation over a governed mart for one entity, known at a point in time.

    The value for an entity at time ``t`` aggregates ``expression`` over the mart rows of that
    entity that pass ``filter``, are known at ``t`` (``known_at <= t`` and, when the mart keeps
    row history, ``t < known_until``) and whose ``event_time`` lies in the window
    ``(t - window, t]`` (all history when there is no window). ``latest`` takes the value of
    the row known most recently.
    """

    entity: str = Field(pattern=NAME)
    mart: str = Field(pattern=NAME)
    mart_version: int | None = Field(None, ge=1, description="pin a dbt model version")
    key: str | None = Field(None, pattern=NAME, description="entity key column in the mart")
    expression: str = Field(min_length=1)
    aggregation: Aggregation
    filter: str | None = None
    window: str | None = None
    event_time: str | None = Field(None, description="column placing a row in the window")
    known_at: str = "known_at"
    known_until: str | None = None
    default: float | None = Field(None, description="value for an entity with no rows")
    offset: str | None = Field(
        None, description="shift the window back: events in (t - offset - window, t - offset]"
    )
    data_type: DataType = "numeric"

    @field_validator("window", "offset")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @model_validator(mode="after")
    def _shape(self) -> Feature:
        model = feature_model_name(self.name, self.version)
        if len(model) > MODEL_NAME_MAX:
            raise ValueError(
                f"its dbt model {model} has {len(model)} characters; PostgreSQL keeps"
                f" {MODEL_NAME_MAX}: shorten the name"
            )
        if self.aggregation == "latest" and (self.window or self.offset):
            raise ValueError("a 'latest' feature takes no window or offset")
        if self.offset is not None and self.window is None:
            raise ValueError("an offset needs a window")
        if self.data_type in ("varchar", "boolean", "timestamp") and self.aggregation != "latest":
            raise ValueError(f"a {self.data_type} feature can only be aggregated as 'latest'")
        return self

    @property
    def window_days(self) -> int | None:
        return None if self.window is None else parse_window(self.window).days

    @property
    def offset_days(self) -> int | None:
        return None if self.offset is None else parse_window(self.offset).days


class Derived(Definition):
    """A feature computed from other features of the same entity.

    ``{name}`` stands for the value of input feature ``name``; ``{as_of}`` for the time the
    values are taken at (e.g. tenure: ``extract(epoch from {as_of} - {customer_since}) / 86400``).
    """

    entity: str = Field(pattern=NAME)
    expression: str = Field(min_length=1)
    inputs: list[str] = Field(min_length=1, description="feature@version it reads")
    data_type: DataType = "numeric"


class Label(Model):
    """What a model learns to predict, read from the feature set's entity mart."""

    name: str = Field(pattern=NAME)
    expression: str = Field(min_length=1)
    known_at: str = Field(min_length=1, description="SQL: when the label's value is settled")
    filter: str | None = None
    outcome_columns: list[str] | None = Field(
        None,
        description="columns that carry the outcome (default: those the expression reads); "
        "a feature at the label's grain must not read them",
    )


class Spine(Model):
    """Which (entity, time) rows a training snapshot holds by default."""

    time: str = Field(min_length=1, description="SQL over the entity mart: the prediction time")
    filter: str | None = None


class FeatureSet(Definition):
    """An entity, a pinned list of ``feature@version`` and an optional label."""

    entity: str = Field(pattern=NAME)
    features: list[str] = Field(min_length=1)
    label: Label | None = None
    spine: Spine | None = None

    @field_validator("features")
    @classmethod
    def _pinned(cls, value: list[str]) -> list[str]:
        for ref in value:
            if REF.match(ref) is None:
                raise ValueError(f"{ref!r} is not pinned as name@version")
        if len(set(value)) != len(value):
            raise ValueError("a feature is listed twice")
        return value


class Measure(Model):
    expression: str = Field(min_length=1)
    aggregation: Literal["sum", "count", "avg", "min", "max", "count_distinct"]


class Metric(Definition):
    """A business metric compiled to the dbt semantic layer (MetricFlow)."""

    type: Literal["simple", "ratio", "derived", "cumulative"]
    mart: str | None = Field(None, pattern=NAME)
    time: str | None = Field(None, description="time dimension column of the mart")
    measure: Measure | None = None
    filter: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    expression: str | None = None
    inputs: list[str] = Field(default_factory=list)
    window: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Metric:
        need = {
            "simple": ("mart", "time", "measure"),
            "ratio": ("numerator", "denominator"),
            "derived": ("expression", "inputs"),
            "cumulative": ("inputs",),
        }[self.type]
        missing = [f for f in need if not getattr(self, f)]
        if missing:
            raise ValueError(f"a {self.type} metric needs {', '.join(missing)}")
        if self.window is not None:
            parse_window(self.window)
        return self


class Settings(Model):
    """Catalog-wide settings (one file may carry them)."""

    history_days: int = Field(3650, ge=1, description="the longest history a window may span")


class DefinitionFile(Model):
    """One YAML file of the catalog."""

    settings: Settings | None = None
    entities: list[Entity] = Field(default_factory=list)
    features: list[Feature] = Field(default_factory=list)
    derived_features: list[Derived] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    feature_sets: list[FeatureSet] = Field(default_factory=list)
