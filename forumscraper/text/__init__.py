"""Pure text functions: HTML parsing (shared with ``pages``), HTML to text, leaked BBCode, links,
repeats, dates. No Scrapy here."""
