"""Pure text functions: HTML to text, leaked BBCode, links, repeats, dates. No Scrapy here."""
