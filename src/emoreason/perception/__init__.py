"""Perception: decode a clip and extract typed, timestamped per-modality evidence (offline, CPU).

>>> from emoreason.perception import Perceiver, PerceptionConfig, perceive
>>> evidence = perceive("examples/clips/happy_consistent.mp4")  # doctest: +SKIP
>>> evidence.hypothesis("visual").label  # doctest: +SKIP
'happy'

Extractors (one API: ``process_signal`` / ``process_file``): :class:`FaceExtractor`,
:class:`BodyExtractor`, :class:`SceneExtractor`, :class:`AcousticExtractor`,
:class:`SpeechExtractor`, :class:`VerbalExtractor`. Words alone: :func:`classify_text`
(``classify_text("I'm sick of your lies!").label == 'angry'``).
"""

from emoreason.perception.acoustic import AcousticExtractor
from emoreason.perception.base import ClipSignal, Extractor, FrameExtractor
from emoreason.perception.body import BodyExtractor
from emoreason.perception.config import ALL_STAGES, PerceptionConfig
from emoreason.perception.face import FaceExtractor
from emoreason.perception.runner import Perceiver, default_perceiver, perceive
from emoreason.perception.scene import SceneExtractor
from emoreason.perception.speech import SpeechExtractor
from emoreason.perception.verbal import VerbalExtractor, classify_text

__all__ = [
    "ALL_STAGES",
    "AcousticExtractor",
    "BodyExtractor",
    "ClipSignal",
    "Extractor",
    "FaceExtractor",
    "FrameExtractor",
    "Perceiver",
    "PerceptionConfig",
    "SceneExtractor",
    "SpeechExtractor",
    "VerbalExtractor",
    "classify_text",
    "default_perceiver",
    "perceive",
]
