"""Robust free text -> SABER record: every accepted shape, and what was missing."""

from __future__ import annotations

import json

import pytest

from emoreason.reasoning.parser import label_from_text, parse_saber
from emoreason.schema import SABER_DIMENSIONS, AudioDesc, SaberRecord

FULL = {
    "video_desc": "A dim room.",
    "audio_desc": {"speech_content": "I miss her.", "acoustic_feat": "Low, slow voice."},
    "facial_exp_desc": "Lip corners down.",
    "body_lang_desc": "Head bowed.",
    "sentiment_analysis": "Face and words agree: sad.",
}


def test_plain_json():
    parsed = parse_saber(json.dumps(FULL))
    assert parsed.source_format == "json" and parsed.complete
    assert parsed.record == SaberRecord.model_validate(FULL)


def test_fenced_json_with_prose_around():
    text = "Here is my analysis:\n```json\n" + json.dumps(FULL, indent=2) + "\n```\nHope it helps."
    parsed = parse_saber(text)
    assert parsed.source_format == "fenced_json"
    assert parsed.record.audio_desc == AudioDesc(
        speech_content="I miss her.", acoustic_feat="Low, slow voice."
    )


def test_json_inside_prose_with_aliases_reports_missing():
    text = 'Answer: {"scene": "a kitchen", "speech_content": "hello", "facial_expression": "frown"} done'
    parsed = parse_saber(text)
    assert parsed.source_format == "json"
    assert parsed.record.video_desc == "a kitchen"
    assert parsed.record.facial_exp_desc == "frown"
    assert parsed.missing == ["audio_desc.acoustic_feat", "body_lang_desc", "sentiment_analysis"]


def test_numbered_sections_with_combined_headings():
    text = (
        "1. Scene: A dim room.\n2. Audio: She says she misses her, slowly.\n"
        "3. Face and body: Lips pulled down; slumped shoulders.\n4. Reasoning: She is sad."
    )
    parsed = parse_saber(text)
    assert parsed.source_format == "sections" and parsed.complete
    assert parsed.record.audio_desc.speech_content == parsed.record.audio_desc.acoustic_feat
    assert parsed.record.body_lang_desc.startswith("Lips pulled down")
    assert parsed.record.sentiment_analysis == "She is sad."


def test_specific_section_beats_combined_one():
    text = "Step 3 - Face and body: mixed notes\nBody language: arms crossed\n"
    parsed = parse_saber(text)
    assert parsed.record.body_lang_desc == "arms crossed"
    assert parsed.record.facial_exp_desc == "mixed notes"


def test_markdown_headings_multiline():
    text = (
        '## Scene\nA park.\nSunny.\n## Speech content\n"hi"\n## Acoustic features\nbright\n'
        "## Facial expression\nsmile\n## **Body language**\nwaving\n## Sentiment analysis\nhappy"
    )
    parsed = parse_saber(text)
    assert parsed.complete
    assert parsed.record.video_desc == "A park.\nSunny."
    assert parsed.record.body_lang_desc == "waving"


def test_chinese_headings():
    text = (
        "第一步 场景：昏暗的房间。\n第二步 音频：她低声说话。\n"
        "第三步 面部与肢体：嘴角下垂。\n第四步 推理：情绪为悲伤。"
    )
    parsed = parse_saber(text)
    assert parsed.complete and parsed.record.video_desc == "昏暗的房间。"
    assert label_from_text(parsed.record.sentiment_analysis) == "sad"
    text2 = "场景描述：客厅\n语音内容：你好\n声学特征：语速快\n面部表情：微笑\n肢体语言：挥手\n情感分析：开心"
    parsed2 = parse_saber(text2)
    assert parsed2.complete and parsed2.record.audio_desc.acoustic_feat == "语速快"


def test_plain_text_becomes_reasoning_and_nothing_is_invented():
    parsed = parse_saber("The person seems happy.")
    assert parsed.source_format == "plain"
    assert parsed.record.sentiment_analysis == "The person seems happy."
    assert parsed.missing == list(SABER_DIMENSIONS[:-1])
    empty = parse_saber("")
    assert empty.source_format == "none" and empty.missing == list(SABER_DIMENSIONS)


def test_prose_lines_are_not_headings():
    parsed = parse_saber("The face shows nothing special and the voice is calm.")
    assert parsed.source_format == "plain"


def test_non_string_json_values_are_kept_as_text():
    parsed = parse_saber(json.dumps({**FULL, "body_lang_desc": ["arms crossed", "leaning back"]}))
    assert parsed.record.body_lang_desc == "arms crossed leaning back"


@pytest.mark.parametrize(
    "text,label",
    [
        ("Final emotion: angry.", "angry"),
        ("The face looks happy, but overall the final emotion is sad", "sad"),
        ("She smiles, yet her words sound furious.", "angry"),
        ("综合判断，情绪为开心。", "happy"),
        ("说话人感到非常难过", "sad"),
        ("no emotion words here", None),
    ],
)
def test_label_from_text(text, label):
    assert label_from_text(text) == label
