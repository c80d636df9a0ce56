"""Pages of the ModernBB template version, as a guest sees them.

The structure follows Forumotion's default modernbb templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, mod_recent_topics, search_results_topics,
overall_footer_*): ``<body id="modernbb">``, phpBB3-like lists (``ul.topiclist``), posts as
``div.post#pID`` with the poster in ``div.postprofile-name``, the date in ``div.topic-date``
(followed by the vote block when the forum has votes on), the body in ``div.postbody >
div.content > div``, the edit note in ``div.edited-message`` and the signature in
``div.signature_div``. The "Recent topics" widget uses the ``mod-recent-*`` markup (in classical
mode one ``div.mod-recent-row`` holds every line). ``{CURRENT_TIME}`` is in the footer.
"""

# Markup lines are kept as the templates lay them out, hence no line-length limit here.
# ruff: noqa: E501

from __future__ import annotations

from forumscraper.demo.content import Category, Forum, Post, Topic
from forumscraper.demo.render.common import (
    ILLIWEB,
    INDEX_PATH,
    SPONSORED_AD,
    RecentEntry,
    RenderContext,
    active_topics,
    breadcrumb_items,
    category_heading,
    current_time,
    e,
    edited_message,
    forum_last_post,
    forum_meta,
    forum_pages,
    forum_path,
    goto_page_new,
    index_meta,
    index_snippets,
    jumpbox_select,
    member_path,
    nav_bar,
    nav_cat_desc,
    post_date,
    post_href,
    post_subject,
    poster_link,
    recent_entries,
    rich_snippets,
    subforum_links,
    topic_meta,
    topic_pages,
    topic_path,
    topic_type,
    userdata_script,
    visible_posts,
    vote_block,
)
from forumscraper.demo.render.portal import (
    TopTopic,
    most_active_topics,
    most_viewed_topics,
    news_items,
    portal_label,
    portal_snippets,
)

IMG = f"{ILLIWEB}/modernbb"


def recent_rows(
    entries: list[RecentEntry],
    *,
    classical: bool,
    icon_time: str,
    icon_person: str,
    time_span: bool = False,
) -> str:
    """The ``mod-recent-*`` lines of ModernBB and AwesomeBB: one ``div.mod-recent-row`` per line
    when scrolling, one around every line in the classical mode (as the templates have it).
    AwesomeBB wraps the time in its own ``<span>`` (``time_span``)."""
    lines = []
    for entry in entries:
        time = f"<span>{entry.time}</span>" if time_span else entry.time
        title = (
            f'<a href="{entry.href}" class="mod-recent-title">{entry.title}</a>'
            if classical
            else f'<a href="{entry.href}" title="{entry.title}" class="mod-recent-title">{entry.short_title}</a>'
        )
        lines.append(
            f"""			{title}
			<span class="mod-recent-info">
				<span class="mod-recent-time">
					{icon_time}{time}
				</span>

				<span class="mod-recent-author">
					{icon_person}
						{entry.poster}
				</span>
			</span>
"""
        )
    if classical:
        return '	<div class="mod-recent-row">\n' + "".join(lines) + "	</div>\n"
    return "".join(
        f'		<div class="mod-recent-row">\n{line}		</div>\n' for line in lines
    )


class ModernbbRenderer:
    """The ModernBB version (``<body id="modernbb">``)."""

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
        clock: bool = True,
    ) -> str:
        board = ctx.board
        current = f'<li><i class="ion-clock"></i>{current_time(ctx)}</li>' if clock else ""
        canonical_link = (
            f'\t<link rel="canonical" href="{e(ctx.absolute(canonical))}" />\n' if canonical else ""
        )
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr" id="min-width" lang="{board.language}" xml:lang="{board.language}" >
<head>
	<title>{e(title)}</title>
	<meta http-equiv="content-type" content="text/html; charset=UTF-8" />
	<meta http-equiv="content-script-type" content="text/javascript" />
	<meta http-equiv="content-style-type" content="text/css" />
{canonical_link}	<link rel="shortcut icon" type="image/x-icon" href="{ILLIWEB}/favicon.ico" />
	{meta}
	<meta name="title" content="{e(title)}" />
	<link rel="stylesheet" href="/31-ltr.css" type="text/css" />
	<link rel="search" type="application/opensearchdescription+xml" href="/improvedsearch.xml" title="{e(board.title)}" />
	<script src="//ajax.googleapis.com/ajax/libs/jquery/1.7.2/jquery.min.js" type="text/javascript"></script>
	<script src="https://illiweb.com/rsc/88/frm/lang/{board.language}.js" type="text/javascript"></script>
    {snippets}
	<script type="text/javascript">//<![CDATA[
	var logInPopUpLeft, logInPopUpTop, logInPopUpWidth = 350, logInPopUpHeight = 150, logInBackgroundResize = true, logInBackgroundClass = false;
	//]]>
	</script>
	{userdata_script(ctx)}
