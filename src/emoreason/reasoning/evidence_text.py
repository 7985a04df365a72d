"""The perceived Evidence as compact text for a model prompt (EN or ZH headings).

LLM backends send it next to the SED instruction (and the media, when the model takes media),
so a model's description can lean on measured cues instead of guessing.
"""

from __future__ import annotations

from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, Cue, Evidence

_HEAD = {
    "en": {
        "title": "Perceived evidence (measured by emoreason; times in seconds):",
        "clip": "Clip: {d:.1f} s, video: {v}, audio: {a}.",
        "yes": "yes",
        "no": "no",
        "transcript": 'Transcript ({lang}): "{text}"',
        "no_transcript": "Transcript: empty (no speech detected).",
        "hypotheses": "Per-modality emotion estimates:",
        "unavailable": "unavailable",
        "incomplete": "Only {dd:.1f} of {d:.1f} s decoded (file cut or damaged).",
    },
    "zh": {
        "title": "感知证据（由 emoreason 测得；时间单位为秒）：",
        "clip": "视频：{d:.1f} 秒，画面：{v}，音频：{a}。",
        "yes": "有",
        "no": "无",
        "transcript": "转写（{lang}）：“{text}”",
        "no_transcript": "转写：空（未检测到语音）。",
        "hypotheses": "各模态情绪估计：",
        "unavailable": "不可用",
        "incomplete": "{d:.1f} 秒中只解码了 {dd:.1f} 秒（文件被截断或损坏）。",
    },
}


def _cue(c: Cue) -> str:
    when = ""
    if c.start is not None:
        when = f" @{c.start:.1f}" + (f"-{c.end:.1f}" if c.end is not None else "")
    return f"{c.description}{when} (conf {c.confidence:.2f})"


def evidence_text(evidence: Evidence, lang: str = "en", max_cues: int = 5) -> str:
    """Evidence as plain lines: clip facts, per-modality status + cues, transcript, estimates."""
    h = _HEAD["zh" if lang == "zh" else "en"]
    clip = evidence.clip
    lines = [
        h["title"],
        h["clip"].format(
            d=clip.duration,
            v=h["yes"] if clip.has_video else h["no"],
            a=h["yes"] if clip.has_audio else h["no"],
        ),
    ]
    if clip.incomplete and clip.decoded_duration is not None:
        lines.append(h["incomplete"].format(d=clip.duration, dd=clip.decoded_duration))
    for name, ev in evidence.modalities.items():
        line = f"[{name}] {ev.status}"
        if ev.available and ev.cues:
            top = sorted(ev.cues, key=lambda c: -c.confidence)[:max_cues]
            line += " | " + "; ".join(_cue(c) for c in top)
        lines.append(line)
    transcript = evidence.transcript
    if transcript is not None and transcript.text.strip():
        lines.append(h["transcript"].format(lang=transcript.language or "?", text=transcript.text))
    elif clip.has_audio:
        lines.append(h["no_transcript"])
    lines.append(h["hypotheses"])
    for m in HYPOTHESIS_MODALITIES:
        hyp = evidence.hypothesis(m)
        if not hyp.available:
            lines.append(f"  {m}: {h['unavailable']}")
            continue
        top = sorted(hyp.distribution.items(), key=lambda kv: -kv[1])[:3]
        scores = ", ".join(f"{e} {p:.2f}" for e, p in top)
        lines.append(f"  {m}: {scores} (confidence {hyp.confidence:.2f})")
    return "\n".join(lines)
