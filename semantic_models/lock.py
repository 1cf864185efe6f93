"""The lock file: every released ``name@version`` with its fingerprint and parts.

A released version is frozen: ``compare(lock, current)`` reports a released version whose
fingerprint changed (naming the parts that changed, old and new) or that disappeared. New
versions are ``new`` until ``write_lock`` records them. The file is JSON, one definition per
line, sorted, so that a pull request shows exactly which definitions were released.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from semantic_models.errors import DefinitionError
from semantic_models.fingerprint import Fingerprinted

LOCK_VERSION = 1
Status = Literal["locked", "new", "changed", "removed"]


@dataclass(frozen=True)
class LockEntry:
    kind: str
    ref: str
    fingerprint: str
    parts: dict[str, str]


@dataclass(frozen=True)
class Finding:
    kind: str
    ref: str
    status: Status
    message: str

    @property
    def breaks(self) -> bool:
        return self.status in ("changed", "removed")


def read_lock(path: Path) -> dict[tuple[str, str], LockEntry]:
    """The entries of the lock file ({} when there is none yet)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        entries = {}
        for kind, refs in data["definitions"].items():
            for ref, entry in refs.items():
                entries[(kind, ref)] = LockEntry(kind, ref, entry["fingerprint"], entry["parts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DefinitionError(f"{path}: not a readable lock file: {exc}") from None
    return entries


def write_lock(path: Path, current: Mapping[tuple[str, str], Fingerprinted]) -> None:
    """Record every current definition (callers refuse changed released versions first)."""
    kinds: dict[str, dict[str, object]] = {}
    for (kind, ref), fp in sorted(current.items()):
        kinds.setdefault(kind, {})[ref] = {"fingerprint": fp.fingerprint, "parts": fp.parts}
    lines = ["{", f'  "lock_version": {LOCK_VERSION},', '  "definitions": {']
    for i, (kind, refs) in enumerate(kinds.items()):
        lines.append(f"    {json.dumps(kind)}: {{")
        for j, (ref, entry) in enumerate(refs.items()):
            comma = "," if j < len(refs) - 1 else ""
            lines.append(f"      {json.dumps(ref)}: {json.dumps(entry, sort_keys=True)}{comma}")
        lines.append("    }" + ("," if i < len(kinds) - 1 else ""))
    lines += ["  }", "}", ""]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines))
    tmp.replace(path)


def compare(
    lock: Mapping[tuple[str, str], LockEntry], current: Mapping[tuple[str, str], Fingerprinted]
) -> list[Finding]:
    """One finding per definition in either, sorted by kind and ref."""
    findings = []
    for key in sorted(set(lock) | set(current)):
        kind, ref = key
        old, new = lock.get(key), current.get(key)
        if old is None:
            assert new is not None
            findings.append(
                Finding(kind, ref, "new", f"new version, fingerprint {new.fingerprint}")
            )
        elif new is None:
            findings.append(
                Finding(kind, ref, "removed", "released version removed: keep it computable")
            )
        elif old.fingerprint == new.fingerprint:
            findings.append(Finding(kind, ref, "locked", old.fingerprint))
        else:
            edits = [
                f"{part}: {old.parts.get(part, '')!r} -> {new.parts.get(part, '')!r}"
                for part in sorted(set(old.parts) | set(new.parts))
                if old.parts.get(part) != new.parts.get(part)
            ]
            findings.append(
                Finding(
                    kind,
                    ref,
                    "changed",
                    f"fingerprint {old.fingerprint} -> {new.fingerprint} without a new version; "
                    + "; ".join(edits),
                )
            )
    return findings
