"""The ``forumscraper`` console command: tools around the crawl.

    forumscraper reprocess          recompute every post's clean text and dates from what is stored
    forumscraper parse FILE_OR_URL  show what the extraction layer reads from one page (JSON)
    forumscraper serve-demo         serve the bundled demo forum on 127.0.0.1

Crawls themselves are plain Scrapy jobs: ``scrapy crawl forum`` and ``scrapy crawl recent``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = {
    "reprocess": (
        "forumscraper.reprocess",
        "recompute clean text, hashes and dates from the stored page text",
    ),
    "parse": ("forumscraper.inspect", "print what extraction reads from a page, as JSON"),
    "serve-demo": ("forumscraper.demo.server", "serve the bundled demo forum on 127.0.0.1"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand module's ``main(argv)``; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="forumscraper", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=sorted(COMMANDS), help="what to do")
    if not args or args[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if args else 2
    if args[0] not in COMMANDS:
        parser.parse_args(args[:1])  # prints the usage error and exits 2
    module = importlib.import_module(COMMANDS[args[0]][0])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
