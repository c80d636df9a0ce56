"""Pages of Forumotion's mobile version, as a guest on a phone sees them.

The structure follows Forumotion's default mobile templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, overall_footer): ``<body
id="mpage-body-modern">``, the breadcrumb ``{NAV_CAT_DESC}`` in the ``#header.mobile_title`` bar
(the only place naming the page's category, forum and topic: mobile pages carry no JSON-LD),
forums and topics as ``div.forum-section-wrap`` rows whose whole block is the link, posts as
``div.post-section#pID`` inside a ``div.topic#ID`` wrapper, the date in ``div.post-info
div.h3``, the poster after "by" in ``div.post-details``, the message loose in ``div.post-content``
and the edit note after it. The mobile version prints less than the desktop ones: no topic view
counts and no topic author in lists, no topic counts on forum rows, no post subject, no signature,
no "Recent topics" widget, no ``{CURRENT_TIME}``; its pagination is a previous/next pair with
"Page X of N" (``a.mobile_next_button``). There is no mobile search results template: the
activetopics results reuse the topic-list rows.
"""

# Markup lines are kept as the templates lay them out, hence no line-length limit here.
# ruff: noqa: E501

from __future__ import annotations

from forumscraper.demo.content import Category, Forum, Post, Topic
from forumscraper.demo.render.common import (
    ILLIWEB,
    INDEX_PATH,
    SPONSORED_AD,
    RenderContext,
    active_topics,
    category_heading,
    e,
    edited_message,
    forum_meta,
    forum_path,
    index_meta,
    nav_cat_desc,
    post_date,
    post_href,
    poster_link,
    shorten,
    topic_meta,
    topic_path,
    topic_type,
    userdata_script,
    visible_posts,
)

IMG = f"{ILLIWEB}/mobile"


def _icon(code: str) -> str:
    return f'<i class="material-icons">{code}</i>'


