"""Agency files in: read, normalize, identify, validate, archive and load one file.

Plain Python used by the CLI, the upload page and the pipeline (issue 3).
"""
