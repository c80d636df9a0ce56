"""Pages of the AwesomeBB template version, as a guest sees them.

The structure follows Forumotion's default awesomebb templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, mod_recent_topics, search_results_topics):
``<body id="top">`` with ``#main-menu``, forums as ``div.forum-section``, topics as
``div.posts-section`` (title link without a class, author after "by" in the description
paragraph, followed by the mini pagination), posts as ``div.post-wrap#post-ID`` with the anchor on
``div.post-header#ID``. Traps kept: the message is not wrapped in its own element — it sits
directly in ``div.post-content`` together with the edit note (loose text after it) and the
signature ``div.post-signature``; the date is in the post footer after the vote block; an inner
``div.post`` without id; no ``hr#first-post-br``, so a first post repeated on later pages is
recognised only by its link to the topic's first page. No ``{CURRENT_TIME}`` line.
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
    breadcrumb_items,
    category_heading,
    e,
    edited_message,
    forum_meta,
    forum_pages,
    forum_path,
    goto_page_new,
    index_meta,
    index_snippets,
    jumpbox_select,
    member_path,
    nav_cat_desc,
    post_date,
    post_href,
    post_subject,
    poster_link,
    recent_entries,
    rich_snippets,
    shorten,
    subforum_links,
    topic_meta,
    topic_pages,
    topic_path,
    topic_type,
    userdata_script,
    visible_posts,
    vote_block,
)
from forumscraper.demo.render.modernbb import recent_rows
from forumscraper.demo.render.portal import (
    TopTopic,
    most_active_topics,
    most_viewed_topics,
    news_items,
    portal_label,
    portal_snippets,
)

IMG = f"{ILLIWEB}/awesomebb"


def _icon(name: str) -> str:
    return f'<i class="material-icons">{name}</i>'


class AwesomebbRenderer:
    """The AwesomeBB version (``<body id="top">`` and ``#main-menu``)."""

    # -- page frame ---------------------------------------------------------------------------

    def _page(
        self,
        ctx: RenderContext,
        *,
        title: str,
        body: str,
        snippets: str,
        canonical: str | None = None,
        meta: str = "",
        right: str = "",
    ) -> str:
        board = ctx.board
        canonical_link = (
            f'    <link rel="canonical" href="{e(ctx.absolute(canonical))}" />\n'
            if canonical
            else ""
        )
        return f"""<!DOCTYPE html>
<html lang="{board.language}">
<head>
    <title>{e(title)}</title>
    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
{canonical_link}    {meta}
    <link rel="shortcut icon" type="image/x-icon" href="{ILLIWEB}/favicon.ico" />
    <meta name="title" content="{e(title)}" />
    <link rel="stylesheet" href="/41-ltr.css" type="text/css" />
    <link rel="search" type="application/opensearchdescription+xml" href="/improvedsearch.xml" title="{e(board.title)}" />
    <script src="//code.jquery.com/jquery-1.12.4.min.js" type="text/javascript"></script>
    <script src="https://illiweb.com/rsc/88/frm/lang/{board.language}.js" type="text/javascript"></script>
    {snippets}
    {userdata_script(ctx)}
</head>
<body id="top">
<header>
    <div id="main-menu-btn">
        {_icon("menu")}
    </div>
    <a id="logo-link" href="{ctx.href(INDEX_PATH)}">
        <div id="logo">
        </div>
        <span id="logo-text">{e(board.title)}</span>
    </a>
    <a href="/login" class="button">Log in</a>
    <form method="get" action="/search" id="search-main">
        <input type="text" name="search_keywords" maxlength="128" placeholder="Search" />
        <button type="submit">{_icon("search")}</button>
    </form>
    <ul id="header-navigation">
        <li><a id="navigation-home" href="{ctx.href(INDEX_PATH)}">{_icon("apps")}{ctx.t("forum")}</a></li>
        <li><a id="navigation-recent" href="/latest">{_icon("comment")}{ctx.t("topics")}</a></li>
    </ul>
</header>
<div id="main-menu" class="hidden">
    <div class="main-menu-headline">{e(board.title)}</div>
</div>
<div id="main-user-menu" class="hidden">
</div>
<div id="notif-menu" class="hidden">
    <div class="main-menu-headline" data-text="_lang['Notifications']"></div>
    <ul id="notif_list">
        <li id="notif-view-all"><a href="/profile?mode=editprofile&amp;page_profil=notifications" data-text="_lang['Notif_see_all']"></a></li>
    </ul>
    <div id="live_notif">
    </div>
</div>
<div id="header-banner">
    <div class="wrap">
        <h2 style="transition: none !important; opacity: 0;">{e(board.description)}</h2>
    </div>
</div>
<div id="site_widgets" style="display: none">
</div>
<div id="wrap">
{body}
</div><!-- <div id="wrap" /> -->
<div id="right" class="wrap"  style="display: none">
{right}
</div>
<footer>
    <div class="wrap">
        <div id="forum-statistics">
            <div>
                <div>Our users have posted a total of <strong>{len(board.live_posts())}</strong> messages</div>
            </div>
            <div>
                <div>We have <strong>{len(board.members)}</strong> registered users</div>
            </div>
        </div>
    </div>
</footer>
<div id="page-footer">
    <div class="wrap">
        <div class="navbar">
            <ul class="linklist clearfix">
                <li class="footer-to-top">
                    <a href="#top">
                        {_icon("arrow_upward")}
                    </a>
                </li>
                <li class="footer-home">
                    <a class="icon-home" href="{ctx.href(INDEX_PATH)}" accesskey="h">{ctx.t("home")}</a>
                </li>
                <li class="rightside">
                    <a name="bottom" class="copyright" href="https://www.forumotion.com" rel="nofollow" target="_blank" title="Create a free forum">Create a forum</a>
                </li>
            </ul>
        </div>
        <p class="copyright">
        </p>
    </div>
</div>
<div id="dimmer" class="hidden"></div>
<script type="text/javascript">
    //<![CDATA[
    fa_endpage();
    //]]>
</script>
</body>
</html>"""

    # -- index ----------------------------------------------------------------------------------

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        topics, posts, latest = ctx.board.forum_stats(forum.id)
        if latest is not None:
            last = latest.last_post
            href = post_href(ctx, latest, last)
            last_html = f"""                    <a class="topic-title" href="{href}" title="{e(latest.title)}">{e(shorten(latest.title, 25))}</a>
                    <span>
							<span class="forum-lastpost-author">
								{_icon("person")}{poster_link(ctx, last.author, last.author_name)}
							</span>
							<span class="forum-lastpost-time">
								{_icon("access_time")}<a href="{href}">{ctx.date(last.posted_at)}</a>
							</span>
						</span>"""
        else:
            last_html = "                    No Posts"
        return f"""    <div class="forum-section  ">
        <div class="forum-icon" title="No new posts">
            {_icon("forum")}
        </div>
        <div class="forum-content">
            <div class="forum-description">
                <h3><a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a></h3>
                <p>{forum.description}</p>
                {subforum_links(ctx, forum)}
            </div>
            <div class="forum-statistics">
                <span class="forum-statistics-topics">{topics} <span>{ctx.t("topics")}</span></span>
                <span class="forum-statistics-posts">{posts} <span>{ctx.t("posts")}</span></span>
            </div>
            <div class="forum-lastpost">
                <div class="avatar-default">
                </div>
                <div class="forum-lastpost-inner">
{last_html}
                </div>
            </div>
        </div>
    </div>
"""

    def _board_index(
        self, ctx: RenderContext, boxes: list[tuple[str, list[Forum]]], *, on_index: bool
    ) -> str:
        parts = [
            f"""<ul class="action-bar action-bar-top">
    <li>
        <a href="{ctx.href("/search?search_id=unanswered")}">
            {_icon("chat_bubble_outline")}&nbsp;View unanswered posts
        </a>
    </li>
</ul>
"""
        ]
        for heading, forums in boxes:
            rows = "".join(self._forum_row(ctx, forum) for forum in forums)
            parts.append(
                f"""<div class="forum ">
    <div class="forum-header">
        <div class="category-title">
            {_icon("description")}
            <span>{heading}</span>
        </div>
        <div class="forum-statistics-header">
					<span class="forum-statistics-header-topics">
						<i class="material-icons" data-tooltip="{ctx.t("topics")}">chat_bubble</i>
					</span>
            <span class="forum-statistics-header-posts">
						<i class="material-icons" data-tooltip="{ctx.t("posts")}">forum</i>
					</span>
        </div>
        <div class="forum-lastpost-header">
            <i class="material-icons" data-tooltip="{ctx.t("last_posts")}">watch_later</i>
            <span>{ctx.t("last_posts")}</span>
        </div>
    </div>
{rows}</div><!-- <div class="forum" /> -->
"""
            )
        if on_index:
            parts.append(
                f"""<ul class="action-bar action-bar-bottom">
    <li>
        <a href="{ctx.href("/search?search_id=activetopics")}">{ctx.t("active_topics")}</a>
    </li>
    <li>
        <a href="{ctx.href("/memberlist?mode=today_posters")}">Today's posters</a>
    </li>
    <li class="last">
        <a href="{ctx.href("/memberlist?mode=overall_posters")}">Overall posters</a>
    </li>
</ul>
"""
            )
        return "".join(parts)

    def _recent_topics(self, ctx: RenderContext) -> str:
        entries = recent_entries(ctx)
        classical = ctx.widget_mode == "classical"
        rows = recent_rows(
            entries,
            classical=classical,
            icon_time=_icon("access_time") + "\n\t\t\t\t\t",
            icon_person=_icon("person"),
            time_span=True,
        )
        if not classical:
            rows = f"""        <script src="https://illiweb.com/rsc/88/frm/jquery/marquee/jquery.marquee.min.js" type="text/javascript"></script>
        <div id="comments_scroll_div">
            <div class="marquee" data-direction='up' data-duration='15000' data-pauseOnHover="true" style="overflow:hidden;height:200px;">
{rows}            </div>
        </div>
        <script>
            $(".marquee").marquee();
        </script>
"""
        return f"""<div class="box">
    <div class="box-head">
        {_icon("chat")}
        <span>{ctx.t("recent_topics")}</span>
    </div>

    <div class="box-body">
{rows}    </div>
</div>"""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        boxes = [
            (category_heading(ctx, cat, None), board.child_forums(cat.id)) for cat in categories
        ]
        body = f"""<main id="index">
    <div class="main-inner">
{self._board_index(ctx, boxes, on_index=True)}
    </div>
</main>
<aside id="sidebar" class="sidebar-home">
    <div id="block-online" class="block-subtle">
        {_icon("assessment")}
        <div>
            <span class="headline">{ctx.t("who_is_online")}</span>
            In total there is <strong>1</strong> user online :: 0 Registered, 0 Hidden and 1 Guest<br /><br />
            Registered Users: None<br />
        </div>
    </div>
</aside>"""
        snippets, title, canonical = index_snippets(ctx, category)
        return self._page(
            ctx,
            title=title,
            body=body,
            snippets=snippets,
            canonical=canonical,
            meta=index_meta(ctx),
            right=self._recent_topics(ctx),
        )

    # -- forum ----------------------------------------------------------------------------------

    def _topic_row(self, ctx: RenderContext, topic: Topic) -> str:
        last = topic.last_post
        return f"""    <div class="posts-section" title="No new posts">
        <div class="posts-icon ">
            {_icon("chat_bubble")}
            <div class="read-check" style="display: none;"></div>
            <div class="participate-check"></div>
        </div>
        <div class="posts-content">
            <div class="posts-description" >
                <h3>
                    {topic_type(topic, ctx.board.language)}
                    <a href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>
                </h3>
                <p>{ctx.t("by")} {poster_link(ctx, topic.author, topic.author_name)} {goto_page_new(ctx, topic)}</p>
            </div>
            <div class="posts-statistics">
                <span class="posts-statistics-replies">{topic.reply_count} <span>{ctx.t("replies")}</span></span>
                <span class="posts-statistics-views">{topic.views} <span>{ctx.t("views")}</span></span>
            </div>
            <div class="posts-lastpost">
                <div class="avatar-default">
                </div>
                <div class="posts-lastpost-inner">
                    <span>
								<span class="posts-lastpost-author">
									{_icon("person")}{poster_link(ctx, last.author, last.author_name)}
								</span>
								<a class="posts-lastpost-time" href="{post_href(ctx, topic, last)}">
									{_icon("access_time")}{ctx.date(last.posted_at)}
								</a>
							</span>
                </div>
            </div>
        </div>
    </div>
"""

    def _list_header(self, ctx: RenderContext, title: str, icon: str) -> str:
        return f"""    <div class="posts-header">
        <h2 class="posts-title">
            {_icon(icon)}
            <span>{title}</span>
        </h2>
        <div class="posts-statistics-header">
						<span class="posts-statistics-header-replies">
							{_icon("forum")}
						</span>
            <span class="posts-statistics-header-views">
							{_icon("remove_red_eye")}
						</span>
        </div>
        <div class="posts-lastpost-header">
            {_icon("watch_later")}
            <span>{ctx.t("last_post")}</span>
        </div>
    </div>
"""

    def _topics_list(self, ctx: RenderContext, topics: list[Topic]) -> str:
        special = bool(topics) and (topics[0].sticky or topics[0].announcement)
        parts = [
            '<div class="posts">\n'
            + self._list_header(ctx, ctx.t("announcements") if special else ctx.t("topics"), "star")
        ]
        in_special = special
        for topic in topics:
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(
                    '</div><!-- <div class="posts" /> -->\n'
                    + self._list_header(ctx, ctx.t("topics"), "description")
                    + '<div class="posts">\n'
                )
            parts.append(self._topic_row(ctx, topic))
        if not topics:
            parts.append(
                f'    <div class="posts-section posts-empty">\n        {ctx.t("no_topics")}\n    </div>\n'
            )
        parts.append("</div>\n")
        return "".join(parts)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        topics = board.forum_list(forum.id, start)
        subforums = board.subforums(forum.id)
        sub_index = (
            self._board_index(ctx, [("Subforums", subforums)], on_index=False) if subforums else ""
        )
        pages = forum_pages(ctx, forum, start)
        body = f"""<div class="page-header">
    <h1><a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a></h1>
    <div id="page-desc">
        <div class="page-desc-content">
            <div>{forum.description}</div>
        </div>
        <div class="page-desc-btn">
            {_icon("keyboard_arrow_down")}
            {_icon("keyboard_arrow_up")}
        </div>
    </div>
    <div id="breadcrumbs">
        <a href="{ctx.href(INDEX_PATH)}">{_icon("home")} <span>{e(board.title)}</span></a>
        {nav_cat_desc(ctx, category, path)}
    </div>
    <div class="pagination">
        {pages}
    </div>
</div>
<div class="topic-actions">
    <div class="topic-actions-buttons">
    </div>
</div>
<div class="clear"></div>
{sub_index}
<div class="clear"></div>
{self._topics_list(ctx, topics)}
<div class="pagination">
    {pages}
</div>
<div class="clear"></div>
<div class="block">
    <div class="block-header">
        <i class="ion-university"></i>Moderators
    </div>
    <div class="block-content">
        <p>None</p>
    </div>
</div>
<div class="block">
    <div class="block-header">
        <i class="ion-lock-combination"></i>{ctx.t("permissions")}
    </div>
    <div class="block-content">
        <p>{ctx.t("cannot_reply")}<br /></p>
    </div>
</div>"""
        return self._page(
            ctx,
            title=forum.title,
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(board, category, path)),
            canonical=forum_path(forum, start),
            meta=forum_meta(ctx, forum),
        )

    # -- topic ----------------------------------------------------------------------------------

    def _votes(self, forum: Forum | None, post: Post) -> str:
        if forum is None or not forum.votes:
            return ""
        votes = vote_block(post)
        if votes is None:
            bar = '<div title="Votes : 0" class="vote-bar-empty"></div>'
        else:
            plus, minus = votes
            bar = f"""<div class="vote-bar" title="Votes : {plus} / {plus + minus}">
                                            <div class="vote-bar-desc">
                                                Votes : {plus} / {plus + minus}
                                            </div>
                                            <div class="vote-bars">
                                                <div class="vote-bar-plus" style="width:{plus * 10}px;"></div>
                                            </div>
                                        </div>"""
        return f"""                                    <div class="vote">
                                        {bar}
                                    </div>
"""

    def _post_html(
        self,
        *,
        post_id: int,
        row_class: str,
        subject_link: str,
        message: str,
        edited: str,
        signature: str,
        votes: str,
        date: str,
        name: str,
        rank: str,
        avatar: str,
        details: str,
        contact: str,
    ) -> str:
        return f"""                    <div id="post-{post_id}" class="post-wrap {row_class} post--{post_id}">
                        <div id="{post_id}" class="post-header">
                            <h2>
                                {_icon("description")}

                                <span>{subject_link}</span>
                            </h2>
                            <div class="mobile-hide post-buttons">
                                <ul>
                                    <li class="btn-report">
                                    </li>
                                </ul>
                            </div>
                        </div>
                        <div class="post-body">
                            <div class="post">
                                <div class="post-content">
                                    {message}
                                    {edited}
{signature}                                </div>
                                <div class="post-footer">
{votes}                                    <span class="post-date">{date}</span>
                                </div>
                            </div>
                            <aside class="post-aside">
                                <div class="post-author-status"></div>
                                <div class="post-author">
							<span class="post-author-name">
								{name}
							</span>
                                    <span class="post-author-title">
								{rank}
							</span>
                                </div>
                                <div class="post-author-avatar">
                                    <div class="avatar-big">
                                        {avatar}
                                    </div>
                                </div>
                                <dl class="post-author-details">
{details}                                </dl>
                                <div class="post-author-rpg">
                                </div>
                                <div class="post-author-contact dropdown">
                                    {_icon("keyboard_arrow_down")}
                                    <div class="dropdown-box">
                                        {contact}
                                    </div>
                                </div>
                            </aside>
                        </div>
                    </div>
"""

    def _post(self, ctx: RenderContext, topic: Topic, post: Post, row_class: str) -> str:
        board = ctx.board
        if post.author is not None:
            profile = ctx.href(member_path(post.author))
            avatar = f'<a href="{profile}"><img src="{IMG}/avatar.png" alt="" /></a>'
            details = (
                f'                                    <dt><span class="label"><span style="color:#000000;">{ctx.t("posts")}</span>  :</span></dt>\n'
                f"                                    <dd>{board.member_post_count(post.author.id)}</dd>\n"
            )
            contact = f'<a href="{profile}">{_icon("person")}</a>'
            rank = ctx.t("member")
        else:
            avatar, details, contact, rank = "", "", "", ctx.t("guest")
        signature = (
            f'                                    <div class="post-signature" id="sig{post.id}">{post.signature_html}</div>\n'
            if post.signature_html
            else ""
        )
        return self._post_html(
            post_id=post.id,
            row_class=row_class,
            subject_link=f'<a href="{post_href(ctx, topic, post)}">{e(post_subject(topic, post))}</a>',
            message=post.body_html,
            edited=edited_message(ctx, post),
            signature=signature,
            votes=self._votes(board.forum(topic.forum_id), post),
            date=post_date(ctx, post.posted_at),
            name=poster_link(ctx, post.author, post.author_name),
            rank=rank,
            avatar=avatar,
            details=details,
            contact=contact,
        )

    def _sponsored(self, ctx: RenderContext, topic: Topic) -> str:
        return self._post_html(
            post_id=0,
            row_class="row2",
            subject_link=f'<a href="{ctx.href(topic_path(topic))}">{ctx.t("sponsored")}</a>',
            message=SPONSORED_AD,
            edited="",
            signature="",
            votes="",
            date="",
            name=ctx.t("sponsored"),
            rank="",
            avatar="",
            details="",
            contact="",
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
            rendered.append(self._post(ctx, topic, post, "row1" if number % 2 == 0 else "row2"))
            if number == 0:
                rendered.append(self._sponsored(ctx, topic))
        pages = topic_pages(ctx, topic, start)
        paging = f'    <div class="pagination">\n        {pages}\n    </div>\n' if pages else ""
        body = f"""<script type="text/javascript">
    //<![CDATA[
    var multiquote_img_off = '{IMG}/icon_multiquote_off.png', multiquote_img_on = '{IMG}/icon_multiquote_on.png', _atr = 'https://illiweb.com/rsc/88/frm/addthis/', _ati = '{ILLIWEB}/addthis/';
    var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
    //]]>
</script>
<main id="topic">
    <div class="topic-header">
        <h1><a href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a></h1>
        <div id="breadcrumbs" class="breadcrumbs-topic">
            <a href="{ctx.href(INDEX_PATH)}">{_icon("home")} <span>{e(board.title)}</span></a>
            {nav_cat_desc(ctx, category, path)}
        </div>
    {paging.strip() if paging else ""}
    </div>
    <div class="topic-actions">
        <div class="topic-actions-buttons">
            <a class="addthis_button">Share</a>
        </div>
    </div>
{"".join(rendered)}    <div class="topic-actions bottom">
        <div class="topic-actions-buttons">
        </div>
    </div>
{paging}    <form class="jumpbox" action="/viewforum" method="get" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
        <label>
            <span>Jump to:</span>
            <div class="jumpbox-wrap">
                {jumpbox_select(ctx, forum)}
                <input type="submit" value="Go" />
            </div>
        </label>
    </form>
</main>"""
        return self._page(
            ctx,
            title=topic.title,
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(board, category, path, topic), topic),
            canonical=topic_path(topic, start),
            meta=topic_meta(topic),
        )

    # -- active topics ----------------------------------------------------------------------

    def _search_row(self, ctx: RenderContext, topic: Topic, row_class: str) -> str:
        last = topic.last_post
        forum = ctx.board.forum(topic.forum_id)
        forum_link = (
            f"""<a href="{ctx.href(forum_path(forum))}" class="block-topics-category">
                        {e(forum.title)}
                    </a>"""
            if forum
            else ""
        )
        return f"""        <div class="block-content">
            <div class="block-topics-icon {row_class}">
                {_icon("forum")}
                <div class="participate-check"></div>
            </div>
            <div class="block-topics-content">
                <div class="block-topics-details">
                    <h2>
                        <a class="topictitle" href="{ctx.href(topic_path(topic))}">
                            {e(topic.title)}
                        </a>
                    </h2>
                    <span class="block-topics-author">
						{ctx.t("by")} {poster_link(ctx, topic.author, topic.author_name)}
					</span>
                    <div class="block-topics-lastpost">
                        {poster_link(ctx, last.author, last.author_name)}, {ctx.date(last.posted_at)} <a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.png" alt="{ctx.t("last_post")}" /></a>
                    </div>
                </div>
                <div class="block-topics-rightside">
                    {forum_link}
                    <div class="clear"></div>
                    <div class="block-topics-posts">{topic.reply_count} {_icon("reply_all")}</div>
                    <div class="block-topics-views">{topic.views} {_icon("remove_red_eye")}</div>
                </div>
            </div>
        </div>
"""

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        rows = "".join(
            self._search_row(ctx, topic, "row1" if number % 2 == 0 else "row2")
            for number, topic in enumerate(topics)
        )
        body = f"""<div class="page-header">
    <h1>{ctx.t("search_matches").format(len(topics))}</h1>
    <div id="breadcrumbs">
        <a href="{ctx.href(INDEX_PATH)}">{_icon("home")} <span>{e(ctx.board.title)}</span></a>
        {ctx.t("active_topics")}
    </div>
    <div class="pagination">
    </div>
</div>
<form action="/search" method="post" name="post" onsubmit="return verify_select();">
    <div class="block block-topics">
{rows}    </div>
    <div class="pagination">
    </div>
</form>"""
        return self._page(
            ctx,
            title=ctx.t("active_topics"),
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )

    # -- portal ---------------------------------------------------------------------------------

    def _top_topics(
        self, ctx: RenderContext, heading: str, icon: str, topics: list[TopTopic]
    ) -> str:
        rows = "".join(
            f"""            <li>
                <a href="{top.href}" title="{top.title}">
                    {_icon("subject")}
                    <span>{top.name}</span>
                </a>
            </li>
"""
            for top in topics
        )
        return f"""<div class="box">
    <div class="box-head">
        {_icon(icon)}
        <span>{heading}</span>
    </div>
    <div class="box-body box-list">
        <ul>
{rows}        </ul>
    </div>
</div>
"""

    def _news(self, ctx: RenderContext) -> str:
        return "".join(
            f"""<a name="news_{item.topic.id}"></a>

<div class="mod-news">
    <div class="mod-news-header">
        <div class="h3">{item.title}</div>
        <div class="mod-news-info"><span class="mod-news-time"><i class="ion-clock"></i>{item.time}</span><span class="mod-news-author"><i class="ion-ios-person"></i>{item.poster}</span></div>
    </div>
    <div class="content">{item.text}
    </div>
    <div class="mod-news-footer">
        <a href="{item.comments_href}" class="comments-num"><i class="ion-chatbubbles"></i>{portal_label(ctx, "comments")}: {item.replies}</a>
    </div>
</div>
"""
            for item in news_items(ctx)
        )

    def portal(self, ctx: RenderContext) -> str:
        """``portal_body``: news in the middle, recent topics left, most active and most viewed
        topics right; no ``{CURRENT_TIME}`` (AwesomeBB prints none anywhere)."""
        body = f"""<div id="portal">
    <div id="portal-leftmiddle">
        <div id="portal-leftmiddle-inner">
            <div id="portal-middle">
                <div id="portal-middle-inner">
{self._news(ctx)}                </div>
            </div>
            <div id="portal-left">
{self._recent_topics(ctx)}
            </div>
        </div>
    </div>
    <div id="portal-right">
{self._top_topics(ctx, portal_label(ctx, "most_active"), "whatshot", most_active_topics(ctx))}
{self._top_topics(ctx, portal_label(ctx, "most_viewed"), "remove_red_eye", most_viewed_topics(ctx))}
    </div>
</div>"""
        return self._page(
            ctx,
            title=ctx.board.title,
            body=body,
            snippets=portal_snippets(ctx),
            meta=index_meta(ctx),
        )

    # -- error ----------------------------------------------------------------------------------

    def error(self, ctx: RenderContext, message: str) -> str:
        body = f"""<div class="block">
    <div class="block-header">
        Information
    </div>
    <div class="block-content">
        {e(message)}
    </div>
</div>"""
        return self._page(
            ctx,
            title="Information",
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )


RENDERER = AwesomebbRenderer()
