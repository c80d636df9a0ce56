"""Forumotion's template versions, one registry entry each: how a page of the version is
recognised, and where its forum rows, topic rows, search rows and posts are.

Each entry is a :class:`TemplateVersion` in :data:`TEMPLATES`, keyed by the name
``?change_version=`` takes (:data:`VERSIONS`, in the order the settings list them). The page
objects read a page with the entry its markup matches (``Page.template``) and never branch on a
version's name: a difference between versions is a field of the entry (an XPath, a reading mode
or a flag). Adding a version is adding an entry. A Forumotion page that no entry recognises is
reported (:class:`UnknownTemplate`), never read as another version. Markup from FACTS.md §1-2
and the demo's renderers, which are keyed by the same names. Pages are recognised with lxml
(:func:`forumscraper.pages.query.find`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Literal

from lxml import etree

from forumscraper.pages.query import clean_space, find, has_class

LastPostMode = Literal["time_first", "author_first", "inline", "comma", "fields"]
DateMode = Literal["tail", "own", "after_icon"]
BodyMode = Literal["div", "region"]


@dataclass(frozen=True)
class IndexMarkup:
    """Where the forum rows of an index or forum page are (``index_box``, FACTS.md §2.3),
    relative to the page body."""

    links: str
    """Category and forum links, in page order."""
    row: str
    """A forum link's row, relative to the link."""
    topics: str
    """The topic count, relative to the row ("" when the version does not print it)."""
    posts: str
    description: str
    name: str = "."
    """The forum name, relative to its link."""
    title: str = ""
    """The title of a forum page (its own forum), relative to the page ("": the breadcrumb's)."""


@dataclass(frozen=True)
class RowMarkup:
    """Where the parts of a topic row are (``topics_list_box``, ``search_results_topics``,
    FACTS.md §2.2), relative to the row."""

    rows: str
    """The rows, relative to the page."""
    title: str
    """The topic link."""
    author: str
    """The starter's name node ("" when the version does not print it)."""
    replies: str
    views: str
    last_post: str
    last_post_mode: LastPostMode
    """How the last-post cell reads: ``time_first`` ("TIME <br> [by] AUTHOR"), ``author_first``
    ("AUTHOR … <br> TIME"), ``inline`` ("TIME by AUTHOR"), ``comma`` ("[… by] AUTHOR, TIME") or
    ``fields`` (author and time in their own nodes: ``last_author``, ``last_time``)."""
    author_after_by: bool = False
    """The author node reads "by NAME" (possibly "by NAME in FORUM")."""
    title_text: str = ""
    """The title's text nodes when the link holds more than the title."""
    description: str = ""
    """The nodes holding the topic's description, the line its starter may write under the
    title (``switch_description``): "" when the rows never print one (search results and
    mobile do not)."""
    author_text: str = "./text()"
    """With ``author_after_by``: the author node's text nodes "by NAME" is sought in (not a
    description the node also holds)."""
    last_author: str = ""
    last_time: str = ""
    last_link: str = ""
    """The "last post" link (``/t12p30-slug#N``) when it is not in the last-post cell."""
    types: bool = True
    """The rows print the topic's type (``{TOPIC_TYPE}``: "Sticky:" before the title); without
    it (AwesomeBB's search results) a row's type is not known, never "normal"."""


@dataclass(frozen=True)
class AttachmentMarkup:
    """Where the files attached to a post are (``switch_attachments``, under the message),
    relative to the post container: each file's node, then its parts relative to that node."""

    files: str
    """One node per file, in page order."""
    name: str
    """The file's name: a link to it when the viewer may download it."""
    comment: str
    """The uploader's comment (none when empty); not the "no permission" notice."""
    size: str
    """"(12.5 Kb) Downloaded 3 times": the size in brackets, then the download count."""


