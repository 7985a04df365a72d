"""The shipped EN/ZH sentence sets: they load, cover every label, and the test split is frozen."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from emoreason.errors import InputError
from emoreason.evaluation.loaders.verbal_sentences import (
    load_verbal_sentences,
    read_sentences,
    sentence_file,
)
from emoreason.schema import EMOTIONS

#: sha256 of the test rows (their JSONL lines, in file order) as frozen in their own commit
#: before any dev sentence or tuning existed. Never update these to make a change pass.
FROZEN_TEST_DIGEST = {
    "en": "5cfd3c7e7fa08f775b4edba3527828ad7f33ccb60029079ec90fe6ad96d1d65f",
    "zh": "5f4690bc3929d43df10623555cc1330e238d3c0bdd31c87062a0a6569ab5077d",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sets_are_large_balanced_and_cover_every_label(lang: str) -> None:
    rows = read_sentences(lang)
    assert len(rows) >= 300
    assert len({r.id for r in rows}) == len(rows)
    assert len({r.text for r in rows}) == len(rows)  # no sentence in both splits
    for split in ("dev", "calib", "test"):
        per_label = Counter(r.label for r in rows if r.split == split)
        assert set(per_label) == set(EMOTIONS)
        assert max(per_label.values()) <= 1.5 * min(per_label.values())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_training_row_repeats_a_test_row_up_to_case_and_punctuation(lang: str) -> None:
    def norm(text: str) -> str:
        return "".join(c for c in text.casefold() if c.isalnum())

    rows = read_sentences(lang)
    held_out = {norm(r.text) for r in rows if r.split == "test"}
    repeats = [r.id for r in rows if r.split != "test" and norm(r.text) in held_out]
    assert repeats == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_test_split_is_frozen(lang: str) -> None:
    import json

    lines = sentence_file(lang).read_text(encoding="utf-8").splitlines(keepends=True)
    test_lines = [line for line in lines if line.strip() and json.loads(line)["split"] == "test"]
    assert hashlib.sha256("".join(test_lines).encode()).hexdigest() == FROZEN_TEST_DIGEST[lang]
    n_test, n_all = len(test_lines), len([line for line in lines if line.strip()])
    assert n_test == 18 * 7 and n_all > 2 * n_test  # 18 per label held out, the rest dev/calib


def test_loader_gives_samples_of_one_split_and_reports_bad_rows(tmp_path) -> None:
    report = load_verbal_sentences(tmp_path, list(EMOTIONS), None, lang="zh", split="test")
    assert report.counts["loaded"] == 126 and {s.subset for s in report.samples} == {"test"}
    assert all(s.extra["text"] and s.extra["lang"] == "zh" for s in report.samples)
    own = tmp_path / "verbal_sentences_en.jsonl"
    own.write_text(
        '{"id": "a", "text": "Hi.", "label": "neutral", "split": "test"}\n'
        '{"id": "b", "text": "Ugh.", "label": "grossed", "split": "test"}\n'
        "not json\n"
        '{"id": "a", "text": "Again.", "label": "neutral", "split": "test"}\n',
        encoding="utf-8",
    )
    report = load_verbal_sentences(tmp_path, list(EMOTIONS), None, lang="en", split="test")
    assert [s.id for s in report.samples] == ["a"]
    assert report.counts["unknown_label"] == 1 and report.counts["bad_row"] == 1
    assert report.counts["duplicate_id"] == 1
    assert any("verbal_sentences_en.jsonl:3" in p for p in report.problems)
    with pytest.raises(InputError, match="split"):
        read_sentences("en", "train")
