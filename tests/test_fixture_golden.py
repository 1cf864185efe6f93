"""Fixture output pinned by content: an unintended change to any generator shows up here.

The checksums of every table at a small scale are compared with a golden file; a deliberate
change to a generator is accepted with ``pytest --regenerate-golden`` (and reviewed in the diff).
"""

from __future__ import annotations

import json
from pathlib import Path

from fixtures import Settings
from fixtures.core import Context, CountingSink, Golden
from fixtures.registry import ERPS
from tests.conftest import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden" / "fixtures" / "checksums.json"


def test_fixture_checksums_match_golden(regenerate_golden: bool) -> None:
    settings = Settings(seed=42, scale=0.02)
    results = {}
    sums: dict[str, dict[str, str]] = {}
    for fixture in ERPS:  # in registry order, so OneStream sees the ERPs before it
        sink = CountingSink()
        ctx = Context(fixture.name, settings, sink, Golden(None), upstream=results)
        results[fixture.name] = fixture.generate(ctx)
        sums[fixture.name] = sink.checksums()
    assert all(sums.values()), "a fixture wrote nothing"
    text = json.dumps(sums, indent=2, sort_keys=True) + "\n"
    check_golden(GOLDEN, text, regenerate_golden)