_NOT_NOTICE_OR_SIZE = "[not(.//strong)][not(starts-with(normalize-space(), '('))]"
_SIZE = "[starts-with(normalize-space(), '(')]"
ATTACHMENTS_IN_DD = AttachmentMarkup(
    files=f".//dl[{has_class('attachbox')}]//dl[{has_class('file')}]/dd",
    name="./span[1]",
    comment=f"./span[position() > 1]{_NOT_NOTICE_OR_SIZE}",
    size=f"./span{_SIZE}",
)
"""phpBB3, ModernBB: the icon in a ``dt``, then name, comment, notice and size as ``span``s of
one ``dd``."""
ATTACHMENTS_IN_DT = AttachmentMarkup(
    files=f".//dl[{has_class('attachbox')}]//dl[{has_class('file')}]",
    name="./dt",
    comment=f"./dd/em{_NOT_NOTICE_OR_SIZE}",
    size=f"./dd{_SIZE}",
)
"""phpBB2, Invision, PunBB: icon and name in the ``dt``; comment, notice and size a ``dd`` each."""
ATTACHMENTS_IN_DIV = AttachmentMarkup(
    files=f".//div[{has_class('attachbox')}]/dl/dt",
    name=".",
    comment=f"./following-sibling::dd[1]/p{_NOT_NOTICE_OR_SIZE}",
    size=f"./following-sibling::dd[1]/p{_SIZE}",
)
"""AwesomeBB, mobile: a ``div`` holding a list, the name as ``dt``, the rest as ``p`` of the
``dd`` after it."""


@dataclass(frozen=True)
class PostMarkup:
    """Where the parts of a post are (``viewtopic_body``, FACTS.md §2.1), relative to its
    container."""

    ids: str
    """Elements carrying a post's ``id`` (``p123``, ``post-123``), in page order."""
    author: str
    """The node holding the poster's name (and profile link for members)."""
    date: str
    """The node whose text holds the post date."""
    subject: str
    body: str
    """The body div itself (``body_mode="div"``) or the container the message sits loose in
    (``body_mode="region"``)."""
    signature: str
    edit_note: str
    """Nodes whose text is the edit note; empty with ``body_mode="region"`` when the note is
    printed inside the region, after the message: it is then cut from the region's end."""
    title: str
    """The topic title, relative to the page."""
    repeated_first: str
    """Exists on a page whose first post is the topic's first post shown again."""
    container: str = "."
    """The post container, relative to the element carrying the id."""
    author_after_by: bool = False
    """The author node reads "by NAME" (the name is what follows the word)."""
    date_mode: DateMode = "tail"
    """``tail``: the text after the last child element ("by NAME DATE", "Subject DATE");
    ``own``: the node's own text (a vote block may follow it); ``after_icon``: what follows
    the node's last icon ("Subject: X <img> DATE")."""
    subject_after_label: bool = False
    """The subject node reads "Subject: X <img> DATE": the subject is between the label and
    the last icon."""
    repeat_in_own_table: bool = False
    """A first post repeated on pages 2+ stands in a table of its own (phpBB2 closes the post
    table after it), and nothing else marks it."""
    body_mode: BodyMode = "div"
    region_stops: str = ""
    """With ``body_mode="region"``: the elements that end the message in its container."""
    attachments: AttachmentMarkup = ATTACHMENTS_IN_DT
    """The attachment box's layout: :data:`ATTACHMENTS_IN_DT` (phpBB2, Invision, PunBB),
    :data:`ATTACHMENTS_IN_DD` or :data:`ATTACHMENTS_IN_DIV`."""
    hidden: str = ""
    """Postrows printed as a message in a post's place (``postrow.hidden``: a member the
    viewer's profile ignores), relative to the page; members' pages only."""


@dataclass(frozen=True)
class TemplateVersion:
    """One template version: how its pages are recognised and how they are read."""

    name: str
    """The name ``?change_version=`` takes (``prosilver`` is phpBB3, ``subsilver`` phpBB2)."""
    body_ids: tuple[str, ...]
    """``<body id>`` values of the version's pages (empty: the body has no telling id)."""
    marker: str
    """An XPath selecting something on every page of the version ("": the body id tells)."""
    index: IndexMarkup
    rows: RowMarkup
    """Topic rows of a forum page."""
    search_rows: RowMarkup
    """Topic rows of a search results page (``/search?search_id=activetopics``)."""
    posts: PostMarkup
    page_count: str = ""
    """The "Page X of N" line of a version that links only the previous and next pages (its
    numbers complete the pagination links), relative to the page."""
    clock: str = ""
    """Where the version prints the board's clock (``{CURRENT_TIME}``, "Current date/time is
    …") when its words are not known, relative to the page ("": nowhere on its own)."""

    def recognises(self, root: etree._Element, body_id: str | None) -> bool:
        """Whether the page ``root`` (whose ``<body id>`` is ``body_id``) is of this version."""
        if not self.body_ids and not self.marker:
            return False
        if self.body_ids and body_id not in self.body_ids:
            return False
        return not self.marker or bool(find(root, self.marker))


