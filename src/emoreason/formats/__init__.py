"""File formats: atomic writes, streaming JSONL, ms-swift rows, SABER per-clip folders."""
