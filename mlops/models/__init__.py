"""Models: a versioned store, reference training, and scoring behind the definition guard.

- :mod:`mlops.models.store`: ``ModelStore`` (versions, aliases, manifests, safe files).
- :mod:`mlops.models.register`: ``register_model`` for any fitted scikit-learn estimator.
- :mod:`mlops.models.train`: ``erpml train``'s reference pipeline and time holdout.
- :mod:`mlops.models.score`: ``erpml score``; :mod:`mlops.models.guard`: the definition guard.
"""

from mlops.models.guard import DefinitionChangedError
from mlops.models.register import register_model
from mlops.models.score import ScoreOptions, ScoreRun, score_model
from mlops.models.store import Manifest, ModelStore, store_for
from mlops.models.train import train_model

__all__ = [
    "DefinitionChangedError",
    "Manifest",
    "ModelStore",
    "ScoreOptions",
    "ScoreRun",
    "register_model",
    "score_model",
    "store_for",
    "train_model",
]
