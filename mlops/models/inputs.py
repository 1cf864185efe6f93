"""The feature columns a model reads, and the frame it gets at training and at scoring.

A model sees the feature columns of its feature set as a snapshot holds them (same names), made
plain for scikit-learn by :func:`prepare`: numeric, boolean and timestamp features become
``float64`` (timestamps as days since 1970-01-01, missing as NaN), text features become
``object`` columns with NaN for missing. Training and scoring both go through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from mlops.errors import MlopsError

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["numeric", "categorical", "timestamp"]
NOT_FEATURES = frozenset({"as_of", "label", "label_known_at"})


class ColumnSpec(BaseModel):
    """One input column of a model: its name in the snapshot and the definition behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    ref: str  # feature@version
    kind: Kind


def kind_of(dtype: object) -> Kind:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    return "categorical"


def columns_of(frame: pd.DataFrame, refs: dict[str, str]) -> list[ColumnSpec]:
    """The feature columns of a snapshot frame; ``refs``: column name -> feature@version."""
    return [ColumnSpec(name=c, ref=refs[c], kind=kind_of(frame[c].dtype)) for c in refs]


def prepare(frame: pd.DataFrame, columns: list[ColumnSpec]) -> pd.DataFrame:
    """The model's input frame: the columns in order, typed as the module docstring says."""
    import numpy as np
    import pandas as pd

    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        raise MlopsError(f"feature columns missing from the frame: {', '.join(missing)}")
    out = {}
    for c in columns:
        values = frame[c.name]
        if c.kind == "timestamp":
            stamps = pd.to_datetime(values)
            days = (stamps - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
            out[c.name] = days.astype("float64")
        elif c.kind == "numeric":
            out[c.name] = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            text = values.astype(object)
            out[c.name] = text.where(values.notna(), np.nan)
    return pd.DataFrame(out, index=frame.index)
