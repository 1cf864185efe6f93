"""The definition guard: score only with the feature definitions a model was trained on.

For every ``feature@version`` in a model's manifest, the catalog's fingerprint now is compared
with the one at training. Where they differ (a definition edited without a new version):

- a plain feature is still computable as trained if its timeline table in the warehouse was
  built from the trained fingerprint (the table comment ``erpml:<ref>:<fingerprint>``, see
  :func:`mlops.features.stored_fingerprints`): scoring goes on with that table and warns;
- a derived feature is computed at query time from the catalog's expression: it is still
  computable if that expression, fingerprinted over its inputs' *trained* fingerprints, gives
  the trained fingerprint (only an input changed) and each input is still computable;
- otherwise scoring is refused with one line naming the feature and both fingerprints.

A default value (``default:``) is applied at query time from the catalog: a definition change
that only moves the default is not caught by the table check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops.errors import MlopsError

if TYPE_CHECKING:
    from mlops.features import Plan
    from semantic_models.catalog import Catalog
    from semantic_models.fingerprint import Fingerprinted


class DefinitionChangedError(MlopsError):
    """A feature the model was trained on can no longer be computed as it was."""


@dataclass(frozen=True)
class Guard:
    model: str  # name@version, for messages
    trained: Mapping[str, str]  # feature@version -> fingerprint at training
    current: Mapping[tuple[str, str], Fingerprinted]  # the catalog's, by (kind, ref)
    stored: Mapping[str, str | None]  # timeline table fingerprints (None: no table)
    tables: Mapping[str, str]  # feature@version -> timeline table

    def now(self, ref: str) -> Fingerprinted | None:
        return self.current.get(("features", ref)) or self.current.get(("derived_features", ref))

    def computable(self, ref: str) -> bool:
        """``ref`` can still be computed exactly as at training."""
        trained, now = self.trained.get(ref), self.now(ref)
        if trained is None or now is None:
            return False
        if now.kind == "features":
            return self.stored.get(ref) == trained
        from semantic_models.fingerprint import digest

        inputs = [part.split("=")[0] for part in now.parts.get("inputs", "").split(",") if part]
        if any(r not in self.trained for r in inputs):
            return False
        pinned = ",".join(f"{r}={self.trained[r]}" for r in inputs)
        if digest({**now.parts, "inputs": pinned}) != trained:
            return False
        return all(self.computable(r) for r in inputs)

    def check(self) -> list[str]:
        """Warnings for changed but still computable features; raises for the others."""
        warnings = []
        # Plain features first: a refusal names the changed definition, not what derives from it.
        order = sorted(self.trained, key=lambda r: (("derived_features", r) in self.current, r))
        for ref in order:
            trained = self.trained[ref]
            now = self.now(ref)
            if now is not None and now.fingerprint == trained:
                continue
            if now is None:
                raise DefinitionChangedError(
                    f"feature {ref}: model {self.model} was trained on fingerprint {trained}; "
                    "the catalog no longer defines it"
                )
            if not self.computable(ref):
                raise DefinitionChangedError(self._refusal(ref, trained, now.fingerprint))
            where = f"table {self.tables[ref]}" if ref in self.tables else "its inputs' tables"
            warnings.append(
                f"feature {ref}: the catalog's fingerprint is now {now.fingerprint}, model "
                f"{self.model} was trained on {trained}; scoring with {where} still built from "
                "the trained definition (changed without a new version: erpml definitions check)"
            )
        return warnings

    def _refusal(self, ref: str, trained: str, now: str) -> str:
        table = self.tables.get(ref)
        built = ""
        if table is not None:
            stored = self.stored.get(ref)
            if stored is None:
                built = f" and table {table} does not exist"
            else:
                built = (
                    f" and table {table} was rebuilt from {stored or 'an unrecorded definition'}"
                )
        return (
            f"feature {ref}: model {self.model} was trained on fingerprint {trained}, the catalog "
            f"now has {now}{built}; refusing to score (release the change as a new version or "
            "retrain)"
        )


def check_definitions(
    model: str,
    trained: Mapping[str, str],
    catalog: Catalog,
    plan: Plan,
    stored: Mapping[str, str | None],
) -> list[str]:
    """Run the guard for a model over the catalog and the warehouse's timeline tables."""
    from semantic_models.fingerprint import fingerprints

    tables = {c.ref: c.table for c in plan.columns if c.table is not None}
    return Guard(model, trained, fingerprints(catalog), stored, tables).check()
