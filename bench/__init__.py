"""Benchmarks of forumscraper against plain-Scrapy and plain-psycopg baselines (issue 8).

Run ``python -m bench`` (``--quick`` for a smoke run); see :mod:`bench.run`.
"""