</head>
<body id="modernbb">
		<div id="login_popup" style="z-index: 10000 !important;">
			<div class="h3">{e(board.title)}</div>
            <div id="login_popup_message">
                Would you like to react to this message? Create an account in a few clicks or log in to continue.
            </div>
			<div id="login_popup_buttons">
				<form action="/login" method="get">
					<input type="submit" class="button1" value="Log in" />
					<input type="button" class="button1" value="Register" onclick="parent.location='/register';" />
					<input id="login_popup_close" type="button" class="button2" value="Don't display again" />
				</form>
			</div>
		</div>
	<a id="top" name="top" accesskey="t"></a>
	<div id="page-header">
		<div class="headerbar">
			<div id="headerbar-top">
				<div class="wrap">
					<a href="{ctx.href(INDEX_PATH)}" id="logo"><img src="{IMG}/logo.png" alt="{e(board.title)}" /></a>
					<ul class="navbar navlinks">
						<li>{nav_bar(ctx)}</li>
					</ul>
				</div>
			</div>
			<div class="wrap">
				<div id="site-desc">
						<div id="site-title">{e(board.title)}</div>
						<p>{e(board.description)}</p>
				</div>
			</div>
		</div>
	</div>
	<div class="conteneur_minwidth_IE">
	<div class="conteneur_layout_IE">
	<div class="conteneur_container_IE">
	<div id="wrap">
		<div id="page-body">
			<div id="{"content-container" if right else "content-container-full"}">
				<div id="outer-wrapper">
					<div id="wrapper">
						<div id="left">
						</div>
						<div id="container">
							<div id="content-main">
								<div id="main">
									<div id="main-content">
{body}
									</div>
								</div>
							</div>
						</div>
						<div id="right">
{right}
						</div>
					</div>
				</div>
			</div>
		</div>
	</div>
	</div>
	</div>
	</div>
<div class="statistics">
	<div class="wrap">
		<div class="statistics-item">
			Our users have posted a total of <strong>{len(board.live_posts())}</strong> messages
		</div>
		<div class="statistics-item">
			We have <strong>{len(board.members)}</strong> registered users
		</div>
	</div>
</div>
<div id="page-footer">
	<div class="wrap">
		<ul class="footerbar-system">
			<li class="footer-home">
				<a class="icon-home" href="{ctx.href(INDEX_PATH)}" accesskey="h"><i class="ion-ios-home"></i>{ctx.t("home")}</a>
			</li>
			<li class="rightside">
			</li>
		</ul>
		<ul class="footerbar-user">
			{current}
				<li class="rightside">
					<a name="bottom" class="copyright" href="https://www.forumotion.com" rel="nofollow" target="_blank" title="Create a free forum">
						Create a forum
					</a>
				</li>
        </ul>
	</div>
	<div class="copyright">
		<div class="wrap">
			<div class="copyright-body">
            </div>
        </div>
    </div>
</div>
<script type="text/javascript">
//<![CDATA[
	fa_endpage();
//]]>
</script>
</body>
</html>"""

    # -- index ----------------------------------------------------------------------------------

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        topics, posts, _ = ctx.board.forum_stats(forum.id)
        return f"""				<li class="row">
					<dl class="icon" style="background:url({IMG}/folder_big.png) no-repeat scroll 0 50%;">
						<dd class="dterm">
							<div style="display: block; margin : 0 0 0 0;">
								<h3 class="hierarchy">
								<a href="{ctx.href(forum_path(forum))}" class="forumtitle">{e(forum.title)}</a>
								</h3>
								{forum.description}
								{subforum_links(ctx, forum)}
								<strong></strong>
							</div>
						</dd>
						<dd class="topics">{topics} <dfn>{ctx.t("topics")}</dfn></dd>
						<dd class="posts">{posts} <dfn>{ctx.t("posts")}</dfn></dd>
						<dd class="lastpost">
							<span>
							{forum_last_post(ctx, forum, f"{IMG}/icon_latest_reply.png")}
							</span>
						</dd>
					</dl>
				</li>
