"""From ms-swift JSONL rows to TRL datasets, with every dropped or shortened row counted.

SFT rows become prompt/completion examples, DPO rows (with ``rejected_response``) become
prompt/chosen/rejected examples carrying their ``conflict`` score. With a chat template the
examples are conversational (TRL applies the template); without one, plain text. For a
multimodal model the rows' ``videos``/``audios`` become its inputs: the rows are tokenized here
with every clip's placeholders expanded (:mod:`emoreason.training.media`). Rows are
checked before TRL sees them: missing media (error or counted skip), identical chosen and
rejected (counted skip), and sequences longer than ``max_length`` (counted; truncated by TRL or
skipped, per config).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import Dataset
from transformers import PreTrainedTokenizerBase

from emoreason.errors import ConfigError, InputError
from emoreason.formats.jsonl import iter_jsonl
from emoreason.formats.swift import SwiftRow, parse_swift_row
from emoreason.training.config import SFTTrainConfig
from emoreason.training.media import MediaEncoder
from emoreason.training.sources import BuildReport


def _split_row(row: SwiftRow, path: str | Path, line: int) -> tuple[list[dict[str, str]], str]:
    messages = [m.model_dump() for m in row.messages]
    if not messages or messages[-1]["role"] != "assistant":
        raise InputError(
            "last message must be the assistant response", path=path, line=line, field="messages"
        )
    return messages[:-1], messages[-1]["content"]


def _resolve(media: str, base: Path) -> Path:
    path = Path(media)
    return path if path.is_absolute() else base / path


def _missing_media(row: SwiftRow, base: Path) -> str | None:
    for media in [*row.videos, *row.audios]:
        if not _resolve(media, base).exists():
            return media
    return None


def load_swift_examples(
    path: str | Path, *, preference: bool, missing_media: str, report: BuildReport
) -> list[dict[str, Any]]:
    """Examples (prompt messages, chosen[, rejected], conflict) from an ms-swift JSONL file.

    Relative media paths are resolved against the working directory.
    """
    examples: list[dict[str, Any]] = []
    for item in iter_jsonl(path):
        report.read += 1
        row = parse_swift_row(item.value, path=path, line=item.line)
        prompt, chosen = _split_row(row, path, item.line)
        missing = _missing_media(row, Path.cwd())
        if missing is not None:
            if missing_media == "error":
                raise InputError(
                    f"media file not found: {missing} (set missing_media: skip to drop such rows)",
                    path=path,
                    line=item.line,
                    field="videos/audios",
                )
            report.skip("missing_media")
            continue
        example: dict[str, Any] = {
            "prompt": prompt,
            "chosen": chosen,
            "videos": [str(_resolve(v, Path.cwd())) for v in row.videos],
            "audios": [str(_resolve(a, Path.cwd())) for a in row.audios],
            "line": item.line,
        }
        if preference:
            if row.rejected_response is None:
                raise InputError(
                    "a preference row needs rejected_response (build it with build-pairs)",
                    path=path,
                    line=item.line,
                    field="rejected_response",
                )
            if row.rejected_response.strip() == chosen.strip():
                report.skip("identical_chosen_rejected")
                continue
            conflict = (row.model_extra or {}).get("conflict", 0.0)
            if not isinstance(conflict, int | float) or not 0 <= float(conflict) <= 1:
                raise InputError(
                    "expected a number in [0, 1]", path=path, line=item.line, field="conflict"
                )
            example["rejected"] = row.rejected_response
            example["conflict"] = float(conflict)
            example["kind"] = str((row.model_extra or {}).get("kind") or "")
        examples.append(example)
    if not examples:
        raise InputError("no usable rows (see the skip counts)", path=path)
    return examples


def render(
    prompt: list[dict[str, str]], completion: str | None, tokenizer: PreTrainedTokenizerBase
) -> list[int]:
    """Token ids of prompt (+ completion) the way TRL will tokenize them."""
    if tokenizer.chat_template:
        messages = list(prompt)
        if completion is None:
            out = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=True)
        else:
            messages.append({"role": "assistant", "content": completion})
            out = tokenizer.apply_chat_template(messages, tokenize=True)
        ids = out["input_ids"] if hasattr(out, "keys") else out
        return list(ids)
    text = plain_prompt(prompt) + (completion + (tokenizer.eos_token or "") if completion else "")
    return tokenizer(text)["input_ids"]


def plain_prompt(prompt: list[dict[str, str]]) -> str:
    """The prompt as plain text for tokenizers without a chat template."""
    return "\n".join(m["content"] for m in prompt) + "\n"


def _kept_at_max_length(
    prompt_len: int,
    longest: int,
    config: SFTTrainConfig,
    report: BuildReport,
    *,
    prompt_may_be_cut: bool,
) -> bool:
    """Whether an example (``prompt_len`` prompt tokens, ``longest`` with its longest answer)
    stays under ``max_length``, counting what happens to it in ``report``: a prompt that fills
    ``max_length`` is skipped unless the truncation may cut the prompt; a longer example is
    skipped (``overlength: skip``) or kept, counted as truncated."""
    if prompt_len >= config.max_length and not prompt_may_be_cut:
        report.skip("prompt_longer_than_max_length")
        return False
    if longest > config.max_length:
        if config.overlength == "skip":
            report.skip("longer_than_max_length")
            return False
        report.by_kind["truncated_to_max_length"] += 1
    return True


def enforce_length(
    examples: list[dict[str, Any]],
    tokenizer: PreTrainedTokenizerBase,
    config: SFTTrainConfig,
    report: BuildReport,
) -> list[dict[str, Any]]:
    """Count (and with ``overlength: skip`` drop) examples longer than ``max_length``."""
    kept = []
    for example in examples:
        prompt_len = len(render(example["prompt"], None, tokenizer))
        longest = max(
            len(render(example["prompt"], example[key], tokenizer))
            for key in ("chosen", "rejected")
            if key in example
        )
        cut_prompt = config.truncation_mode != "keep_start"  # keep_end, keep_divergence
        if _kept_at_max_length(prompt_len, longest, config, report, prompt_may_be_cut=cut_prompt):
            kept.append(example)
    if not kept:
        raise InputError(
            f"no row fits max_length={config.max_length} tokens (skips: {dict(report.skipped)}); "
            "raise max_length"
            + ("" if config.overlength == "truncate" else " or use overlength: truncate")
        )
    return kept


def to_trl_dataset(
    examples: list[dict[str, Any]], tokenizer: PreTrainedTokenizerBase, *, preference: bool
) -> Dataset:
    """TRL's prompt/completion (SFT) or prompt/chosen/rejected (DPO) format."""
    conversational = bool(tokenizer.chat_template)
    records = []
    for example in examples:
        prompt = example["prompt"] if conversational else plain_prompt(example["prompt"])

        def wrap(text: str) -> Any:
            return [{"role": "assistant", "content": text}] if conversational else text

        if preference:
            records.append(
                {
                    "prompt": prompt,
                    "chosen": wrap(example["chosen"]),
                    "rejected": wrap(example["rejected"]),
                    "conflict": example["conflict"],
                    "kind": example["kind"],
                }
            )
        else:
            records.append({"prompt": prompt, "completion": wrap(example["chosen"])})
    return Dataset.from_list(records)


