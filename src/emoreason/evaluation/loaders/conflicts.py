"""Loader for conflict sets built by ``emoreason build-conflicts`` (layout: ``labels.jsonl``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from emoreason.evaluation.loaders.base import LoadReport, iter_json_objects, require_file
from emoreason.evaluation.loaders.labelled import add_labelled
from emoreason.evaluation.metrics.camer import SUBSETS, normalize_subset


def load_camer_built(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    file: str = "labels.jsonl",
) -> LoadReport:
    """A built conflict set: one JSON row per clip with ``id``, ``media`` (relative to root),
    ``verdict`` (consistent / video-aligned / audio-aligned: the sample's subset) and
    ``emotion`` (the true emotion: the sample's label). Source ids and the ground-truth rule
    are kept in ``extra``."""
    path = require_file(root / file, "conflict-set labels (labels.jsonl)")
    report, seen = LoadReport(), set()
    for where, row in iter_json_objects(path, report):
        subset = normalize_subset(str(row.get("verdict") or ""))
        if subset not in SUBSETS:
            report.counts["rows"] += 1
            report.problem(
                "bad_row", f"{where}: verdict: {row.get('verdict')!r} not in {list(SUBSETS)}"
            )
            continue
        extra = {k: row.get(k) for k in ("rule", "video_source", "audio_source", "audio_group")}
        add_labelled(
            report, root, where, row.get("id"), row.get("emotion"), labels, label_map,
            media_raw=row.get("media"), seen=seen, keep_path=True, subset=subset, extra=extra,
        )  # fmt: skip
    return report
