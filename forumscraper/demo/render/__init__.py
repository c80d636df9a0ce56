"""Renderers of the fixture forum, one module per Forumotion template version."""
