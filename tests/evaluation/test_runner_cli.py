"""End to end: fixture benchmark + predictions file -> scores, counts, report files, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from eval_fixtures import (
    make_camer,
    make_emer,
    make_emobench_m,
    make_mer2023,
    make_saber,
    write_csv,
)
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.errors import InputError
from emoreason.evaluation import evaluate, get_task, write_report

CAMER_PREDICTIONS = [
    {"id": "v1", "prediction": "The final emotion: sad."},  # right
    {"id": "v2", "prediction": "{'emotion': 'angry'}"},  # wrong
    {"id": "videos/v3.mp4", "answer": "Angry"},  # right (id given as a path)
    {"id": "a1", "emotion": "fearful"},  # project label -> worried: wrong
    {"id": "a2", "prediction": "no idea at all"},  # unparseable -> wrong
    {"id": "c1", "prediction": "She is happy."},  # right
    # c2 has no prediction -> missing -> wrong
    {"prediction": "sad"},  # no id
    {"id": "zzz", "prediction": "sad"},  # not in the benchmark
]


def write_jsonl(path, rows, extra_lines=()):
    lines = [json.dumps(r) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_camer_scores_counts_and_report(tmp_path):
    root = make_camer(tmp_path / "camer")
    preds = write_jsonl(tmp_path / "preds.jsonl", CAMER_PREDICTIONS, ["{broken json"])
    report = evaluate(get_task("camer"), root, predictions=preds, n_resamples=200)
    scores = report["scores"]
    # hand count: 7 samples, right = v1, v3, c1
    assert scores["accuracy"]["value"] == pytest.approx(3 / 7)
    assert scores["accuracy[video-aligned]"]["value"] == pytest.approx(2 / 3)
    assert scores["accuracy[audio-aligned]"]["value"] == pytest.approx(0.0)
    assert scores["accuracy[consistent]"]["value"] == pytest.approx(0.5)
    assert scores["bias_gap"]["value"] == pytest.approx(2 / 3)
    for value in scores.values():
        assert value["ci_low"] <= value["value"] + 1e-9 <= value["ci_high"] + 2e-9
    counts = report["counts"]
    assert counts["unparseable"] == 1 and counts["missing_prediction"] == 1
    assert counts["prediction_missing_id"] == 1 and counts["prediction_unknown_id"] == 1
    assert counts["prediction_bad_row"] == 1
    assert counts["unknown_label"] == 1 and counts["missing_id"] == 1 and counts["bad_row"] == 1
    assert report["task"]["version"] == "1" and report["bootstrap"]["n_resamples"] == 200
    assert (
        np.array(report["details"]["confusion_matrix"]).sum() == 5
    )  # unparseable/missing not in it
    paths = write_report(report, tmp_path / "out")
    assert json.loads(paths["json"].read_text())["scores"]["accuracy"]["value"] == pytest.approx(
        3 / 7
    )
    assert "| bias_gap |" in paths["markdown"].read_text()
    assert "<table>" in paths["html"].read_text() and "camer.png" in paths["html"].read_text()
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_drop_policy_leaves_unparseable_out(tmp_path):
    root = make_camer(tmp_path / "camer")
    preds = write_jsonl(tmp_path / "preds.jsonl", CAMER_PREDICTIONS)
    task = get_task("camer")
    task.unparseable = "drop"
    report = evaluate(task, root, predictions=preds, n_resamples=50)
    assert report["scores"]["accuracy"]["value"] == pytest.approx(3 / 5)


def test_mer2023_with_csv_predictions(tmp_path):
    root = make_mer2023(tmp_path / "mer")
    preds = write_csv(
        tmp_path / "pred.csv",
        ["name", "discrete", "valence"],
        [
            ["sample_00000007", "happy", 1],
            ["sample_00000010", "sad", 0],
            ["sample_00000011", "neutral", 0],
        ],
    )
    report = evaluate(get_task("mer2023"), root, predictions=preds, n_resamples=50)
    assert report["scores"]["accuracy"]["value"] == pytest.approx(2 / 3)
    assert report["scores"]["uar"]["value"] == pytest.approx(2 / 3)
    assert report["details"]["per_class"]["worried"]["recall"] == 0.0


def test_emer_open_vocab(tmp_path):
    root = make_emer(tmp_path / "emer")
    preds = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"name": "sample_00000007", "prediction": "She seems joyful and a little surprised."},
            {"name": "sample_00000008", "emotions": ["sad"]},
        ],
    )
    report = evaluate(get_task("emer_v1"), root, predictions=preds, n_resamples=50)
    # s7: truth {happy} (happy, cheerful, relieved), guess {happy, surprised}: acc 1/2, rec 1
    # s8: truth {sad}, guess {sad}: 1, 1
    assert report["scores"]["accuracy_s"]["value"] == pytest.approx(0.75)
    assert report["scores"]["recall_s"]["value"] == pytest.approx(1.0)


def test_emocue360_task_with_injected_embedder(tmp_path):
    root = make_emer(tmp_path / "emer")
    preds = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {
                "name": "sample_00000007",
                "prediction": "In the video, she smiles. Her voice is loud with laughter. She is happy.",
            },
            {
                "name": "sample_00000008",
                "cues": {"visual": [], "auditory": ["fast speech"], "emotional": ["calm"]},
            },
        ],
    )

    def embed(texts):
        return np.array([[1.0, float(len(t) % 7), float(t.count("a"))] for t in texts])

    report = evaluate(
        get_task("emocue360"), root, predictions=preds, embedder=embed, n_resamples=50
    )
    scores = report["scores"]
    assert set(scores) >= {"visual_f1", "auditory_f1", "emotional_f1"}
    # sample 7 prediction equals its reference text -> per-sample 1.0; sample 8 visual empty -> 0
    assert scores["visual_f1"]["value"] == pytest.approx(0.5)
    assert report["details"]["extractor"] == "local-v1"


def test_emobench_m_per_dataset(tmp_path):
    root = make_emobench_m(tmp_path / "ebm")
    preds = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"video": "MELD/dia1_utt0.mp4", "predicted_value": "joy"},
            {"video": "MELD/dia1_utt1.mp4", "predicted_value": "{'emotion': 'anger'}"},
            {"video": "MELD/dia2_utt0.mp4", "predicted_value": "neutral"},
            {"video": "MOSI/a.mp4", "predicted_value": "positive"},
            {"video": "b", "predicted_value": "positive"},  # bare stem, unique -> matches MOSI/b
        ],
    )
    # default = the official rule: exact match after strip().lower(), no answer parsing, so
    # "{'emotion': 'anger'}" is wrong; the gold "hunger" (outside MELD's categories) is kept
    # but has no prediction -> dropped like every missing/empty answer
    report = evaluate(get_task("emobench_m"), root, predictions=preds, n_resamples=50)
    assert report["metric_variant"] == "official"
    scores = report["scores"]
    assert scores["accuracy[MELD]"]["value"] == pytest.approx(1 / 3)
    assert scores["accuracy[MOSI]"]["value"] == pytest.approx(0.5)
    assert scores["accuracy"]["value"] == pytest.approx(2 / 5)
    assert "mean_dataset_accuracy" not in scores
    assert report["counts"]["label_outside_categories"] == 1
    # robust (opt-in): the structured answer is parsed; the mean of dataset accuracies is ours
    report = evaluate(
        get_task("emobench_m"), root, predictions=preds, n_resamples=50, metric_variant="robust"
    )
    assert report["metric_variant"] == "robust"
    scores = report["scores"]
    assert scores["accuracy[MELD]"]["value"] == pytest.approx(2 / 3)
    assert scores["accuracy[MOSI]"]["value"] == pytest.approx(0.5)
    assert scores["mean_dataset_accuracy"]["value"] == pytest.approx((2 / 3 + 0.5) / 2)
    assert scores["accuracy"]["value"] == pytest.approx(3 / 5)


def test_saber_test_scores_per_split(tmp_path):
    root = make_saber(tmp_path / "saber")
    preds = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"id": "dia0_utt0", "emotion": "happy", "prediction": "She is happy and relaxed."},
            {"id": "clip9", "emotion": "happy", "prediction": "She is happy."},
        ],
    )
    report = evaluate(get_task("saber_test"), root, predictions=preds, n_resamples=50)
    scores = report["scores"]
    assert scores["accuracy[consistent]"]["value"] == 1.0
    assert scores["accuracy[inconsistent]"]["value"] == 0.0
    assert "accuracy_s" in scores and report["counts"]["missing_prediction"] == 1


def test_exactly_one_prediction_source(tmp_path):
    root = make_mer2023(tmp_path / "mer")
    with pytest.raises(InputError, match="exactly one"):
        evaluate(get_task("mer2023"), root)
    with pytest.raises(InputError, match="predictions file not found"):
        evaluate(get_task("mer2023"), root, predictions=tmp_path / "none.jsonl")


def test_cli_writes_reports_and_lists_tasks(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(app, ["evaluate", "--list"])
    assert listed.exit_code == 0 and "camer" in listed.output and "emocue360" in listed.output
    root = make_camer(tmp_path / "camer")
    preds = write_jsonl(tmp_path / "preds.jsonl", CAMER_PREDICTIONS)
    out = tmp_path / "reports"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--task",
            "camer",
            "--data",
            str(root),
            "--predictions",
            str(preds),
            "--out",
            str(out),
            "--n-resamples",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "bias_gap" in result.output
    assert {p.name for p in out.iterdir()} == {"camer.json", "camer.md", "camer.html", "camer.png"}
    bad = runner.invoke(app, ["evaluate", "--task", "camer", "--data", str(root)])
    assert bad.exit_code == 2
    unknown = runner.invoke(
        app, ["evaluate", "--task", "nope", "--data", str(root), "--predictions", str(preds)]
    )
    assert unknown.exit_code == 2 and "known tasks" in unknown.output


def test_cli_include_path(tmp_path):
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "mine.yaml").write_text(
        "name: mine\nloader: mer2023\nscorer: classification\nlabels: [happy, worried, neutral]\n"
    )
    result = CliRunner().invoke(
        app, ["evaluate", "--list", "--include-path", str(tmp_path / "tasks")]
    )
    assert result.exit_code == 0 and "mine" in result.output


def test_backend_mode_with_a_stub_analyze(tmp_path, monkeypatch):
    """Backend plumbing without the real pipeline: labels mapped, failures counted, run goes on."""
    import emoreason
    from emoreason.errors import MediaError
    from emoreason.schema import SaberRecord

    root = make_camer(tmp_path / "camer")
    answers = {"v1": "sad", "v2": "happy", "v3": "fearful", "a1": "angry", "c1": "happy"}
    calls = []

    class Result:
        def __init__(self, emotion):
            self.emotion, self.emotions, self.explanation = emotion, [], ""
            self.saber = SaberRecord(
                video_desc="v",
                audio_desc={"speech_content": "s", "acoustic_feat": "a"},
                facial_exp_desc="f",
                body_lang_desc="b",
                sentiment_analysis=f"The person is {emotion}.",
            )

            class Verdict:
                value = "consistent"

            self.consistency = type("C", (), {"verdict": Verdict()})()

    def fake_analyze(path, backend="rules", lang="en", **kw):
        calls.append((path, backend, lang, kw))
        ident = kw["clip_id"]
        if ident not in answers:
            raise MediaError("cannot decode", path=path)
        return Result(answers[ident])

    monkeypatch.setattr(emoreason, "analyze", fake_analyze)
    report = evaluate(
        get_task("camer"),
        root,
        backend="rules",
        lang="zh",
        n_resamples=20,
        analyze_options={"model": "m"},
    )
    assert len(calls) == 7 and calls[0][1:3] == ("rules", "zh") and calls[0][3]["model"] == "m"
    # right: v1 sad, v2 happy, a1 angry, c1 happy; v3 fearful->worried (truth angry) wrong
    assert report["scores"]["accuracy"]["value"] == pytest.approx(4 / 7)
    assert report["counts"]["prediction_error"] == 2  # a2, c2 raised
    assert report["counts"]["missing_prediction"] == 2
    assert report["source"] == {"backend": "rules", "lang": "zh", "model": "m"}


def test_emer_with_mocked_llm_judge_records_model_and_prompt_version(tmp_path):
    import httpx

    from emoreason.evaluation.judge import JUDGE_PROMPT_VERSION, ChatClient, LLMJudge

    def handler(request):
        prompt = json.loads(request.content)["messages"][0]["content"]
        score = "Score: 8" if "clues" in prompt else ("Score: 6" if "joyful" in prompt else "oops")
        return httpx.Response(200, json={"choices": [{"message": {"content": score}}]})

    judge = LLMJudge(
        ChatClient("http://j.local/v1", "judge-7b", transport=httpx.MockTransport(handler))
    )
    root = make_emer(tmp_path / "emer")
    preds = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"name": "sample_00000007", "prediction": "She smiles; she is joyful."},
            {"name": "sample_00000008", "prediction": "He cries, he is sad."},
        ],
    )
    report = evaluate(get_task("emer_v1"), root, predictions=preds, judge=judge, n_resamples=50)
    assert report["scores"]["judge_clue_overlap"]["value"] == pytest.approx(8.0)
    assert report["scores"]["judge_label_overlap"]["value"] == pytest.approx(6.0)
    assert report["counts"]["judge_failure"] == 1  # the second label reply had no score
    assert report["details"]["judge"] == {
        "model": "judge-7b",
        "prompt_version": JUDGE_PROMPT_VERSION,
        "endpoint": "http://j.local/v1",
    }
    paths = write_report(report, tmp_path / "out")
    assert "judge-7b" in paths["markdown"].read_text()