"""

    def _board_index(
        self, ctx: RenderContext, boxes: list[tuple[str, list[Forum]]], *, on_index: bool
    ) -> str:
        parts = [
            f"""<ul class="linklist top">
	<li>
		<a href="{ctx.href("/search?search_id=unanswered")}"><i class="ion-ios-chatbubble-outline"></i>View unanswered posts</a>
	</li>
</ul>
"""
        ]
        for heading, forums in boxes:
            rows = "".join(self._forum_row(ctx, forum) for forum in forums)
            parts.append(
                f"""		<div class="forabg">
			<ul class="topiclist">
				<li class="header">
					<dl class="icon">
						<dd class="dterm"><div class="table-title">{heading}</div></dd>
						<dd class="topics"><i class="ion-android-list" data-tooltip="{ctx.t("topics")}"></i></dd>
						<dd class="posts"><i class="ion-android-chat" data-tooltip="{ctx.t("posts")}"></i></dd>
						<dd class="lastpost"><i class="ion-android-time" data-tooltip="{ctx.t("last_posts")}"></i></dd>
					</dl>
				</li>
			</ul>
			<ul class="topiclist forums">
{rows}				</ul>
		</div>
"""
            )
        if on_index:
            parts.append(
                f"""<ul class="linklist bottom">
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
            icon_time='<i class="ion-clock"></i>',
            icon_person='<i class="ion-ios-person"></i>',
        )
        if not classical:
            rows = f"""	<script src="https://illiweb.com/rsc/88/frm/jquery/marquee/jquery.marquee.min.js" type="text/javascript"></script>
	<div id="comments_scroll_div">
	<div class="marquee" data-direction='up' data-duration='15000' data-pauseOnHover="true" style="overflow:hidden;height:200px;">
{rows}	</div>
	</div>
	<script>
		$(".marquee").marquee();
	</script>
"""
        return f"""<div class="module">
	<div class="h3"><i class="ion-chatbubble-working"></i>{ctx.t("recent_topics")}</div>

{rows}</div>"""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        boxes = [(category_heading(ctx, cat), board.child_forums(cat.id)) for cat in categories]
        body = f"""{self._board_index(ctx, boxes, on_index=True)}
	<div class="block">
			<div class="h3"><i class="ion-stats-bars"></i>{ctx.t("who_is_online")}</div>
		In total there is <strong>1</strong> user online :: 0 Registered, 0 Hidden and 1 Guest<br />
		Registered Users: None<br />
		<div class="block-footer"><strong>Legend:</strong>&nbsp;</div>
	</div>"""
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

    def _topic_row(self, ctx: RenderContext, topic: Topic, row_class: str) -> str:
        last = topic.last_post
        special = topic.sticky or topic.announcement
        folder = "announce" if topic.announcement else "sticky" if topic.sticky else "topic_read"
        return f"""		<li class="row {row_class}"{' style="margin-top:5px;"' if special else ""} >
			<dl class="icon" style="background-image:url('{IMG}/{folder}.png');">
				<dd class="dterm" title="" >
					<div class="topic-title-container">


						{topic_type(topic, ctx.board.language)}
						<h2 class="topic-title hierarchy">
							<a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>
						</h2>
					</div>
					<span class="topic-author">
						&nbsp;{ctx.t("by")}&nbsp;{poster_link(ctx, topic.author, topic.author_name)}
					</span>
					{goto_page_new(ctx, topic)}
				</dd>
				<dd class="posts">{topic.reply_count} <dfn>{ctx.t("replies")}</dfn></dd>
				<dd class="views">{topic.views} <dfn>{ctx.t("views")}</dfn></dd>
				<dd class="lastpost">
					<span>
						{poster_link(ctx, last.author, last.author_name)}&nbsp;<dfn>{ctx.t("last_post")}</dfn> <a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.png" alt="{ctx.t("last_post")}" /></a><br />{ctx.date(last.posted_at)}
					</span>
				</dd>
			</dl>
		</li>
"""

    def _list_head(self, ctx: RenderContext, title: str, *, first: bool) -> str:
        term = (
            f"<dt>\n\t\t\t\t\t\t{title}\n\t\t\t\t\t</dt>"
            if first
            else f'<dd class="dterm">\n\t\t\t\t\t\t{title}\n\t\t\t\t\t</dd>'
        )
        return f"""		<ul class="topiclist topics">
			<li class="header">
				<dl class="icon">
					{term}
					<dd class="posts"><i class="ion-android-chat" data-tooltip="{ctx.t("replies")}"></i></dd>
					<dd class="views"><i class="ion-eye" data-tooltip="{ctx.t("views")}"></i></dd>
					<dd class="lastpost"><i class="ion-android-time" data-tooltip="{ctx.t("last_post")}"></i></dd>
				</dl>
			</li>
		</ul>
		<ul class="topiclist topics bg_none">
"""

    def _topics_list(self, ctx: RenderContext, topics: list[Topic]) -> str:
        special = bool(topics) and (topics[0].sticky or topics[0].announcement)
        parts = [
            '	<div class="forumbg announcement">\n'
            + self._list_head(
                ctx, ctx.t("announcements") if special else ctx.t("topics"), first=True
            )
        ]
        in_special = special
        for number, topic in enumerate(topics):
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(
                    '			</ul>\n		</div>\n		<div class="forumbg">\n'
                    + self._list_head(ctx, ctx.t("topics"), first=False)
                )
            parts.append(self._topic_row(ctx, topic, "row1" if number % 2 == 0 else "row2"))
        if not topics:
            parts.append(
                f'<li class="row row1">\n\t<dl>\n\t\t<dt><strong>{ctx.t("no_topics")}</strong></dt>\n\t</dl>\n</li>\n'
            )
        parts.append("</ul>\n</div>\n")
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
        body = f"""{sub_index}
<div class="sub-header">
	<div class="sub-header-info">
		<h1 class="page-title">
			<a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a>
		</h1>
		<div class="sub-header-path">
			<a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>
			{nav_cat_desc(ctx, category, path)}
		</div>
	</div>
	<div class="sub-header-buttons">
		<div class="search-box">
			<form method="get" id="forum-search" action="/search">
				<input class="inputbox search tiny" type="text" name="search_keywords" id="search_keywords" size="20" value="Search" />
				<button type="submit"><i class="ion-android-search"></i></button>
				<input type="hidden" value="f{forum.id}" name="search_where" />
			</form>
		</div>
	</div>
</div>
<div class="topic-actions">
	<div class="pagination">
		{pages}
	</div>
	<div class="topic-actions-buttons">
	</div>
</div>
{self._topics_list(ctx, topics)}
<div class="topic-actions bottom">
	<div class="pagination">
		{pages}
	</div>
	<div class="topic-actions-buttons">
	</div>
</div>
<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
	<fieldset class="vf_jumpbox">
		<label>Jump to:</label>
		{jumpbox_select(ctx, forum)}
		<input class="button2" type="submit" value="Go" />
	</fieldset>
</form>
Users browsing this forum: None
<br>
<div id="info_open" style="display: block; clear: both;">
	<div class="block">
		<div class="h3"><i class="ion-university"></i>Moderators</div>
		<p>None</p>
	</div>
	<div class="block">
		<div class="h3"><i class="ion-lock-combination"></i>{ctx.t("permissions")}</div>
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
            clock=board.clock_on_forum_pages,
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
        return f"""
					<div class="vote">
						{bar}
					</div>"""

    def _post_html(
        self,
        *,
        post_id: int,
        row_class: str,
        avatar: str,
        name: str,
        rank: str,
        info: str,
        contact: str,
        subject_link: str,
        date: str,
        votes: str,
        message: str,
        edited: str,
        signature: str,
    ) -> str:
        return f"""		<div id="p{post_id}" class="post {row_class} post--{post_id}" style="">
            <div style="position: relative; top: -30px; width: 1px;" id="{post_id}"></div>
			<div class="postprofile" id="profile{post_id}">
				<dl>
					<dt>
						<div class="postprofile-avatar">
							{avatar}
						</div>
						<div class="postprofile-name">
							{name}
						</div>
						<div class="postprofile-rank">
							{rank}
						</div>
					</dt>
					<dd class="postprofile-info">
						{info}
					</dd>
					<dd class="postprofile-contact">
						{contact}
					</dd>
				</dl>
			</div>
			<div class="post-head">
				<ul class="profile-icons">
					<li class="btn-report">
					</li>
				</ul>
				<h2 class="topic-title"> {subject_link}</h2>
				<div class="topic-date">
					{date}{votes}
				</div>
			</div>
			<div class="postbody">
				<div class="content">
					<div>{message}</div>
				</div>
				<div class="edited-message">
					{edited}
				</div>
{signature}			</div>
		</div>
