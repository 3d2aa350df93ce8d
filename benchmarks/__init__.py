"""Benchmarks: how fast and how lean ingestion is, against a plain baseline in the same run."""
