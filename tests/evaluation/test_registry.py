"""Task registry: built-in YAMLs, unknown names, user tasks via include paths, bad YAML."""

from __future__ import annotations

import pytest

from emoreason.errors import ConfigError
from emoreason.evaluation.registry import TaskRegistry, TaskSpec, get_task, list_tasks

BUILTIN = {
    "camer",
    "dfew",
    "emer_v1",
    "emer_v2",
    "emobench_m",
    "emocue360",
    "jsonl",
    "mer2023",
    "saber_test",
}


def test_builtin_tasks_load_with_versions():
    tasks = {t.name: t for t in list_tasks()}
    assert set(tasks) >= BUILTIN
    for task in tasks.values():
        assert task.version and task.description and task.source.endswith(".yaml")
    assert get_task("dfew").label_map["7"] == "fear"


def test_unknown_task_lists_known_ones():
    with pytest.raises(ConfigError, match=r"unknown task 'nope'; known tasks: camer, .*dfew"):
        get_task("nope")


def test_user_task_from_include_path(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "name: my_mer\nversion: 2\nloader: mer2023\nscorer: classification\n"
        "labels: [happy, sad]\ndescription: mine\n"
    )
    registry = TaskRegistry([tmp_path])
    assert registry.get("my_mer").version == "2"
    assert "my_mer" in registry.names() and "camer" in registry.names()
    # a single file works too, and may replace a built-in name
    (tmp_path / "over.yaml").write_text("name: camer\nloader: camer\nscorer: camer\nversion: 9\n")
    assert TaskRegistry([tmp_path / "over.yaml"]).get("camer").version == "9"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("name: x\nloader: camer\nscorer: camer\ncolour: red\n", "unknown key 'colour'"),
        ("name: x\nscorer: camer\n", "missing required key 'loader'"),
        ("name: x\nloader: nope\nscorer: camer\n", "loader 'nope' is not known"),
        ("name: x\nloader: camer\nscorer: nope\n", "scorer 'nope' is not known"),
        ("name: x\nloader: camer\nscorer: camer\nunparseable: skip\n", "unparseable must be"),
        (
            "name: x\nloader: camer\nscorer: camer\nlabels: [a]\nlabel_map: {z: b}\n",
            "not in labels",
        ),
        ("- just\n- a list\n", "mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_task_files_are_config_errors(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        TaskSpec.from_yaml(path)


def test_missing_include_path(tmp_path):
    with pytest.raises(ConfigError, match="no such file or folder"):
        TaskRegistry([tmp_path / "absent"])


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("name: x\nloader: camer\nscorer: camer\n\ncolour: red\n", 5, "colour"),
        ("name: x\nloader: nope\nscorer: camer\n", 2, "loader"),
        ("name: x\nloader: camer\n# scoring\nscorer: nope\n", 4, "scorer"),
        ("name: x\nloader: camer\nscorer: camer\nunparseable: skip\n", 4, "unparseable"),
        ("name: x\nloader: camer\nscorer: camer\ndescription: [a, b]\n", 4, "description"),
        ("name: x\nloader: camer\nscorer: camer\nmetrics: accuracy\n", 4, "metrics"),
        ("name: x\nloader: camer\nscorer: camer\nbackend: voise\n", 4, "backend"),
        ("name: x\nloader: camer\nscorer: camer\nsource: elsewhere.yaml\n", 4, "source"),
    ],
)
def test_a_bad_task_file_names_file_line_and_key(tmp_path, text, line, key):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        TaskSpec.from_yaml(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert key in message and "\n" not in message
    # the same through the registry (a user task folder)
    with pytest.raises(ConfigError, match=rf"bad\.yaml:{line}: "):
        TaskRegistry([tmp_path])


def test_a_loaded_task_records_its_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nloader: camer\nscorer: camer\nversion: 3\n")
    spec = TaskSpec.from_yaml(path)
    assert spec.source == str(path) and spec.version == "3"
    assert "source" not in spec.to_dict()
    assert TaskSpec.from_dict(spec.to_dict()).name == "mine"
