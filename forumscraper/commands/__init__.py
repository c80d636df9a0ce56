"""Scrapy commands of the project (``COMMANDS_MODULE``): ``crawl`` with a truthful exit status."""
