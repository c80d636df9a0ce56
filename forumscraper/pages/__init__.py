"""Extraction only: a page object per page kind turns a Forumotion page into items.

Template-version differences stay inside this package, as entries of the registry in
:mod:`forumscraper.pages.versions`; spiders never branch on versions.
"""

from forumscraper.pages.common import DateContext, Page, detect_version
from forumscraper.pages.forum import ForumListPage, ForumPage
from forumscraper.pages.topic import TopicPage
from forumscraper.pages.versions import TEMPLATES, VERSIONS, TemplateVersion, UnknownTemplate

__all__ = [
    "TEMPLATES",
    "VERSIONS",
    "DateContext",
    "ForumListPage",
    "ForumPage",
    "Page",
    "TemplateVersion",
    "TopicPage",
    "UnknownTemplate",
    "detect_version",
]
