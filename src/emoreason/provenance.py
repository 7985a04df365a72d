"""Build the :class:`~emoreason.schema.provenance.Provenance` of a run, cheaply.

Model digests come from what is already known, never from re-hashing large files per clip:
the SHA-256 pinned for every package-shipped source file (verified when its cache folder is
built), the result digests each built folder's manifest records, and the two small models
shipped inside emoreason (hashed once). They are computed once per process.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

from emoreason import __version__
from emoreason.schema.provenance import Provenance


@functools.lru_cache(maxsize=1)
def model_digests() -> dict[str, str]:
    """Model (or ``model/file``) -> SHA-256, computed once per process."""
    from emoreason.assets import ALL_ASSETS, cache_dir, manifest_of, sha256_file
    from emoreason.assets.models import SHIPPED_MODEL_FILES

    digests = {a.name: a.source_sha256 for a in ALL_ASSETS if a.source_sha256}
    root = cache_dir()
    for asset in ALL_ASSETS:
        manifest = manifest_of(root / asset.name) or {}
        for file, digest in (manifest.get("files") or {}).items():
            digests[f"{asset.name}/{file}"] = str(digest)
    package = Path(__file__).resolve().parent
    for relative in SHIPPED_MODEL_FILES.values():  # small: hashed once per process
        path = package / relative
        if path.is_file():
            digests[f"emoreason/{relative}"] = sha256_file(path)
    return digests


def config_dict(config: Any) -> dict[str, Any]:
    """A configuration dataclass as plain JSON values (tuples -> lists, paths -> strings)."""
    if config is None:
        return {}
    fields = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    return json.loads(json.dumps(fields, default=str))


def make_provenance(perception: Any = None, consistency: Any = None) -> Provenance:
    """Provenance of this process with the given configurations (dataclasses or dicts)."""
    return Provenance(
        emoreason_version=__version__,
        models=dict(model_digests()),
        perception=config_dict(perception),
        consistency=config_dict(consistency),
    )
