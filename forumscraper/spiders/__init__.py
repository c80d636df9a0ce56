"""Crawling only: what to request and follow.

``forum`` walks the whole board, ``recent`` only what changed; both fetch topics whole
(``topics.py``) on top of what every spider shares (``base.py``: address, login, timezone).
"""
