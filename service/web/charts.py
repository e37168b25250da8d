"""The role-clarity report's charts (drawn by :func:`matcher.report.render_charts`) as inline
SVG images, redrawn only when the event's insights change."""

from __future__ import annotations

import base64
import tempfile
import threading
from pathlib import Path

from matcher.report import render_charts

CHARTS = {
    "roles": "Bar chart: members per meetup role, declared and inferred.",
    "synergy": "Heat map: how valuable an introduction between two roles is (0 to 1).",
    "specificity": "Bar chart: the least specific specialties, 0 (vague) to 1 (specific).",
}
_LOCK = threading.Lock()  # matplotlib is not thread-safe
_CACHE: dict[str | None, tuple[object, dict[str, str]]] = {}


def chart_images(event: str | None, report: dict, insights: list[dict], taxonomy) -> dict[str, str]:
    """Chart name -> ``data:image/svg+xml`` URI, for these ``insights`` of ``event``."""
    with _LOCK:
        hit = _CACHE.get(event)
        if hit is not None and hit[0] is insights:
            return hit[1]
        with tempfile.TemporaryDirectory() as tmp:
            render_charts(report, insights, taxonomy, Path(tmp))
            images = {name: "data:image/svg+xml;base64,"
                      + base64.b64encode((Path(tmp) / f"{name}.svg").read_bytes()).decode()
                      for name in CHARTS}
        _CACHE[event] = (insights, images)
        return images
