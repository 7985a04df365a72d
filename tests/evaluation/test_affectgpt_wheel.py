"""AffectGPT emotion-wheel metric (official EMER default with tables) vs a re-statement.

The reference below is written from the rules in the docstring of
``emoreason.evaluation.metrics.affectgpt_wheel`` (AffectGPT ``wheel.py``): lower + strip,
word form -> bases -> wheel words, first sorted wheel word the wheel knows gives its level-1
cluster, unmapped labels dropped, per-sample set precision / recall, per-wheel means, F of
the means, mean over wheels. Tables are tiny hand-made ones; an .xlsx round trip checks the
folder reader.
"""

from __future__ import annotations

import csv
import math
import zipfile
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emoreason.evaluation.metrics.affectgpt_wheel import (
    WheelTables,
    ew_scores,
    load_wheel_tables,
    wheel_clusters,
)

WHEEL_A = {"joy": {"happy": ["cheerful", "glad"], "proud": ["confident"]}, "sadness": {"sad": []}}
WHEEL_B = {"positive": {"joy": ["happy", "glad"]}, "negative": {"sad": ["gloomy"], "anger": []}}
FORMS = {
    "happy": ["happy"],
    "happily": ["happy"],
    "glad": ["glad"],
    "cheerful": ["cheerful"],
    "sad": ["sad"],
    "sadness": ["sad"],
    "gloomy": ["gloomy"],
    "proud": ["proud"],
    "angry": ["anger"],
    "anger": ["anger"],
    "mixed": ["sad", "glad"],  # a form with two bases: the sorted-first wheel word decides
}
SYNONYMS = {
    "happy": ["happy"],
    "glad": ["glad", "happy"],
    "cheerful": ["cheerful"],
    "sad": ["sad"],
    "gloomy": ["gloomy", "sad"],
    "proud": ["proud"],
    "anger": ["anger"],
}
TABLES = WheelTables(FORMS, SYNONYMS, [WHEEL_A, WHEEL_B])


def cluster_of(word: str, wheel: dict) -> str | None:
    """Level-1 cluster of a wheel word; a later position on the wheel overrides an earlier one."""
    found = None
    for top, middles in wheel.items():
        if word == top:
            found = top
        for middle, leaves in middles.items():
            if word == middle or word in leaves:
                found = top
    return found


def rule_map(label: str, wheel: dict) -> str | None:
    label = label.lower().strip()
    if label not in FORMS:
        return None
    candidates = sorted(w for base in FORMS[label] for w in SYNONYMS.get(base, []))
    for word in candidates:
        cluster = cluster_of(word, wheel)
        if cluster is not None:
            return cluster
    return None


def rule_scores(refs, preds) -> dict[str, float]:
    per_wheel = []
    for wheel in (WHEEL_A, WHEEL_B):
        accs, recs = [], []
        for ref, pred in zip(refs, preds, strict=True):
            truth = {rule_map(x, wheel) for x in ref} - {None}
            guess = {rule_map(x, wheel) for x in pred} - {None}
            if not truth:
                continue
            if not guess:
                accs.append(0.0), recs.append(0.0)
                continue
            (
                accs.append(len(truth & guess) / len(guess)),
                recs.append(len(truth & guess) / len(truth)),
            )
        a = sum(accs) / len(accs) if accs else math.nan
        r = sum(recs) / len(recs) if recs else math.nan
        f = math.nan if (a + r == 0 or math.isnan(a + r)) else 2 * a * r / (a + r)
        per_wheel.append((f, a, r))
    return {
        "f_s": sum(w[0] for w in per_wheel) / 2,
        "accuracy_s": sum(w[1] for w in per_wheel) / 2,
        "recall_s": sum(w[2] for w in per_wheel) / 2,
    }


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12


def test_adversarial_labels_equal_rule():
    refs = [["Happy ", "SADNESS"], ["proud"], ["unknown"], ["gloomy"], ["mixed", "angry"]]
    preds = [["happily", "glad", "zzz"], [], ["happy"], [" Sad"], ["anger"]]
    got = ew_scores(refs, preds, TABLES)
    expected = rule_scores(refs, preds)
    assert all(same(got[k], expected[k]) for k in expected), (got, expected)
    assert 0 < got["recall_s"] < 1


