"""The main job: perceive -> reason -> AnalysisResult; batches, resumable JSONL, reports."""
