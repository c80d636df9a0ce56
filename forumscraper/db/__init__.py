"""Storage: database URL, typed models, migrations on start, batched upserts, crawl runs."""