"""

    def _post(self, ctx: RenderContext, topic: Topic, post: Post, row_class: str) -> str:
        board = ctx.board
        if post.author is not None:
            profile = ctx.href(member_path(post.author))
            avatar = f'<a href="{profile}"><img src="{IMG}/avatar.png" alt="" /></a>'
            info = (
                f'<span class="label"><span style="color:#000000;">{ctx.t("posts")}</span>  :</span> '
                f"{board.member_post_count(post.author.id)}<br />"
            )
            contact = f'<a href="{profile}"><i class="ion-person"></i></a>'
            rank = ctx.t("member")
        else:
            avatar, info, contact, rank = "", "", "", ctx.t("guest")
        signature = (
            f'					<div class="signature_div" id="sig{post.id}">{post.signature_html}</div>\n'
            if post.signature_html
            else ""
        )
        return self._post_html(
            post_id=post.id,
            row_class=row_class,
            avatar=avatar,
            name=poster_link(ctx, post.author, post.author_name),
            rank=rank,
            info=info,
            contact=contact,
            subject_link=f'<a href="{post_href(ctx, topic, post)}">{e(post_subject(topic, post))}</a>',
            date=post_date(ctx, post.posted_at),
            votes=self._votes(board.forum(topic.forum_id), post),
            message=post.body_html,
            edited=edited_message(ctx, post),
            signature=signature,
        )

    def _sponsored(self, ctx: RenderContext, topic: Topic) -> str:
        return self._post_html(
            post_id=0,
            row_class="row2",
            avatar="",
            name=ctx.t("sponsored"),
            rank="",
            info="",
            contact="",
            subject_link=f'<a href="{ctx.href(topic_path(topic))}">{ctx.t("sponsored")}</a>',
            date="",
            votes="",
            message=SPONSORED_AD,
            edited="",
            signature="",
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
                if topic.repeat_first_post:
                    rendered.append('		<hr id="first-post-br" />\n')
                rendered.append(self._sponsored(ctx, topic))
        pages = topic_pages(ctx, topic, start)
        paging = (
            f'		<div class="pagination">\n			{pages}\n		</div>\n'
            if pages
            else ""
        )
        older = ctx.href(f"/t{topic.id}p-{topic.slug}")
        newer = ctx.href(f"/t{topic.id}n-{topic.slug}")
        body = f"""<script type="text/javascript">//<![CDATA[
