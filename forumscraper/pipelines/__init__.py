"""Thin Scrapy item pipelines: clean post text (``text/``), report unreadable dates, then store
(``db/``)."""
