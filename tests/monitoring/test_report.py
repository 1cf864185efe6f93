"""`erpml report`: a self-contained HTML page (inline SVG, no requests) and JSON, opened in
headless Chromium to check that its plots render; the SVG charts on their own."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from mlops.report.svg import Series, line_chart, reliability_chart
from tests.monitoring.synthetic import World, build, erpml

SVG = "{http://www.w3.org/2000/svg}"
BLUE, RED = (0x1F, 0x77, 0xB4), (0xD6, 0x27, 0x28)  # series and alert colours of svg.py
MAX_BYTES = 1_000_000


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path]:
    """The synthetic world (DuckDB), monitored, and its report."""
    world = build(tmp_path_factory.mktemp("report"), "duckdb")
    assert erpml("monitor", "--project", str(world.project)).code == 9
    out = world.project.parent / "out"
    ran = erpml("report", "--project", str(world.project), "--out", str(out))
    assert ran.code == 0, ran.err
    assert "report of late_payment@1 (" in ran.out
    return world, out


def test_the_page_is_self_contained_small_and_complete(reported: tuple[World, Path]) -> None:
    _, out = reported
    page = (out / "monitoring_report.html").read_text()
    assert len(page.encode()) < MAX_BYTES
    without_namespace = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for external in ("http://", "https://", "<script", "<link", "<img", "src=", "url("):
        assert external not in without_namespace, external
    charts = re.findall(r"<svg[^>]*aria-label=\"([^\"]+)\"", page)
    features = ["invoice_amount", "invoice_terms_days", "cust_category", "cust_tenure_days"]
    assert [c.split(" - ")[0] for c in charts[:4]] == features
    assert charts[4:] == ["auc", "brier", "ece", "reliability (all windows)"]
    assert "cust_category - jensen_shannon" in charts and "invoice_amount - psi" in charts
    for fingerprint_cell in ("b1af00584b166ba3", "c88437728252e5b2"):
        assert fingerprint_cell in page  # the definitions in play, by fingerprint
    assert "new: ECOM" in page and "as trained" in page


def test_the_json_holds_what_the_page_shows(reported: tuple[World, Path]) -> None:
    world, out = reported
    data = json.loads((out / "monitoring_report.json").read_text())
    (model,) = data["models"]
    assert model["model"] == "late_payment@1" and model["task"] == "classification"
    assert [f["status"] for f in model["features"]] == ["as trained"] * 4
    assert {f["ref"]: f["trained_fingerprint"] for f in model["features"]} == {
        ref: world.fingerprints[ref]
        for ref in (
            *("invoice_amount@1", "invoice_terms_days@1"),
            *("cust_category@1", "cust_tenure_days@1"),
        )
    }
    assert len(model["runs"]) == 2
    (total,) = world.rows("select count(*) from monitoring.alerts")[0]
    assert model["alerts_total"] == total == len(model["alerts"])
    assert {r["segment"] for r in model["drift"]} == {"all"}
    assert model["segment_drift"] and all(r["drifted"] for r in model["segment_drift"])
    assert {r["metric"] for r in model["accuracy"]} >= {"auc", "brier", "ece", "log_loss"}


def test_chromium_renders_the_page_with_its_plots(
    reported: tuple[World, Path], tmp_path: Path
) -> None:
    _, out = reported
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed (scripts/bootstrap.sh installs it)"
    page = (out / "monitoring_report.html").resolve().as_uri()
    flags = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars"]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", page],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert dom.count("<svg") == 8 and dom.count("<polyline") >= 8
    assert dom.count("<circle") > 10 and "threshold 0.2" in dom
    shot = tmp_path / "shot.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1100,900", f"--screenshot={shot}", page],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, pixels = _decode_png(shot.read_bytes())
    assert (width, height) == (1100, 900)
    colours = {p for p in pixels}
    assert len(colours) > 50  # text, lines, fills: not a blank page
    blue = sum(1 for p in pixels if _near(p, BLUE))
    red = sum(1 for p in pixels if _near(p, RED))
    assert blue > 200 and red > 20  # series lines and points, drifted points and thresholds


def test_a_report_before_any_monitoring_shows_the_definitions(tmp_path: Path) -> None:
    world = build(tmp_path, "duckdb")
    out = tmp_path / "out"
    ran = erpml("report", "--project", str(world.project), "--out", str(out))
    assert ran.code == 0, ran.err
    page = (out / "monitoring_report.html").read_text()
    assert "No monitored batches yet" in page and "b1af00584b166ba3" in page
    ran = erpml("report", "--project", str(world.project), "--model", "nobody@1")
    assert ran.code == 4 and "unknown model 'nobody'" in ran.err


def test_a_definition_changed_since_training_is_shown(tmp_path: Path) -> None:
    world = build(tmp_path, "duckdb")
    path = world.project.parent / ".erpml" / "models" / "late_payment" / "1" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["fingerprints"]["invoice_terms_days@1"] = "0" * 16
    path.write_text(json.dumps(manifest))
    ran = erpml("monitor", "--project", str(world.project))
    assert ran.code == 9
    ran = erpml("report", "--project", str(world.project), "--out", str(tmp_path / "out"))
    assert ran.code == 0, ran.err
    data = json.loads((tmp_path / "out" / "monitoring_report.json").read_text())
    status = {f["column"]: f["status"] for f in data["models"][0]["features"]}
    assert status["invoice_terms_days"] == "changed since training"
    assert status["invoice_amount"] == "as trained"
    page = (tmp_path / "out" / "monitoring_report.html").read_text()
    assert "definition changed: 2025-12-31, 2026-06-30" in page


# --------------------------------------------------------------------------- charts


def test_charts_are_well_formed_svg() -> None:
    chart = line_chart(
        "psi & co <drift>",
        ["2026-01", "2026-02", "2026-03", "2026-04"],
        [Series("psi", [0.1, None, 0.35, 0.2], flagged={2}), Series("ks", [0.05, 0.1, 0.2, 0.1])],
        threshold=0.2,
    )
    root = ET.fromstring(chart)
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == "psi & co <drift>"
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # psi breaks at its gap and keeps one run of two points
    assert len(root.findall(f"{SVG}circle")) == 7
    fills = [c.get("fill") for c in root.findall(f"{SVG}circle")]
    assert fills.count("#d62728") == 1
    assert any(t.text == "threshold 0.2" for t in root.iter(f"{SVG}text"))
    curve = ET.fromstring(reliability_chart([(0.05, 0.04, 900), (0.5, 0.6, 80), (0.9, 0.8, 20)]))
    assert len(curve.findall(f"{SVG}circle")) == 3
    empty = ET.fromstring(line_chart("nothing", [], []))
    assert empty.find(f"{SVG}polyline") is None


# --------------------------------------------------------------------------- PNG


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def _decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGB(A) pixels of an 8-bit truecolour PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, bpp)
        rows.append(line)
        previous = line
    pixels = [tuple(row[i : i + 3]) for row in rows for i in range(0, stride, bpp)]
    return width, height, pixels


def _unfilter(kind: int, line: bytearray, up: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        above = up[i]
        corner = up[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + above) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + above) // 2) & 0xFF
        elif kind == 4:
            p = left + above - corner
            pa, pb, pc = abs(p - left), abs(p - above), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else above if pb <= pc else corner
            line[i] = (line[i] + pred) & 0xFF
