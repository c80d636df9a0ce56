"""Thin Scrapy item pipelines: clean post text (``text/``), then store (``db/``)."""
