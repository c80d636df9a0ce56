"""The console commands of ``forumscraper`` (:mod:`forumscraper.cli`), one module each with a
``main(argv)``; ``crawl`` is also ``scrapy crawl`` (:mod:`forumscraper.scrapy_commands`)."""
