"""Loader for conflict sets built by ``emoreason build-conflicts`` (layout: ``labels.jsonl``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from emoreason.evaluation.loaders.base import LoadReport, require_file
from emoreason.evaluation.loaders.labelled import add_labelled
from emoreason.evaluation.metrics.camer import SUBSETS, normalize_subset
from emoreason.formats.jsonl import json_error_reason


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
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: not valid JSON ({json_error_reason(exc)})")
                continue
            if not isinstance(row, dict):
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: expected an object")
                continue
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
