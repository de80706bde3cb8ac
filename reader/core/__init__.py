"""The domain of reader: articles, entities, annotations, storage and export.

Nothing in this package imports Textual or Rich, so the CLI, tests and
benchmarks use it directly (checked by tests/test_import_hygiene.py).
"""