var multiquote_img_off = '{IMG}/icon_multiquote_off.png', multiquote_img_on = '{IMG}/icon_multiquote_on.png', _atr = 'https://illiweb.com/rsc/88/frm/addthis/', _ati = '{ILLIWEB}/addthis/', addthis_localize = {{ share_caption: "Share", email: "Email", email_caption: "Email", favorites: "Favorites", print: "Print", more: "More" }};
var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
//]]>
</script>
<div class="sub-header">
	<div class="sub-header-info">
		<h1 class="page-title">
			<a href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>
		</h1>
		<div class="sub-header-path">
			<a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>
			{nav_cat_desc(ctx, category, path)}
		</div>
	</div>
	<div class="sub-header-buttons">
	</div>
</div>
<div class="topic-actions">
{paging}	<div class="topic-actions-buttons">
		<a class="addthis_button">Share</a>
	</div>
</div>
<div class="quick-nav-topics">
	<a href="{older}">View previous topic</a>
    <a href="#bottom">{ctx.t("go_down")}</a>
	<a href="{newer}">View next topic</a>
</div>
{"".join(rendered)}<a name="bottomtitle"></a>
<div class="quick-nav-topics bottom">
	<a href="{older}">View previous topic</a>
    <a href="#top">{ctx.t("back_to_top")}</a>
	<a href="{newer}">View next topic</a>
</div>
<div class="topic-actions bottom">
{paging}	<div class="topic-actions-buttons">
	</div>
</div>
<form action="/viewforum" method="get" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
	<fieldset class="jumpbox">
		<label>Jump to:</label>
		{jumpbox_select(ctx, forum)}
		<input class="button2" type="submit" value="Go" />
	</fieldset>
</form>
	<div class="block">
		<div class="h3">{ctx.t("permissions")}</div>
		{ctx.t("cannot_reply")}<br />
	</div>
