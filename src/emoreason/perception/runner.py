"""The perception runner: one clip in, one :class:`~emoreason.schema.Evidence` out.

Flow: probe the container (bad files raise :class:`~emoreason.errors.MediaError` here) ->
decode 16 kHz mono audio -> two threads, one per core (PyAV, MediaPipe, TFLite, CTranslate2,
Praat and openSMILE release the GIL):

- words: speech (whisper, ``whisper_threads`` threads), then verbal (it needs the transcript);
- picture and voice: one streamed decode of the video, each sampled frame fed to face, body
  and scene; then acoustic (prosody, voice quality, eGeMAPS).

Whisper gets one thread by default so that the two branches fill two cores without
oversubscription (benchmarks/bench_perception.py: 3.2 s with one whisper thread vs 5.0 s with
two, same 10 s clip, same run). ``timings['audio']`` is the longer of the speech+verbal and acoustic times.

Then per-modality hypotheses (:mod:`hypotheses`). An extractor that fails on a clip yields an
unavailable modality whose status names the error; the clip still gets evidence.
Models load once per :class:`Perceiver` (lazily, or all at once with :meth:`Perceiver.warm_up`).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from emoreason.errors import EmoreasonError
from emoreason.perception.acoustic import AcousticExtractor
from emoreason.perception.base import ClipSignal, Extractor, FrameExtractor, effective_fps
from emoreason.perception.body import BodyExtractor
from emoreason.perception.config import PerceptionConfig
from emoreason.perception.decode import AudioTrack, FrameStats, decode_audio, iter_frames, probe
from emoreason.perception.face import FaceExtractor
from emoreason.perception.hypotheses import (
    acoustic_hypothesis,
    verbal_hypothesis,
    visual_hypothesis,
)
from emoreason.perception.native_logs import native_logs_filtered
from emoreason.perception.scene import SceneExtractor
from emoreason.perception.speech import SpeechExtractor
from emoreason.perception.verbal import VerbalExtractor
from emoreason.provenance import make_provenance
from emoreason.schema import ClipInfo, Evidence, ModalityEvidence
from emoreason.schema.phrases import phrase

VISUAL = ("face", "body", "scene")
AUDIO = ("acoustic", "speech", "verbal")


def _failed(name: str, exc: BaseException) -> ModalityEvidence:
    reason = " ".join(str(exc).split())[:200]
    failed = phrase("perception.failed", name=name, error=type(exc).__name__, reason=reason)
    return ModalityEvidence(modality=name, available=False, status_phrases=[failed])


def _disabled(name: str) -> ModalityEvidence:
    disabled = phrase("perception.disabled", name=name)
    return ModalityEvidence(modality=name, available=False, status_phrases=[disabled])


#: A clip counts as whole when at least this share of its declared duration decoded (AAC priming
#: and the last frame's length make an intact file's decoded span differ a little) ...
COMPLETE_COVERAGE = 0.9
#: ... or when less than this many seconds are missing.
COMPLETE_SLACK_SECONDS = 0.5


def decoded_duration(stats: FrameStats, audio: AudioTrack | None) -> float | None:
    """Seconds decoded from the longer of the video (when frames were read) and audio streams."""
    spans = [stats.decoded_seconds] if stats.decoded else []
    if audio is not None:
        spans.append(audio.duration)
    return max(spans) if spans else None


def clip_coverage(declared: float, decoded: float | None) -> float:
    """Decoded / declared duration in [0, 1]; 1.0 when whole (see :data:`COMPLETE_COVERAGE`).

    For a cut or damaged file every hypothesis confidence is multiplied by this share: evidence
    from 3.3 of 7.1 s is worth about half as much as the whole clip's.
    """
    if decoded is None or declared <= 0:
        return 1.0
    share = min(1.0, decoded / declared)
    if share >= COMPLETE_COVERAGE or declared - decoded < COMPLETE_SLACK_SECONDS:
        return 1.0
    return round(share, 4)


class Perceiver:
    """Loads the perception models once and turns clips into :class:`Evidence`.

    Sequential use from several threads is safe (calls are serialised by a lock).
    """

    def __init__(self, config: PerceptionConfig | None = None) -> None:
        self.config = config or PerceptionConfig()
        c = self.config
        self.extractors: dict[str, Extractor] = {
            "face": FaceExtractor(c), "body": BodyExtractor(c), "scene": SceneExtractor(c),
            "acoustic": AcousticExtractor(c), "speech": SpeechExtractor(c), "verbal": VerbalExtractor(c),
        }  # fmt: skip
        self._lock = threading.Lock()
        self._warm = False

    def warm_up(self) -> dict[str, float]:
        """Load every enabled model now; returns seconds per model."""
        seconds = {}
        loaders = {
            "face": lambda: self.extractors["face"].load(),
            "body": lambda: self.extractors["body"].load(),
            "speech": lambda: self.extractors["speech"].model(),
            "verbal": lambda: self.extractors["verbal"].load(),
            "acoustic": lambda: self.extractors["acoustic"]._opensmile(),
        }
        with native_logs_filtered():
            for name, load in loaders.items():
                if self.config.runs(name):
                    began = time.perf_counter()
                    load()
                    seconds[name] = time.perf_counter() - began
        self._warm = True
        return seconds

    def perceive(self, path: str | Path) -> Evidence:
        """Evidence for one clip; :class:`MediaError` for missing/undecodable files."""
        with self._lock, native_logs_filtered():
            return self._perceive(str(path))

    def _perceive(self, path: str) -> Evidence:
        timings: dict[str, float] = {}
        began = time.perf_counter()
        facts = probe(path)
        timings["probe"] = time.perf_counter() - began
        if not self._warm:  # first clip: load every model now, reported apart from the stages
            loading = time.perf_counter()
            timings["model_load"] = sum(self.warm_up().values())
            began += time.perf_counter() - loading  # 'total' counts processing only
        t = time.perf_counter()
        audio = decode_audio(path, self.config.sample_rate) if facts.has_audio else None
        timings["decode_audio"] = time.perf_counter() - t
        signal = ClipSignal(facts=facts, audio=audio)
        modalities: dict[str, ModalityEvidence] = {}

        def words() -> None:  # whisper, then the words' emotion
            modalities.update(self._audio(signal, timings, ("speech", "verbal")))

        def picture_and_voice() -> None:  # the frame loop, then prosody
            modalities.update(self._visual(path, signal, timings))
            modalities.update(self._audio(signal, timings, ("acoustic",)))

        t = time.perf_counter()
        if self.config.concurrent:
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="perceive") as pool:
                futures = [pool.submit(words), pool.submit(picture_and_voice)]
                for future in futures:
                    future.result()  # re-raises MediaError / ModelNotFoundError
        else:
            picture_and_voice()
            words()
        timings["branches"] = time.perf_counter() - t
        timings["audio"] = max(
            timings.get("acoustic", 0.0), timings.get("speech", 0.0) + timings.get("verbal", 0.0)
        )
        t = time.perf_counter()
        people = [modalities[m].features.get(k) for m, k in (("face", "max_faces_in_frame"),
                                                             ("body", "frames_with_body"))]  # fmt: skip
        if modalities["scene"].available:
            count = people[0] or (1.0 if people[1] else 0.0)
            modalities["scene"].features["people_count"] = float(count)
        hypotheses = {
            "visual": visual_hypothesis(modalities["face"], modalities["body"]),
            "acoustic": acoustic_hypothesis(modalities["acoustic"]),
            "verbal": verbal_hypothesis(modalities["verbal"]),
        }
        timings["hypotheses"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - began
        stats = signal.frame_stats
        duration = facts.duration or max(stats.last_time, audio.duration if audio else 0.0)
        decoded = decoded_duration(stats, audio)
        coverage = clip_coverage(duration, decoded)
        if coverage < 1.0:
            hypotheses = {
                name: h.model_copy(update={"confidence": round(h.confidence * coverage, 4)})
                for name, h in hypotheses.items()
            }
        clip = ClipInfo(
            path=path, duration=round(duration, 3), has_video=facts.has_video,
            has_audio=facts.has_audio, width=facts.width, height=facts.height,
            fps=round(facts.fps, 3) if facts.fps else None, frames_sampled=stats.sampled,
            sample_rate=self.config.sample_rate if audio is not None else None,
            variable_frame_rate=stats.variable_frame_rate, rotation=facts.rotation,
            decoded_duration=None if decoded is None else round(decoded, 3),
            coverage=coverage,
        )  # fmt: skip
        return Evidence(
            clip=clip, modalities={m: modalities[m] for m in (*VISUAL, *AUDIO)},
            transcript=signal.transcript, hypotheses=hypotheses,
            timings={k: round(v, 4) for k, v in timings.items()},
            provenance=make_provenance(perception=self.config),
        )  # fmt: skip

    def _visual(
        self, path: str, signal: ClipSignal, timings: dict[str, float]
    ) -> dict[str, ModalityEvidence]:
        out: dict[str, ModalityEvidence] = {}
        active: dict[str, FrameExtractor] = {}
        for name in VISUAL:
            if not self.config.runs(name):
                out[name] = _disabled(name)
            elif not signal.facts.has_video:
                out[name] = self.extractors[name].unavailable(phrase("video.no_stream_in_file"))
            else:
                active[name] = self.extractors[name]  # type: ignore[assignment]
        spent = dict.fromkeys(active, 0.0)
        began = time.perf_counter()
        for name, ex in list(active.items()):
            try:
                ex.start(signal.facts)
            except EmoreasonError:
                raise
            except Exception as exc:
                out[name] = _failed(name, exc)
                del active[name]
        if active:
            stats = FrameStats()
            signal.frame_stats = stats
            fps = effective_fps(signal.facts.duration, self.config)
            for frame in iter_frames(path, fps, keep_keyframes=self.config.keep_keyframes,
                                     max_side=self.config.max_side, stats=stats):  # fmt: skip
                for name, ex in list(active.items()):
                    t = time.perf_counter()
                    try:
                        ex.update(frame)
                    except Exception as exc:
                        out[name] = _failed(name, exc)
                        del active[name]
                    spent[name] += time.perf_counter() - t
            for name, ex in active.items():
                t = time.perf_counter()
                try:
                    out[name] = ex.finish(stats)
                except Exception as exc:
                    out[name] = _failed(name, exc)
                spent[name] += time.perf_counter() - t
        for name, seconds in spent.items():
            out[name].seconds = round(seconds, 4)
            timings[name] = seconds
        timings["visual"] = time.perf_counter() - began
        timings["decode_video"] = max(0.0, timings["visual"] - sum(spent.values()))
        return out

    def _audio(
        self, signal: ClipSignal, timings: dict[str, float], names: tuple[str, ...]
    ) -> dict[str, ModalityEvidence]:
        """Run audio extractors in order (verbal after speech: it reads the transcript)."""
        out: dict[str, ModalityEvidence] = {}
        for name in names:
            t = time.perf_counter()
            if not self.config.runs(name):
                out[name] = _disabled(name)
                continue
            transcript = signal.transcript
            if name == "verbal" and transcript is not None and not transcript.reliable:
                unreliable = phrase(
                    "perception.transcript_unreliable",
                    issues="; ".join(transcript.issues),
                    count=len(transcript.issues),
                )
                out[name] = ModalityEvidence(
                    modality=name, available=False, status_phrases=[unreliable]
                )
                timings[name] = out[name].seconds = 0.0
                continue
            try:
                out[name] = self.extractors[name].process_signal(signal)
            except EmoreasonError:
                raise
            except Exception as exc:
                out[name] = _failed(name, exc)
            timings[name] = time.perf_counter() - t
            out[name].seconds = round(timings[name], 4)
        return out


_DEFAULT: dict[str, Perceiver] = {}
_DEFAULT_LOCK = threading.Lock()


def default_perceiver(config: PerceptionConfig | None = None) -> Perceiver:
    """A cached :class:`Perceiver` per distinct config (models load once per process)."""
    key = repr(config or PerceptionConfig())
    with _DEFAULT_LOCK:
        if key not in _DEFAULT:
            if len(_DEFAULT) >= 4:
                _DEFAULT.pop(next(iter(_DEFAULT)))
            _DEFAULT[key] = Perceiver(config)
        return _DEFAULT[key]


def perceive(path: str | Path, config: PerceptionConfig | None = None) -> Evidence:
    """Perceive one clip with a cached default :class:`Perceiver`."""
    return default_perceiver(config).perceive(path)
