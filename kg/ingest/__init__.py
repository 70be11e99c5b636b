"""Ingest (stage 1): text, HTML and JSONL files read, decoded and cleaned into `Article` records."""