class UnknownTemplate(ValueError):
    """A Forumotion page whose markup no registered template version recognises.

    Raised by the readers that need a version's markup, so that such a page is reported (the
    spiders count it as a failed page, ``unknown_template``, with :attr:`evidence`) rather than
    read as another version."""

    problem = "unknown_template"
    """The page problem's name (``forumscraper.pages.problems``)."""

    def __init__(self, url: str, evidence: str) -> None:
        super().__init__(f"{url}: no known template version ({evidence})")
        self.url = url
        self.evidence = evidence
        """What the page showed instead of a known version's markers."""

    def __reduce__(self) -> tuple[type[UnknownTemplate], tuple[str, str]]:
        # Pickled with its own arguments (a page is read in a worker process).
        return UnknownTemplate, (self.url, self.evidence)


# -- the registry -------------------------------------------------------------------------------


_PROSILVER_INDEX = IndexMarkup(
    links=(
        ".//a[@href][contains(@class,'forumtitle')]"
        " | .//div[contains(@class,'table-title')]//a[@href]"
    ),
    row="ancestor::li[1]",
    topics=".//dd[contains(@class,'topics')]",
    posts=".//dd[contains(@class,'posts')]",
    description=".//dd[contains(@class,'dterm')]/div[1]",
    title="//h1[contains(@class,'page-title')]",
)
_PROSILVER_ROWS = RowMarkup(
    rows="//ul[contains(@class,'topics')]/li[contains(@class,'row')]",
    title=".//a[contains(@class,'topictitle')]",
    author=".//span[contains(@class,'span-tab')]//strong",
    replies=".//dd[contains(@class,'posts')]",
    views=".//dd[contains(@class,'views')]",
    # "<span>AUTHOR <dfn/> <br/> TIME</span>"; with the last poster's avatar (an option) the
    # span follows "<span class=lastpost-avatar>", inside a div on phpBB3.
    last_post=(
        ".//dd[contains(@class,'lastpost')]"
        "//span[not(ancestor::span)][not(contains(@class,'lastpost-avatar'))]"
    ),
    last_post_mode="author_first",
    # "<div title/> <br/> DESCRIPTION <br/> pages <span>by AUTHOR</span>": the text between
    # the two line breaks (without a description there is one).
    description=(
        ".//dd[contains(@class,'dterm')]"
        "/br[preceding-sibling::div[contains(@class,'topic-title-container')]][1]"
        "/following-sibling::text()[following-sibling::br]"
    ),
)
_PUNBB_ROWS = RowMarkup(
    rows="//tbody[contains(@class,'statused')]/tr[.//a[contains(@class,'topictitle')]]",
    title=".//a[contains(@class,'topictitle')]",
    author="./td[contains(@class,'tcl')]",
    author_after_by=True,
    # "… by AUTHOR <br/> &nbsp;DESCRIPTION": a guest's name is text, and so is the line.
    author_text="./text()[not(preceding-sibling::br)]",
    description="./td[contains(@class,'tcl')]/br[last()]/following-sibling::text()",
    replies="./td[contains(@class,'tc2')]",
    views="./td[contains(@class,'tc3')]",
    last_post="./td[contains(@class,'tcr')]",
    last_post_mode="inline",
)
_INVISION_ROWS = RowMarkup(
    rows="//table[contains(@class,'ipbtable')]/tbody/tr[.//a[contains(@class,'topictitle')]]",
    title=".//a[contains(@class,'topictitle')]",
    description=".//p[contains(@class,'topic-desc')]",
    author="./td[contains(@class,'author')]",
    replies="(./td[contains(@class,'row2') and contains(@class,'centered')])[1]",
    views="(./td[contains(@class,'row2') and contains(@class,'centered')])[2]",
    last_post="./td[contains(@class,'lastaction')]",
    last_post_mode="time_first",
)
_SUBSILVER_ROWS = RowMarkup(
    rows="//a[contains(@class,'topictitle')]/ancestor::tr[1]",
    title=".//a[contains(@class,'topictitle')]",
    description=(
        ".//div[contains(@class,'topictitle')]"
        "/following-sibling::*[1][self::span][contains(@class,'genmed')]"
    ),
    author=".//span[contains(@class,'name')]",
    replies="(./td[contains(@class,'row2')]//span[contains(@class,'postdetails')])[1]",
    views="(./td[contains(@class,'row2')]//span[contains(@class,'postdetails')])[2]",
    last_post="./td[last()]//span[contains(@class,'postdetails')]",
    last_post_mode="time_first",
)
_MOBILE_ROWS = RowMarkup(
    rows=f"//div[{has_class('forum-section-wrap')}][a[{has_class('forum-section')}]]",
    title=f"./a[{has_class('forum-section')}]",
    title_text=".//div[contains(@class,'forum-content')]/h3/text()",
    author="",
    replies=".//div[contains(@class,'forum-statistics')]",
    views="",
    last_post=".//div[contains(@class,'forum-lastpost')]",
    last_post_mode="comma",
    last_link=f"./a[{has_class('last-post-link')}]",
)
_AWESOMEBB_ROWS = RowMarkup(
    rows=(
        f"//div[{has_class('posts-section')}][not({has_class('posts-empty')})]"
        "[.//div[contains(@class,'posts-description')]/h3/a]"
    ),
    title=".//div[contains(@class,'posts-description')]/h3/a",
    description=".//div[contains(@class,'posts-description')]/span[contains(@class,'topic-description')]",
    author=".//div[contains(@class,'posts-description')]/p",
    author_after_by=True,
    replies=".//span[contains(@class,'posts-statistics-replies')]",
    views=".//span[contains(@class,'posts-statistics-views')]",
    last_post=".//div[contains(@class,'posts-lastpost-inner')]",
    last_post_mode="fields",
    last_author=".//span[contains(@class,'posts-lastpost-author')]",
    last_time=".//a[contains(@class,'posts-lastpost-time')]/text()",
)
_MODERNBB_ROWS = replace(
    _PROSILVER_ROWS,
    author=".//span[contains(@class,'topic-author')]",
    author_after_by=True,
    description=".//dd[contains(@class,'dterm')]/span[contains(@class,'topic-description')]",
)


