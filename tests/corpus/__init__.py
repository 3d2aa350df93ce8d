"""The reliability corpus: bad and awkward agency files, each one defect away from a good one.

`tests.corpus.build` writes the files and lists what ingesting each one must give;
`tests/test_ingest_corpus.py` runs them all through the real Ingestor.
"""
