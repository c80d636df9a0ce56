"""Crawling only: what to request and follow. ``forum`` walks the whole board."""