<script src="//s7.addthis.com/js/300/addthis_widget.js#pubid=forumotion" type="text/javascript"></script>"""
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
            f'<a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a>' if forum else ""
        )
        return f"""				<li class="row {row_class}">
					<dl class="icon" style="background-image: url('{IMG}/topic_read.png');">
						<dd class="dterm" title="No new posts" >
							<div class="topic-title-container">


								{topic_type(topic, ctx.board.language)}
								<h2 class="topic-title">
									<a class="topictitle" href="{ctx.href(topic_path(topic))}">
										{e(topic.title)}
									</a>
								</h2>
							</div>
							<span class="topic-author">
								{ctx.t("by")} {poster_link(ctx, topic.author, topic.author_name)} {ctx.t("in")} {forum_link}
							</span>
							{goto_page_new(ctx, topic)}
						</dd>
						<dd class="posts">{topic.reply_count}</dd>
						<dd class="views">{topic.views}</dd>
						<dd class="lastpost">
							<span>
								{poster_link(ctx, last.author, last.author_name)}&nbsp;<dfn>{ctx.t("last_post")}</dfn><a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.png" alt="{ctx.t("last_post")}" /></a><br />{ctx.date(last.posted_at)}
							</span>
						</dd>
					</dl>
				</li>
"""

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        rows = "".join(
            self._search_row(ctx, topic, "row1" if number % 2 == 0 else "row2")
            for number, topic in enumerate(topics)
        )
        body = f"""<div class="sub-header">
	<div class="sub-header-info">
		<h1 class="page-title">
			{ctx.t("search_matches").format(len(topics))}
		</h1>
			<div class="sub-header-path">
				<a class="nav" href="{ctx.href(INDEX_PATH)}">{e(ctx.board.title)}</a> :: {ctx.t("active_topics")}
			</div>
	</div>
</div>
<form action="/search" method="post" name="post" onsubmit="return verify_select();">
	<div class="forabg">
			<ul id="memberlist" class="topiclist topics">
				<li class="header">
					<dl class="icon">
						<dt>{ctx.t("topics")}</dt>
						<dd class="posts">{ctx.t("replies")}</dd>
						<dd class="views">{ctx.t("views")}</dd>
						<dd class="lastpost">{ctx.t("last_post")}</dd>
					</dl>
				</li>
			</ul>
			<ul class="topiclist topics search">
{rows}			</ul>
	</div>
	<p class="pagination"></p>
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
            f"""				<tr>
					<td class="{top.row_class}"><a href="{top.href}" title="{top.title}"><i class="ion-document-text"></i>{top.name}</a></td>
				</tr>
"""
            for top in topics
        )
        return f"""<div class="module">
	<div class="h3"><i class="{icon}"></i>{heading}</div>
	<div class="module-table">
		<table summary="{heading}">
{rows}		</table>
	</div>
</div>"""

    def _news(self, ctx: RenderContext) -> str:
        return "".join(
            f"""	<a name="news_{item.topic.id}"></a>

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
        """``portal_body``: recent topics left, news in the middle, most active and most
        viewed topics right. ``portal_body`` has no ``{CURRENT_TIME}``; the footer's clock
        (``overall_footer_end``) stays, as on every ModernBB page."""
        right = (
            self._top_topics(
                ctx, portal_label(ctx, "most_active"), "ion-flame", most_active_topics(ctx)
            )
            + "\n"
            + self._top_topics(
                ctx, portal_label(ctx, "most_viewed"), "ion-eye", most_viewed_topics(ctx)
            )
        )
        body = f"""<table width="100%" cellspacing="0" cellpadding="0" border="0" align="center">
	<tr>
		<td colspan="3" width="100%">
		</td>
	</tr>
</table>

<div class="portal">
	<div class="column" style="width: 25%;">
{self._recent_topics(ctx)}
	</div>
	<div class="portal-mid" style="margin-left: 25%; margin-right: 25%;">
		<div>
{self._news(ctx)}		</div>
	</div>
	<div class="column" style="width: 25%;">
{right}
	</div>
</div>

<table width="100%" cellspacing="0" cellpadding="0" border="0" align="center">
	<tr>
		<td colspan="3" width="100%">
		</td>
	</tr>
</table>"""
        return self._page(
            ctx,
            title=ctx.board.title,
            body=body,
            snippets=portal_snippets(ctx),
            meta=index_meta(ctx),
        )

    # -- error ----------------------------------------------------------------------------------

    def error(self, ctx: RenderContext, message: str) -> str:
        body = f"""<p>{current_time(ctx)}</p>
<div class="panel">
	<div class="inner"><span class="corners-top"><span></span></span>
	<h1 class="page-title">Information</h1>
	<p>{e(message)}</p>
	<span class="corners-bottom"><span></span></span></div>
</div>"""
        return self._page(
            ctx,
            title="Information",
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )


RENDERER = ModernbbRenderer()
