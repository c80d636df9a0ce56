"""Extraction only: a page object per page kind turns a Forumotion page into items.

Template-version differences stay inside this package; spiders never branch on versions.
"""

from forumscraper.pages.common import DateContext, Page, detect_version
from forumscraper.pages.forum import ForumListPage, ForumPage
from forumscraper.pages.topic import TopicPage

__all__ = ["DateContext", "ForumListPage", "ForumPage", "Page", "TopicPage", "detect_version"]
