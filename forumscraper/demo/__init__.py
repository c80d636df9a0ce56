"""The bundled fixture forum: a Forumotion-like site used by the tests and `forumscraper demo`."""
