"""The commands ``scrapy`` lists for this project (``COMMANDS_MODULE``): ``crawl`` and ``parse``.

Scrapy imports every module of this package at every ``scrapy`` invocation, so it holds these
two only; the console commands (``forumscraper boards``, ``worker``, ``export``, …) live in
``forumscraper.commands``, whose dependencies (the job queue, Parquet, Datasette) a crawl must
not import.
"""