def _search_rows(rows: RowMarkup, **changes: Any) -> RowMarkup:
    """A version's search result rows (``search_results_topics``): its topic rows with
    ``changes``, without a description, which no version prints there."""
    return replace(rows, description="", **changes)


_REGISTRY = (
    TemplateVersion(
        name="prosilver",
        body_ids=("phpbb",),
        marker="",
        index=_PROSILVER_INDEX,
        rows=_PROSILVER_ROWS,
        search_rows=_search_rows(
            _PROSILVER_ROWS, author=".//span[contains(@class,'span-tab')]", author_after_by=True
        ),
        posts=PostMarkup(
            ids=f"//div[@id][{has_class('post')}]",
            hidden=f"//div[not(@id)][{has_class('post')}]",
            author=".//div[contains(@class,'postprofile')]//dt//strong",
            date=".//p[contains(@class,'author')]",
            subject=".//h2[contains(@class,'topic-title')]",
            body=f".//div[{has_class('content')}]/div[1]",
            signature=".//div[contains(@class,'signature_div')]",
            edit_note=(
                f".//div[{has_class('content')}]"
                "/following-sibling::node()[not(self::div[contains(@class,'signature_div')])]"
            ),
            title="//h1[contains(@class,'page-title')]",
            repeated_first="//hr[@id='first-post-br']",
            attachments=ATTACHMENTS_IN_DD,
        ),
        clock="//div[@id='main-content']/p[not(@class)][1]",
    ),
    TemplateVersion(
        name="subsilver",
        body_ids=(),
        marker="//body[@bgcolor or @background][//table[contains(@class,'forumline')]]",
        index=IndexMarkup(
            links=".//a[@href][contains(@class,'forumlink') or contains(@class,'cattitle')]",
            row="ancestor::tr[1]",
            topics="./td[contains(@class,'row3') and not(contains(@class,'over'))]/span",
            posts="./td[contains(@class,'row2')]/span",
            description=".//span[contains(@class,'genmed')]",
        ),
        rows=_SUBSILVER_ROWS,
        search_rows=_search_rows(_SUBSILVER_ROWS),
        posts=PostMarkup(
            ids=f"//tr[@id][{has_class('post')}]",
            hidden=f"//td[@colspan][{has_class('postdetails')}]",
            author=".//span[contains(@class,'name')]/strong",
            date="(.//td/span[contains(@class,'postdetails')])[last()]",
            subject="(.//td/span[contains(@class,'postdetails')])[last()]",
            body=".//div[contains(@class,'postbody')]/div[1]",
            signature=".//div[contains(@class,'postbody')]/div[contains(@class,'signature_div')]",
            edit_note=(
                ".//div[contains(@class,'postbody')]"
                "/following-sibling::span[contains(@class,'gensmall')]"
            ),
            title="//h1[contains(@class,'cattitle')]",
            repeated_first="",
            date_mode="after_icon",
            subject_after_label=True,
            repeat_in_own_table=True,
        ),
    ),
    TemplateVersion(
        name="punbb",
        body_ids=(),
        marker="//*[@id='pun-intro' or @id='pun-head']",
        index=IndexMarkup(
            links=(
                ".//a[@href][contains(@class,'forumtitle')]"
                " | .//div[contains(@class,'main-head')]/div[contains(@class,'page-title')]"
                "//a[@href]"
            ),
            row="ancestor::tr[1]",
            topics="./td[contains(@class,'tc2')]",
            posts="./td[contains(@class,'tc3')]",
            description="./td[contains(@class,'tcl')]",
        ),
        rows=_PUNBB_ROWS,
        search_rows=_search_rows(
            _PUNBB_ROWS,
            replies="./td[contains(@class,'tc3')][1]",
            views="./td[contains(@class,'tc3')][2]",
        ),
        posts=PostMarkup(
            ids=f"//div[@id][{has_class('posthead')}]",
            hidden=f"//p[{has_class('p-hidden')}]",
            container=f"ancestor::div[{has_class('post')}][1]",
            author=".//div[contains(@class,'user-ident')]//h4[contains(@class,'username')]",
            date=f".//div[{has_class('posthead')}]/h2",
            subject=f".//div[{has_class('posthead')}]/h2/a",
            body=f".//div[{has_class('entry-content')}]/div[not({has_class('vote')})][1]/div[1]",
            signature=".//div[contains(@class,'sig-content')]",
            edit_note=f".//div[{has_class('entry-content')}]/p",
            title="//div[contains(@class,'paged-head')]/h1",
            repeated_first="//hr[@id='first-post-br']",
        ),
    ),
    TemplateVersion(
        name="invision",
        body_ids=(),
        marker="//*[@id='ipbwrapper']",
        index=IndexMarkup(
            links=(
                ".//a[@href][contains(@class,'forumtitle')]"
                " | .//div[contains(@class,'maintitle')]//a[@href]"
            ),
            row="ancestor::tr[1]",
            topics="./td[contains(@class,'centered')][1]",
            posts="./td[contains(@class,'centered')][2]",
            description=".//p[contains(@class,'forum-desc')]",
            title="//div[contains(@class,'maintitle')]/h1",
        ),
        rows=_INVISION_ROWS,
        search_rows=_search_rows(
            _INVISION_ROWS,
            author="./td[6]",
            replies="./td[7]",
            views="./td[8]",
            last_post="./td[9]",
        ),
        posts=PostMarkup(
            ids=f"//div[@id][{has_class('post')}]",
            hidden=f"//div[@colspan][{has_class('postdetails')}]",
            author=".//dl[contains(@class,'postprofile-details')]/dt",
            date=".//p[contains(@class,'author')]",
            subject=".//div[contains(@class,'postbody-head')]/h3",
            body=(
                f".//div[{has_class('post-entry')}]"
                f"/div[not({has_class('vote')}) and not({has_class('clear')})][1]"
            ),
            signature=".//div[contains(@class,'signature_div')]",
            edit_note=(
                f".//div[{has_class('post-entry')}]/div[{has_class('clear')}]"
                "/following-sibling::node()"
            ),
            title="//div[contains(@class,'maintitle')]/h1",
            repeated_first="//hr[@id='first-post-br']",
        ),
        clock=f"//div[{has_class('current-time')}]",
    ),
    TemplateVersion(
        name="modernbb",
        body_ids=("modernbb",),
        marker="",
        index=_PROSILVER_INDEX,
        rows=_MODERNBB_ROWS,
        search_rows=_search_rows(_MODERNBB_ROWS),
        posts=PostMarkup(
            ids=f"//div[@id][{has_class('post')}]",
            hidden=f"//div[not(@id)][{has_class('post')}]",
            author=".//div[contains(@class,'postprofile-name')]",
            date=".//div[contains(@class,'topic-date')]",
            subject=".//h2[contains(@class,'topic-title')]",
            body=f".//div[{has_class('postbody')}]/div[{has_class('content')}]/div[1]",
            signature=".//div[contains(@class,'signature_div')]",
            edit_note=".//div[contains(@class,'edited-message')]",
            title="//h1[contains(@class,'page-title')]",
            repeated_first="//hr[@id='first-post-br']",
            date_mode="own",
            attachments=ATTACHMENTS_IN_DD,
        ),
        clock="//ul[contains(@class, 'footerbar-user')]/li[i[contains(@class, 'ion-clock')]]",
    ),
    TemplateVersion(
        name="awesomebb",
        body_ids=("top",),
        marker="//*[@id='main-menu']",
        index=IndexMarkup(
            links=(
                ".//div[contains(@class,'forum-description')]/h3/a[@href]"
                " | .//div[contains(@class,'category-title')]//a[@href]"
            ),
            row=f"ancestor::div[{has_class('forum-section')}][1]",
            topics=".//span[contains(@class,'forum-statistics-topics')]",
            posts=".//span[contains(@class,'forum-statistics-posts')]",
            description=".//div[contains(@class,'forum-description')]/p",
            title="//div[contains(@class,'page-header')]/h1",
        ),
        rows=_AWESOMEBB_ROWS,
        search_rows=RowMarkup(
            rows="//div[contains(@class,'block-topics')]/div[contains(@class,'block-content')]",
            title=".//a[contains(@class,'topictitle')]",
            author=".//span[contains(@class,'block-topics-author')]",
            author_after_by=True,
            replies=".//div[contains(@class,'block-topics-posts')]",
            views=".//div[contains(@class,'block-topics-views')]",
            last_post=".//div[contains(@class,'block-topics-lastpost')]",
            last_post_mode="comma",
            types=False,
        ),
        posts=PostMarkup(
            ids=f"//div[@id][{has_class('post-wrap')}]",
            hidden=f"//div[{has_class('post-hidden')}]",
            author=".//span[contains(@class,'post-author-name')]",
            date=".//span[contains(@class,'post-date')]",
            subject=f".//div[{has_class('post-header')}]/h2//a",
            body=f".//div[{has_class('post-content')}]",
            signature=".//div[contains(@class,'post-signature')]",
            edit_note="",
            title="//main[@id='topic']//div[contains(@class,'topic-header')]/h1",
            repeated_first="",
            date_mode="own",
            body_mode="region",
            region_stops=(
                f"./div[{has_class('attachbox')} or {has_class('post-signature')}"
                f" or {has_class('signature_div')}]"
            ),
            attachments=ATTACHMENTS_IN_DIV,
        ),
    ),
    TemplateVersion(
        name="mobile",
        body_ids=("mpage-body-modern", "mpage-body"),
        marker="",
        index=IndexMarkup(
            links=(
                ".//div[contains(@class,'forum-content')]/a[@href]"
                f" | .//div[{has_class('forum')}]/h2//a[@href]"
            ),
            row=f"ancestor::div[{has_class('forum-section-wrap')}][1]",
            topics="",
            posts=".//div[contains(@class,'forum-statistics')]",
            description=".//div[contains(@class,'forum-description')]",
            name="./h3",
        ),
        rows=_MOBILE_ROWS,
        search_rows=_MOBILE_ROWS,
        posts=PostMarkup(
            ids=f"//div[@id][{has_class('post-section')}]",
            hidden=f"//div[not(@id)][{has_class('post')}]",
            author=".//div[contains(@class,'post-details')]",
            date=".//div[contains(@class,'post-info')]/div[contains(@class,'h3')]",
            subject="",
            body=f".//div[{has_class('post-content')}]",
            signature="",
            edit_note=f".//div[{has_class('post-content')}]/following-sibling::node()",
            title="//div[@id='header']//a[contains(@class,'nav')][last()]",
            repeated_first="//hr[@id='first-post-br']",
            author_after_by=True,
            date_mode="own",
            body_mode="region",
            region_stops=f"./div[{has_class('attachbox')}]",
            attachments=ATTACHMENTS_IN_DIV,
        ),
        page_count="//*[contains(@class,'mobile_title_content')]",
    ),
)