def tokenize_media_examples(
    examples: list[dict[str, Any]],
    media: MediaEncoder,
    config: SFTTrainConfig,
    report: BuildReport,
    *,
    preference: bool,
    path: str | Path,
) -> list[dict[str, Any]]:
    """Token ids of media rows for a multimodal model, placeholders expanded per clip.

    Preference rows become ``prompt_ids``/``chosen_ids``/``rejected_ids`` (+ conflict, kind),
    SFT rows ``input_ids``/``labels`` (prompt tokens labelled -100); both keep ``videos`` and
    ``audios`` for the collator. A prompt that fills ``max_length`` is a counted skip (its clip
    cannot be cut); longer rows are cut at the end (``keep_start``) or skipped, per config.
    """
    kept = []
    for example in examples:
        videos, audios = example["videos"], example["audios"]
        try:
            prompt_ids = media.prompt_ids(example["prompt"], videos, audios)
        except InputError as exc:
            where = exc.path if exc.path and exc.path != str(path) else None
            message = f"{where}: {exc.message}" if where else exc.message
            raise InputError(message, path=path, line=example["line"], field=exc.field) from None
        answers = {
            key: media.completion_ids(example["prompt"], example[key])
            for key in ("chosen", "rejected")
            if key in example
        }
        longest = len(prompt_ids) + max(len(ids) for ids in answers.values())
        if not _kept_at_max_length(
            len(prompt_ids), longest, config, report, prompt_may_be_cut=False
        ):
            continue  # the clip's placeholders are in the prompt: it is never cut
        if longest > config.max_length:
            if config.truncation_mode != "keep_start":
                raise ConfigError(
                    f"truncation_mode: {config.truncation_mode} would cut the clip's "
                    f"placeholder tokens from media rows longer than max_length "
                    f"({config.max_length}; {path}:{example['line']} has {longest}); use "
                    "keep_start, overlength: skip, or a larger max_length"
                )
            room = config.max_length - len(prompt_ids)
            answers = {key: ids[:room] for key, ids in answers.items()}
        record: dict[str, Any] = {"videos": list(videos), "audios": list(audios)}
        if preference:
            record.update(
                prompt_ids=prompt_ids,
                chosen_ids=answers["chosen"],
                rejected_ids=answers["rejected"],
                conflict=example["conflict"],
                kind=example["kind"],
            )
        else:
            record.update(
                input_ids=prompt_ids + answers["chosen"],
                labels=[-100] * len(prompt_ids) + answers["chosen"],
            )
        kept.append(record)
    if not kept:
        raise InputError(
            f"no row fits max_length={config.max_length} tokens with its clip's placeholders "
            f"(skips: {dict(report.skipped)}); raise max_length or cap the clip's frames",
            path=path,
        )
    return kept


def prepare_dataset(
    path: str | Path,
    tokenizer: PreTrainedTokenizerBase,
    config: SFTTrainConfig,
    *,
    preference: bool,
    report: BuildReport,
    limit: int | None = None,
    media: MediaEncoder | None = None,
) -> Dataset:
    """Load, check, length-filter and convert one ms-swift JSONL file.

    With ``media`` (a multimodal model's :class:`~emoreason.training.media.MediaEncoder`) rows
    are tokenized here with their clips (:func:`tokenize_media_examples`); otherwise TRL
    tokenizes the text, ``<video>``/``<audio>`` tags included, as it is.
    """
    examples = load_swift_examples(
        path, preference=preference, missing_media=config.missing_media, report=report
    )
    if limit is not None and len(examples) > limit:
        report.skip("beyond_max_train_samples", len(examples) - limit)
        examples = examples[:limit]
    if media is not None:
        records = tokenize_media_examples(
            examples, media, config, report, preference=preference, path=path
        )
        report.written = len(records)
        return Dataset.from_list(records)
    examples = enforce_length(examples, tokenizer, config, report)
    report.written = len(examples)
    return to_trl_dataset(examples, tokenizer, preference=preference)
