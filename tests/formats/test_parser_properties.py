"""Property-based tests (hypothesis) for every parser of outside data: SABER JSON/JSONL,
ms-swift rows, the model-output SED parser and the benchmark loaders. Whatever the bytes,
a parser either returns its value or reports one ``file:line`` error; it never raises
anything else, never drops a line silently, and what we write reads back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emoreason.errors import InputError
from emoreason.formats.jsonl import iter_jsonl, write_jsonl
from emoreason.formats.saber_io import iter_items
from emoreason.formats.swift import parse_swift_row, saber_to_swift, swift_to_saber
from emoreason.reasoning.parser import label_from_text, parse_saber
from emoreason.schema import EMOTIONS, SABER_DIMENSIONS, SaberItem, SaberRecord

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# object rows that look like ours: the known keys, with values of any JSON type
near_rows = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "saber": json_values,
        "label": json_values,
        "status": json_values,
        "messages": json_values,
        "videos": json_values,
        "video_desc": json_values,
    },
)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
records = st.builds(
    lambda v, s, a, f, b, r: SaberRecord.model_validate(
        {
            "video_desc": v,
            "audio_desc": {"speech_content": s, "acoustic_feat": a},
            "facial_exp_desc": f,
            "body_lang_desc": b,
            "sentiment_analysis": r,
        }
    ),
    texts,
    texts,
    texts,
    texts,
    texts,
    texts,
)


def _blank(number: int, line: bytes) -> bool:
    """A line the reader skips: blank once decoded (a BOM on line 1 does not count)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not (text.removeprefix("\ufeff") if number == 1 else text).strip()


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@SETTINGS
@given(lines=st.lists(st.binary(max_size=60), min_size=1, max_size=8))
def test_any_bytes_give_one_outcome_per_non_blank_line(tmp_path_factory, lines) -> None:
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    path = _write_lines(tmp_path_factory.mktemp("b") / "x.jsonl", lines)
    outcomes = list(iter_jsonl(path, on_error="collect"))
    expected = [n for n, line in enumerate(lines, 1) if not _blank(n, line)]
    assert [o.line for o in outcomes] == expected
    for o in outcomes:
        assert o.ok or str(o.error).startswith(f"{path}:{o.line}: ")


@SETTINGS
@given(values=st.lists(json_values | near_rows, min_size=1, max_size=6))
def test_saber_jsonl_reader_gives_an_item_or_a_located_error(tmp_path_factory, values) -> None:
    path = tmp_path_factory.mktemp("j") / "rows.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in values) + "\n", encoding="utf-8")
    outcomes = list(iter_items(path))
    assert [o.line for o in outcomes] == list(range(1, len(values) + 1))
    for outcome in outcomes:
        assert (outcome.error is None) != (outcome.item is None and outcome.kind != "error")
        if outcome.error is not None:
            assert isinstance(outcome.error, InputError)
            assert str(outcome.error).startswith(f"{path}:{outcome.line}: ")


@SETTINGS
@given(value=json_values | near_rows)
def test_saber_json_file_reader_never_raises_more_than_input_errors(
    tmp_path_factory, value
) -> None:
    path = tmp_path_factory.mktemp("f") / "clip.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    for outcome in iter_items(path):
        assert outcome.error is None or str(outcome.error).startswith(str(path))


@SETTINGS
@given(
    items=st.lists(
        st.builds(SaberItem, id=texts, label=st.none() | st.sampled_from(EMOTIONS), saber=records),
        min_size=1,
        max_size=4,
    )
)
def test_saber_items_read_back_as_written(tmp_path_factory, items) -> None:
    path = tmp_path_factory.mktemp("r") / "items.jsonl"
    write_jsonl(path, items)
    assert [o.item for o in iter_items(path)] == items


@SETTINGS
@given(record=records, lang=st.sampled_from(["en", "zh"]), video=st.none() | texts.filter(bool))
def test_swift_rows_round_trip(record, lang, video) -> None:
    row = saber_to_swift(record, video=video, lang=lang)
    again = parse_swift_row(json.loads(json.dumps(row.to_json())))
    assert swift_to_saber(again) == record


@SETTINGS
@given(value=json_values | near_rows)
def test_swift_parser_accepts_or_names_the_field(value) -> None:
    try:
        row = parse_swift_row(value, path="rows.jsonl", line=3)
        swift_to_saber(row, path="rows.jsonl", line=3)
    except InputError as err:
        assert str(err).startswith("rows.jsonl:3: ")


@SETTINGS
@given(text=st.text(max_size=300))
def test_sed_parser_never_raises_and_lists_what_is_missing(text) -> None:
    parsed = parse_saber(text)
    assert set(parsed.missing) == {
        d for d in SABER_DIMENSIONS if not parsed.record.dimension(d).strip()
    }
    assert label_from_text(text) in (None, *EMOTIONS)


@SETTINGS
@given(record=records, before=texts, after=texts)
def test_sed_parser_finds_a_json_record_inside_chatter(record, before, after) -> None:
    text = f"{before}\n```json\n{json.dumps(record.model_dump(), ensure_ascii=False)}\n```\n{after}"
    parsed = parse_saber(text)
    for dim in SABER_DIMENSIONS:
        if record.dimension(dim).strip():
            assert parsed.record.dimension(dim).strip() == record.dimension(dim).strip()


def test_sed_parser_survives_braces_nested_beyond_the_recursion_limit() -> None:
    parsed = parse_saber('{"video_desc": ' + "[" * 100_000 + " and then prose")
    assert parsed.source_format in {"plain", "sections", "none"}


@SETTINGS
@given(rows=st.lists(json_values | near_rows, min_size=1, max_size=6))
def test_generic_jsonl_loader_counts_every_row(tmp_path_factory, rows) -> None:
    from emoreason.evaluation.loaders.labelled import load_jsonl

    root = tmp_path_factory.mktemp("l")
    (root / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    report = load_jsonl(root, labels=list(EMOTIONS))
    assert len(report.samples) <= len(rows)
    assert all(s.label in EMOTIONS for s in report.samples)


@SETTINGS
@given(records_=st.lists(json_values | near_rows, min_size=1, max_size=4))
def test_saber_test_loader_reports_bad_files_instead_of_raising(tmp_path_factory, records_) -> None:
    from emoreason.evaluation.loaders.reasoning import load_saber_test

    root = tmp_path_factory.mktemp("s")
    (root / "Consistent").mkdir()
    for index, record in enumerate(records_):
        (root / "Consistent" / f"c{index}.json").write_text(json.dumps(record), "utf-8")
    report = load_saber_test(root, labels=list(EMOTIONS))
    assert len(report.samples) <= len(records_)


def test_loaders_report_a_line_nested_too_deeply(tmp_path) -> None:
    from emoreason.evaluation.loaders.labelled import load_jsonl

    row = {"id": "a", "label": "happy"}
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n" + "[" * 100_000 + "\n", "utf-8")
    report = load_jsonl(tmp_path, labels=list(EMOTIONS))
    assert [s.id for s in report.samples] == ["a"]
    assert any("data.jsonl:2" in p and "nested too deeply" in p for p in report.problems)