TEMPLATES: Mapping[str, TemplateVersion] = MappingProxyType(
    {template.name: template for template in _REGISTRY}
)
"""Every template version, by name, in the order they are tried on a page."""
VERSIONS: tuple[str, ...] = tuple(TEMPLATES)
"""The versions' names, as ``?change_version=`` and ``FORUMSCRAPER_TEMPLATE_VERSION`` take them."""

_NOTHING = IndexMarkup(links="", row="", topics="", posts="", description="")
_NO_ROWS = RowMarkup(
    rows="", title="", author="", replies="", views="", last_post="", last_post_mode="inline"
)
NOT_FORUMOTION = TemplateVersion(
    name="",
    body_ids=(),
    marker="",
    index=_NOTHING,
    rows=_NO_ROWS,
    search_rows=_NO_ROWS,
    posts=PostMarkup(
        ids="",
        author="",
        date="",
        subject="",
        body="",
        signature="",
        edit_note="",
        title="",
        repeated_first="",
    ),
)
"""What a page that is not Forumotion's at all (a maintenance or proxy page) is read with:
no markup, so it yields no forum, topic or post (``forumscraper.pages.problems`` says why)."""

_BODY_ID = etree.XPath("//body/@id")
_BODY_CLASS = etree.XPath("//body/@class")
_TITLE = etree.XPath("string(//title)")


