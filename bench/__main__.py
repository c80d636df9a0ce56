"""``python -m bench``: the whole benchmark, one table (see :mod:`bench.run`)."""

from __future__ import annotations

from bench.run import main

main()
