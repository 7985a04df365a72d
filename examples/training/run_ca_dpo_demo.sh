#!/usr/bin/env bash
# CA-DPO demo on CPU: analyse the example clips once, build preference pairs (kinds x languages x
# donors), hold out 10% of them, train a LoRA on SmolLM2-135M-Instruct, compare held-out metrics
# before and after. Usage: examples/training/run_ca_dpo_demo.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS="${1:-2}"
OUT=runs/ca_dpo_demo
mkdir -p "$OUT"
EMO="${EMOREASON:-emoreason}"

if [ ! -s "$OUT/results.jsonl" ]; then
  # 10 clips, 8 decodable (truncated.mp4 and not_a_video.mp4 become counted error rows)
  # exit code 1 = some clips failed (the two bad files, as expected); anything else stops the demo
  "$EMO" analyze examples/clips -o "$OUT/results.jsonl" --resume || [ $? -eq 1 ]
fi
# Every pair kind (modality ablation, hallucinated dimension, label flip), both languages.
"$EMO" build-pairs "$OUT/results.jsonl" -o "$OUT/pairs.jsonl" \
  --lang en --lang zh --max-hallucinations 12 --max-flips 6

# SPLIT=pair (default): 10% of the pairs held out at random (their clips also appear in training,
# with other rejected responses). SPLIT=clip: two clips held out entirely.
SPLIT="${SPLIT:-pair}" "${PYTHON:-python}" - "$OUT" <<'PY'
import collections, json, os, random, sys
out = sys.argv[1]
rows = [json.loads(line) for line in open(f"{out}/pairs.jsonl", encoding="utf-8")]
random.Random(0).shuffle(rows)
if os.environ["SPLIT"] == "clip":
    held_clips = {"happy_consistent", "sad_face_calm_voice"}
    train = [r for r in rows if r["clip_id"] not in held_clips]
    held = [r for r in rows if r["clip_id"] in held_clips][:32]
else:
    held, train = rows[: len(rows) // 10], rows[len(rows) // 10 :]
for name, part in (("train", train), ("heldout", held)):
    with open(f"{out}/{name}.jsonl", "w", encoding="utf-8") as handle:
        for r in part:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
for name, part in (("train", train), ("held-out", held)):
    kinds = collections.Counter(r["kind"] for r in part)
    print(f"{name}: {len(part)} pairs from {len({r['clip_id'] for r in part})} clips {dict(kinds)}")
PY

"$EMO" train ca-dpo --config examples/training/ca_dpo_smollm2_demo.yaml --threads "$THREADS"
