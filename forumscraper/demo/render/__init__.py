"""Pages of the fixture forum: one renderer (:mod:`~forumscraper.demo.render.engine`) and the
templates of each Forumotion template version (``templates/<version>.html``)."""
