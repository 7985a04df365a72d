"""Evaluation harness: benchmark tasks as data, metrics as pure functions, bootstrap CIs.

Example (a sketch; needs a MER2023 folder and a predictions file)::

    from emoreason.evaluation import evaluate, get_task, write_report

    report = evaluate(get_task("mer2023"), "data/mer2023", predictions="preds.jsonl")
    write_report(report, "reports/")

Metric functions live in :mod:`emoreason.evaluation.metrics` (e.g.
``emoreason.evaluation.metrics.emocue360``).
"""

from emoreason.evaluation.registry import TaskRegistry, TaskSpec, get_task, list_tasks
from emoreason.evaluation.report import write_report
from emoreason.evaluation.runner import evaluate

__all__ = ["TaskRegistry", "TaskSpec", "evaluate", "get_task", "list_tasks", "write_report"]