class MobileRenderer:
    """The mobile version (``<body id="mpage-body-modern">``)."""

    # -- page frame ---------------------------------------------------------------------------

    def _page(
        self,
        ctx: RenderContext,
        *,
        title: str,
        body: str,
        header: str,
        canonical: str | None = None,
        meta: str = "",
    ) -> str:
        board = ctx.board
        canonical_link = (
            f'    <link rel="canonical" href="{e(ctx.absolute(canonical))}" />\n'
            if canonical
            else ""
        )
        return f"""<!DOCTYPE HTML>
<html lang="{board.language}">
<head>
    <title>{e(title)}</title>
    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
{canonical_link}    {meta}
    <link rel="shortcut icon" type="image/x-icon" href="{ILLIWEB}/favicon.ico" />
    <link rel="stylesheet" href="/51-ltr.css" type="text/css" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="theme-color" content="#3B5998" />
    <link rel="search" type="application/opensearchdescription+xml" href="/improvedsearch.xml" title="{e(board.title)}" />
    <script src="//code.jquery.com/jquery-2.2.3.min.js" type="text/javascript"></script>
    {userdata_script(ctx)}
</head>
<body id="mpage-body-modern">
<div id="mwrap">
    <div id="header" class="mobile_title">
        {header}
    </div>
    <main>
{body}
        <a id="to-top" href="#wrap">{_icon("&#xE316;")}</a>
        <div class="application_footer_spacer"></div>
    </main>
</div>
<script src="https://illiweb.com/rsc/88/frm/lang/{board.language}.js" type="text/javascript"></script>
<script type="text/javascript">
    //<![CDATA[
    fa_endpage();
    //]]>
</script>
</body>
</html>"""

    def _header(
        self,
        ctx: RenderContext,
        category: Category | None,
        forums: list[Forum],
        topic: Topic | None = None,
    ) -> str:
        """``{NAV_CAT_DESC}`` of the mobile title bar."""
        crumbs = (
            f'<a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a>'
        )
        crumbs += nav_cat_desc(ctx, category, forums)
        if topic is not None:
            crumbs += (
                f'&nbsp;&raquo;&nbsp;<a class="nav" href="{ctx.href(topic_path(topic))}">'
                f"<span>{e(topic.title)}</span></a>"
            )
        return crumbs

    def _pagination(
        self, ctx: RenderContext, prefix: str, slug: str, total: int, per_page: int, start: int
    ) -> str:
        """``{PAGINATION}``: previous and next buttons around "Page X of N", "" on one page."""
        pages = max(1, -(-total // per_page))
        if pages == 1:
            return ""
        current = start // per_page + 1

        def link(page: int) -> str:
            offset = (page - 1) * per_page
            return ctx.href(f"/{prefix}p{offset}-{slug}" if offset else f"/{prefix}-{slug}")

        previous = link(current - 1) if current > 1 else "javascript:;"
        following = link(current + 1) if current < pages else "javascript:;"
        return (
            f'<div class="mobile_title"><a href="{previous}" class="mobile_prev_button block">'
            f'<p>{ctx.t("previous")}</p></a><p class="mobile_title_content">'
            f"{ctx.t('page_of').format(current, pages)}</p>"
            f'<a href="{following}" class="mobile_next_button block"><p>{ctx.t("next")}</p></a></div>'
        )

    # -- index ----------------------------------------------------------------------------------

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        _, posts, latest = ctx.board.forum_stats(forum.id)
        if latest is not None:
            last = latest.last_post
            latest_href = post_href(ctx, latest, last)
            latest_name = e(shorten(latest.title, 25))
            latest_from = f"{ctx.t('by')} {e(last.author_name)}, {ctx.date(last.posted_at)}"
        else:
            latest_href, latest_name, latest_from = ctx.href(forum_path(forum)), "", ""
        return f"""    <div class="forum-section-wrap">
        <div class=" forum-section">
            <div class="forum-icon">{_icon("&#xE7FD;")}
            </div>
            <div class="forum-content">
                <a href="{ctx.href(forum_path(forum))}" title="No new posts">
                    <h3>{e(forum.title)}</h3>
                    <div class="forum-statistics">{posts} {ctx.t("posts")}</div>
            <div class="forum-description">{forum.description}</div>
            </a>
            <div class="forum-lastpost-wrap">
                <a href="{latest_href}">
                    {_icon("forum")}
                    <div class="forum-lastpost">{latest_name}</div>
                    <div class="forum-lastpost-time">{latest_from}</div>
                </a>
            </div>
        </div>
    </div>
</div>
"""

    def _board_index(self, ctx: RenderContext, boxes: list[tuple[str, list[Forum]]]) -> str:
        parts = []
        for heading, forums in boxes:
            parts.append(f'<div class="forum">\n    <h2>{heading}</h2>\n')
            parts.extend(self._forum_row(ctx, forum) for forum in forums)
            parts.append("</div>\n")
        return "".join(parts)

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        boxes = [
            (category_heading(ctx, cat, None), board.child_forums(cat.id)) for cat in categories
        ]
        title = category.title if category is not None else board.title
        return self._page(
            ctx,
            title=title,
            body=self._board_index(ctx, boxes),
            header=self._header(ctx, category, []),
            canonical=f"/c{category.id}-{category.slug}" if category is not None else None,
            meta=index_meta(ctx),
        )

    # -- forum ----------------------------------------------------------------------------------

    def _topic_row(self, ctx: RenderContext, topic: Topic) -> str:
        last = topic.last_post
        return f"""        <div class="forum-section-wrap">
        <a href="{ctx.href(topic_path(topic))}" title="No new posts" class=" forum-section">
<div class="forum-icon">{_icon("&#xE7FD;")}</div>
            <div class="forum-content">
                <h3>{topic_type(topic, ctx.board.language)}{e(topic.title)}</h3><div class="forum-statistics">{topic.reply_count} {ctx.t("replies")}</div>
                <div class="forum-lastpost">{ctx.t("last_post_by")} {e(last.author_name)}, {ctx.date(last.posted_at)}<div class="lastpost-arrow"></div></div>
            </div>
        </a>
                <a href="{post_href(ctx, topic, last)}" class="last-post-link">Last post</a>
        </div>
"""

    def _topics_list(self, ctx: RenderContext, topics: list[Topic]) -> str:
        special = bool(topics) and (topics[0].sticky or topics[0].announcement)
        parts = [
            f'    <div class="forum">\n        <h2>{ctx.t("announcements") if special else ctx.t("topics")}</h2>\n'
        ]
        in_special = special
        for topic in topics:
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(
                    f'        </div>\n        <div class="forum">\n            <h2>{ctx.t("topics")}</h2>\n'
                )
            parts.append(self._topic_row(ctx, topic))
        if not topics:
            parts.append(
                f'        <div class="forum-empty">\n            {ctx.t("no_topics")}\n        </div>\n'
            )
        parts.append("    </div>\n")
        return "".join(parts)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        all_topics = board.forum_list_paged(forum.id)
        topics = board.forum_list(forum.id, start)
        subforums = board.subforums(forum.id)
        sub_index = self._board_index(ctx, [("Subforums", subforums)]) if subforums else ""
        pages = self._pagination(
            ctx, f"f{forum.id}", forum.slug, len(all_topics), board.topics_per_page, start
        )
        body = f"""<div id="page-desc" class="box-subtle">
    <div class="page-desc-content">
        <div>{forum.description}</div>
    </div>
    <div class="page-desc-btn">
        {_icon("keyboard_arrow_down")}
        {_icon("keyboard_arrow_up")}
    </div>
</div>

{sub_index}

{pages}

{self._topics_list(ctx, topics)}

{pages}
"""
        return self._page(
            ctx,
            title=forum.title,
            body=body,
            header=self._header(ctx, category, path),
            canonical=forum_path(forum, start),
            meta=forum_meta(ctx, forum),
        )

    # -- topic ----------------------------------------------------------------------------------

    def _post_html(
        self,
        *,
        post_id: int,
        row_class: str,
        avatar: str,
        date: str,
        details: str,
        message: str,
        edited: str,
        first_post_br: bool,
    ) -> str:
        hr = '        <hr id="first-post-br" />\n' if first_post_br else ""
        return f"""<div id="{post_id}" class="topic">
        <div id="p{post_id}" class="post-section {row_class} post--{post_id}">
            <div class="post-head">
                <div class="post-icon">{_icon("person")}{avatar}</div>
                            <div class="post-info">
                                <div class="h3">{date}</div>
                                <div class="post-details">{details}</div>
                                </div>
            </div>
            <div class="post-content">
                {message}
            </div>
            {edited}
            <ul class="post-buttons">
                <li></li>
                <li></li>
                    </ul>
        </div>
{hr}</div>
"""

    def _post(self, ctx: RenderContext, post: Post, row_class: str, *, first_post_br: bool) -> str:
        avatar = f'<img src="{IMG}/avatar.png" alt="" />' if post.author is not None else ""
        return self._post_html(
            post_id=post.id,
            row_class=row_class,
            avatar=avatar,
            date=post_date(ctx, post.posted_at),
            details=f"{ctx.t('by')} {poster_link(ctx, post.author, post.author_name)}",
            message=post.body_html,
            edited=edited_message(ctx, post),
            first_post_br=first_post_br,
        )

    def topic(self, ctx: RenderContext, topic: Topic, start: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        if forum is None:
            raise LookupError(f"topic {topic.id} has no forum {topic.forum_id}")
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        rendered = []
        for number, post in enumerate(visible_posts(board, topic, start)):
            first = number == 0
            rendered.append(
                self._post(
                    ctx,
                    post,
                    "row1" if number % 2 == 0 else "row2",
                    first_post_br=first and topic.repeat_first_post,
                )
            )
            if first:
                rendered.append(
                    self._post_html(
                        post_id=0,
                        row_class="row2",
                        avatar="",
                        date="",
                        details=ctx.t("sponsored"),
                        message=SPONSORED_AD,
                        edited="",
                        first_post_br=False,
                    )
                )
        pages = self._pagination(
            ctx, f"t{topic.id}", topic.slug, len(topic.live_posts), board.posts_per_page, start
        )
        body = f"""<script type="text/javascript">
//<![CDATA[
var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
//]]>
</script>

{pages}

{"".join(rendered)}
{pages}
"""
        return self._page(
            ctx,
            title=topic.title,
            body=body,
            header=self._header(ctx, category, path, topic),
            canonical=topic_path(topic, start),
            meta=topic_meta(topic),
        )

    # -- active topics ----------------------------------------------------------------------

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        body = f"""<div class="box">
    <div class="box-header">{ctx.t("search_matches").format(len(topics))}</div>
</div>
{self._topics_list(ctx, topics)}"""
        return self._page(
            ctx,
            title=ctx.t("active_topics"),
            body=body,
            header=self._header(ctx, None, []),
            meta='<meta name="robots" content="noindex, follow" />',
        )

    # -- portal ---------------------------------------------------------------------------------

    def portal(self, ctx: RenderContext) -> str:
        """The mobile version has no ``portal_body`` template (Forumotion's mobile templates
        are index, forum, topic, posting and error pages only): phones get the forum index at
        ``/`` whether or not the board has a portal."""
        return self.index(ctx)

    # -- error ----------------------------------------------------------------------------------

    def error(self, ctx: RenderContext, message: str) -> str:
        return self._page(
            ctx,
            title="Information",
            body=f'<div class="box">\n    <div class="box-header">Information</div>\n    {e(message)}\n</div>',
            header=self._header(ctx, None, []),
            meta='<meta name="robots" content="noindex, follow" />',
        )


RENDERER = MobileRenderer()