def body_id(root: etree._Element) -> str | None:
    """The ``id`` of the page's ``<body>``, if it has one."""
    found = _BODY_ID(root)
    return str(found[0]) if isinstance(found, list) and found else None


def detect_template(root: etree._Element) -> TemplateVersion | None:
    """The registry entry whose markup the page ``root`` shows, ``None`` when none does."""
    page_body_id = body_id(root)
    return next(
        (template for template in TEMPLATES.values() if template.recognises(root, page_body_id)),
        None,
    )


def markup_evidence(root: etree._Element) -> str:
    """What a page shows in place of a known version's markers, for the report of an unknown
    template: its ``<body>`` id and class and its title."""
    classes = _BODY_CLASS(root)
    body_class = str(classes[0]) if isinstance(classes, list) and classes else None
    title = clean_space(str(_TITLE(root)))[:80]
    return (
        f"<body id={body_id(root)!r} class={body_class!r}>, title {title!r}; "
        f"no marker of {', '.join(VERSIONS)}"
    )


__all__ = [
    "ATTACHMENTS_IN_DD",
    "ATTACHMENTS_IN_DIV",
    "ATTACHMENTS_IN_DT",
    "NOT_FORUMOTION",
    "TEMPLATES",
    "VERSIONS",
    "AttachmentMarkup",
    "IndexMarkup",
    "PostMarkup",
    "RowMarkup",
    "TemplateVersion",
    "UnknownTemplate",
    "detect_template",
    "markup_evidence",
]