def test_wheel_levels():
    assert wheel_clusters(WHEEL_A, "level1")["glad"] == "joy"
    assert wheel_clusters(WHEEL_A, "level2")["glad"] == "happy"
    assert wheel_clusters(WHEEL_A, "level2")["joy"] == "happy"  # sorted(level2s)[0]
    with pytest.raises(ValueError, match="level"):
        wheel_clusters(WHEEL_A, "level3")


WORD = st.sampled_from([*FORMS, "HAPPY", " glad", "nope", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(WORD, max_size=3), st.lists(WORD, max_size=3)), max_size=6))
def test_property_equals_rule(rows):
    refs, preds = [r for r, _ in rows], [p for _, p in rows]
    got = ew_scores(refs, preds, TABLES)
    expected = rule_scores(refs, preds)
    assert all(same(got[k], expected[k]) for k in expected), (got, expected)


def write_xlsx(path, header: list[str], rows: list[list[str | None]], shared: bool) -> None:
    """A minimal one-sheet workbook (shared strings or inline strings)."""
    strings: list[str] = []

    def cell(ref: str, value: str | None) -> str:
        if value is None:
            return ""
        if shared:
            strings.append(value)
            return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    body = []
    for i, values in enumerate([header, *rows], 1):
        cells = "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(values))
        body.append(f'<row r="{i}">{cells}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = f"<worksheet {ns}><sheetData>{''.join(body)}</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared:
            items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
            book.writestr("xl/sharedStrings.xml", f"<sst {ns}>{items}</sst>")


def write_folder(folder) -> None:
    folder.mkdir()
    levels = ["level1", "level2", "level3"]
    write_xlsx(
        folder / "wheel1.xlsx",
        levels,
        [
            ["Joy", "happy", "cheerful"],
            [None, None, "glad"],
            [None, "proud", "confident"],
            ["sadness", "sad", None],
        ],
        shared=True,
    )
    write_xlsx(
        folder / "wheel2.xlsx",
        levels,
        [
            ["positive", "joy", "happy"],
            [None, None, "glad"],
            ["negative", "sad", "gloomy"],
            [None, "anger", None],
        ],
        shared=False,
    )
    header = [f"word_run{k}" for k in (1, 2)] + [f"synonym_run{k}" for k in (1, 2)]
    write_xlsx(
        folder / "synonym.xlsx",
        header,
        [["happy", "happy", "glad", None], ["gloomy", "sad", "'sad'", "gloomy"]],
        shared=True,
    )
    with (folder / "format.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "format"])
        writer.writerow(["happy", "happily,Happier"])
        writer.writerow(["sad", "sadness"])


def test_folder_reader_round_trip(tmp_path):
    write_folder(tmp_path / "emotion_wheel")
    tables = load_wheel_tables(tmp_path / "emotion_wheel")
    assert len(tables.wheels) == 2
    assert tables.wheels[0]["joy"]["happy"] == ["cheerful", "glad"]  # forward fill, lower case
    assert tables.wheels[1]["negative"]["anger"] == ["gloomy"]  # blank level3 = same as above
    assert tables.format_to_bases["happily"] == ["happy"]
    assert tables.format_to_bases["happy"] == ["happy"]
    assert tables.word_to_wheel_words["glad"] == ["happy"]  # synonym -> its base
    assert tables.word_to_wheel_words["sad"] == ["gloomy", "sad"]
    got = ew_scores([["happy"], ["sadness"]], [["happily"], ["happy"]], tables)
    assert got["accuracy_s"] == pytest.approx(0.5) and got["recall_s"] == pytest.approx(0.5)


def test_evaluate_emer_official_needs_the_wheel_folder(tmp_path):
    from eval_fixtures import make_emer

    from emoreason.evaluation import evaluate, get_task

    root = make_emer(tmp_path / "emer")
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"name": "sample_00000007", "emotions": ["happily"]}\n')
    report = evaluate(get_task("emer_v1"), root, predictions=preds, n_resamples=20)
    assert report["metric_variant"] == "robust" and "emotion_wheel" in report["details"]["note"]
    write_folder(tmp_path / "emotion_wheel")
    report = evaluate(
        get_task("emer_v1"),
        root,
        predictions=preds,
        n_resamples=20,
        emotion_wheel_dir=tmp_path / "emotion_wheel",
    )
    assert report["metric_variant"] == "official"
    assert report["details"]["reproduces"].startswith("AffectGPT")
    assert {"f_s", "accuracy_s", "recall_s"} <= set(report["scores"])
