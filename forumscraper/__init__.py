"""forumscraper: archive a Forumotion forum into PostgreSQL or SQLite with Scrapy."""

__version__ = "0.1.0"
