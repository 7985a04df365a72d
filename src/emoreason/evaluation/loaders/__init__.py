"""Benchmark loaders: published layout in, :class:`LoadReport` (samples + counts) out."""

from collections.abc import Callable
from pathlib import Path

from emoreason.evaluation.loaders.base import LoadReport, Sample, sample_id
from emoreason.evaluation.loaders.conflicts import load_camer_built
from emoreason.evaluation.loaders.emodb import load_emodb
from emoreason.evaluation.loaders.labelled import (
    EMOBENCH_M_CATEGORIES,
    load_camer,
    load_dfew,
    load_emobench_m,
    load_jsonl,
    load_mer2023,
)
from emoreason.evaluation.loaders.reasoning import load_emer_v1, load_emer_v2, load_saber_test
from emoreason.evaluation.loaders.verbal_sentences import load_verbal_sentences, packaged_data_dir
from emoreason.registry import Registry

#: Loader name (as written in a task YAML) -> function(root, labels, label_map, **options).
LOADERS: Registry[Callable[..., LoadReport]] = Registry(
    "loader",
    {
        "camer": load_camer,
        "camer_built": load_camer_built,
        "dfew": load_dfew,
        "emodb": load_emodb,
        "emer_v1": load_emer_v1,
        "emer_v2": load_emer_v2,
        "emobench_m": load_emobench_m,
        "jsonl": load_jsonl,
        "mer2023": load_mer2023,
        "saber_test": load_saber_test,
        "verbal_sentences": load_verbal_sentences,
    },
)

#: Loaders whose data ships with emoreason: the folder used when no --data is given.
DEFAULT_DATA: dict[str, Callable[[], Path]] = {"verbal_sentences": packaged_data_dir}

__all__ = [
    "EMOBENCH_M_CATEGORIES",
    "LOADERS",
    "LoadReport",
    "Sample",
    "load_camer",
    "load_dfew",
    "load_emer_v1",
    "load_emer_v2",
    "load_emobench_m",
    "load_emodb",
    "load_jsonl",
    "load_mer2023",
    "load_saber_test",
    "sample_id",
]
