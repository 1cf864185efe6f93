"""Estimators on disk in a safe format: skops, never bare pickle.

skops stores an object tree and rebuilds it without running arbitrary code, except for the
types it is told to trust. :func:`check_types` trusts only classes defined in scikit-learn or
numpy (``sklearn.*``, ``numpy.*``); any other type, and any function, is refused when a model
is stored and again when it is loaded. :func:`sha256` is what a manifest records of the file.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError

ALLOWED_PACKAGES = ("sklearn", "numpy")


def _allowed(name: str) -> bool:
    """A class (not a function) defined in scikit-learn or numpy."""
    if name.split(".", 1)[0] not in ALLOWED_PACKAGES:
        return False  # never import a module outside the allow list just to look
    module_name, _, attr = name.rpartition(".")
    try:
        found: Any = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError):
        return False
    return isinstance(found, type)


def check_types(untrusted: Sequence[str], where: str) -> list[str]:
    """The types skops needs trusted, if all are allowed; else a one-line refusal."""
    refused = sorted(t for t in untrusted if not _allowed(t))
    if refused:
        raise MlopsError(
            f"{where}: refusing types outside scikit-learn and numpy: {', '.join(refused)}"
        )
    return list(untrusted)


def _skops() -> Any:
    import skops.io as sio  # type: ignore[import-untyped]

    return sio


def dump(estimator: Any, path: Path) -> None:
    """Write ``estimator`` to ``path`` (skops), refusing types outside the allow list."""
    sio = _skops()
    data = sio.dumps(estimator)
    check_types(sio.get_untrusted_types(data=data), type(estimator).__name__)
    path.write_bytes(data)


def untrusted_types(path: Path) -> list[str]:
    """The types of a skops file that skops does not trust by default."""
    return list(_skops().get_untrusted_types(file=path))


def load(path: Path) -> Any:
    """Read an estimator written by :func:`dump`, trusting only allowed types."""
    sio = _skops()
    try:
        untrusted = untrusted_types(path)
    except Exception as exc:  # a corrupt or foreign file: skops raises many kinds
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise MlopsError(f"{path}: not a readable skops file: {first}") from None
    estimator = sio.load(path, trusted=check_types(untrusted, str(path)))
    check_trees(estimator, str(path))
    return estimator


def check_trees(estimator: Any, where: str) -> None:
    """Refuse histogram-gradient-boosting trees whose node links point outside the tree.

    scikit-learn's ``TreePredictor`` follows ``left``/``right``/``feature_idx`` without bounds
    checks: a crafted file could read out of bounds or loop. Children must come after their
    parent (as the grower numbers them) and features must exist.
    """
    for owner, predictor in _tree_predictors(estimator, depth=0):
        nodes = predictor.nodes
        n_features = int(getattr(owner, "n_features_in_", 0))
        bitsets = len(getattr(predictor, "raw_left_cat_bitsets", ()))
        for i, node in enumerate(nodes):
            if node["is_leaf"]:
                continue
            bad = not (i < node["left"] < len(nodes) and i < node["right"] < len(nodes))
            bad = bad or not 0 <= node["feature_idx"] < n_features
            bad = bad or bool(node["is_categorical"] and not 0 <= node["bitset_idx"] < bitsets)
            if bad:
                raise MlopsError(f"{where}: a boosted tree's node {i} points outside its tree")


def _tree_predictors(obj: Any, depth: int) -> list[tuple[Any, Any]]:
    """(estimator, TreePredictor) pairs found in an estimator and its nested steps."""
    if depth > 8:
        return []
    found = []
    for stage in getattr(obj, "_predictors", None) or []:
        found += [(obj, p) for p in stage]
    children: list[Any] = []
    for value in getattr(obj, "__dict__", {}).values():
        if isinstance(value, list | tuple):
            children += [
                v for item in value for v in (item if isinstance(item, tuple) else (item,))
            ]
        elif hasattr(value, "get_params"):
            children.append(value)
    for child in children:
        if hasattr(child, "get_params"):
            found += _tree_predictors(child, depth + 1)
    return found


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
