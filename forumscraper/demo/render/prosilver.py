"""Pages of the phpBB3 ("prosilver") template version, as a guest sees them.

The structure follows Forumotion's default prosilver templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, mod_recent_topics, overall_footer_*): same
elements, classes, ids and nesting, so selectors written against a real forum work here, traps
included: the sponsored pseudo-post ``p0``, prev/next topic links ``/t11p-`` ``/t11n-``, the mini
pagination of topic rows, ``<hr id="first-post-br">`` and the repeated first post.
"""

# Markup lines are kept as the templates lay them out, hence no line-length limit here.
# ruff: noqa: E501

from __future__ import annotations

from forumscraper.demo.content import Category, Forum, Post, Topic
from forumscraper.demo.render.common import (
    ILLIWEB,
    INDEX_PATH,
    RenderContext,
    active_topics,
    breadcrumb_items,
    category_path,
    current_time,
    e,
    edited_message,
    forum_path,
    goto_page_new,
    index_meta,
    jumpbox_select,
    member_path,
    nav_bar,
    nav_cat_desc,
    page_number,
    pagination,
    post_date,
    post_href,
    poster_link,
    recent_classical,
    recent_entries,
    recent_scrolling,
    rich_snippets,
    shorten,
    topic_path,
    topic_type,
    userdata_script,
    visible_posts,
)
from forumscraper.demo.render.portal import (
    TopTopic,
    most_active_topics,
    most_viewed_topics,
    news_items,
    portal_label,
    portal_snippets,
)

IMG = f"{ILLIWEB}/prosilver"
CORNERS_TOP = '<span class="corners-top"><span></span></span>'
CORNERS_BOTTOM = '<span class="corners-bottom"><span></span></span>'
GUEST_BANNER = (
    "Would you like to react to this message? Create an account in a few clicks or log in to "
    "continue."
)


def _arrow(direction: str, alt: str) -> str:
    return (
        f'<img class="sprite-arrow_prosilver_{direction}" src="{ILLIWEB}/empty.gif" alt="{alt}" />'
    )


_POSTS_HEAD = '\t\t\t\t\t<dd class="posts">Replies</dd>\n'
_POSTS_HEAD_STICKY = '\t\t\t\t\t<dd class="posts" style="padding-left:45px;">Replies</dd>\n'
_VIEWS_HEAD = '\t\t\t\t\t<dd class="views">Views</dd>\n'
_LAST_HEAD = '\t\t\t\t\t<dd class="lastpost"><span>Last post</span></dd>\n'


def _columns(ctx: RenderContext, posts: str, views: str, last: str) -> str:
    """The replies, views and last post cells of a topic row or list header, in the template's
    order, or last post, views, replies with :attr:`Board.reordered_markup`."""
    if ctx.board.reordered_markup:
        return last + views + posts
    return posts + views + last


class ProsilverRenderer:
    """The phpBB3 version (``<body id="phpbb">``)."""

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
	<link rel="stylesheet" href="/17-ltr.css" type="text/css" />
	<link rel="search" type="application/opensearchdescription+xml" href="/improvedsearch.xml" title="{e(board.title)}" />
	<link rel="search" type="application/opensearchdescription+xml" href="https://www.forumotion.com/search/improvedsearch.xml" title="Search forums" />
	<script src="//ajax.googleapis.com/ajax/libs/jquery/1.7.2/jquery.min.js" type="text/javascript"></script>
	<script src="https://illiweb.com/rsc/88/frm/lang/en.js" type="text/javascript"></script>
	{snippets}
	<script type="text/javascript">//<![CDATA[
	$(document).ready(function(){{
	}});
	var logInPopUpLeft, logInPopUpTop, logInPopUpWidth = 350, logInPopUpHeight = 150, logInBackgroundResize = true, logInBackgroundClass = false;
	//]]>
	</script>
	<style type="text/css">
	#page-footer, div.navbar, div.navbar ul.linklist {{
	display: block !important;
	}}
	ul.linklist li.rightside, ul.linklist li.rightside a.copyright {{
	display: inline !important;
	}}
	</style>
	{userdata_script(ctx)}
</head>

<body id="phpbb">
<div id="login_popup" style="z-index: 10000 !important;">
	<div class="h3">{e(board.title)}</div>
	{GUEST_BANNER}
	<div id="login_popup_buttons">
		<form action="/login" method="get">
			<input type="submit" class="button1" value="Log in" />
			<input type="button" class="button1" value="Register" onclick="parent.location='/register';" />
			<input id="login_popup_close" type="button" class="button2" value="Don't display again" />
		</form>
	</div>
</div>

<div class="conteneur_minwidth_IE">
<div class="conteneur_layout_IE">
<div class="conteneur_container_IE">
<div id="wrap">
	<a id="top" name="top" accesskey="t"></a>

	<div id="page-header">
		<div class="headerbar">
			<div class="inner">{CORNERS_TOP}

			<div id="logo-desc">
				<a href="{ctx.href(INDEX_PATH)}" id="logo"><img src="{IMG}/site_logo.png" alt="{e(board.title)}" /></a>
				<div id="site-title">{e(board.title)}</div>
				<p>{e(board.description)}</p>
			</div>

			{CORNERS_BOTTOM}</div>
		</div>

		<div class="navbar">
			<div class="inner">{CORNERS_TOP}

			<ul class="linklist navlinks">
			<li>{nav_bar(ctx)}</li>
			</ul>

			{CORNERS_BOTTOM}</div>
		</div>
	</div>

	<div id="page-body">

	<div id="content-container">
		<div id="outer-wrapper">
			<div id="wrapper">
				<div id="container">
					<div id="content">

						<div id="left">
						</div>

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
<div id="page-footer">
	<div class="navbar">
		<div class="inner">
			{CORNERS_TOP}
			<ul class="linklist clearfix">
				<li class="footer-home">
					<a class="icon-home" href="{ctx.href(INDEX_PATH)}" accesskey="h">Board Index</a>
				</li>
				<li class="rightside">
				</li>
			</ul>
			<ul class="linklist clearfix">
				<li class="rightside">
					<a name="bottom" class="copyright" href="https://www.forumotion.com" rel="nofollow" target="_blank" title="Create a free forum">Create a forum</a>
					&nbsp;|&nbsp;<a class="copyright" href="https://www.phpbb.com/" rel="nofollow" target="_blank" title="phpBB">&copy; phpBB</a>
				</li>
			</ul>
			{CORNERS_BOTTOM}
		</div>
	</div>
	<p class="copyright">
		<strong></strong>
	</p>
</div>
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

    def _last_post(self, ctx: RenderContext, forum: Forum) -> str:
        _, _, latest = ctx.board.forum_stats(forum.id)
        if latest is None:
            return "No Posts"
        last = latest.last_post
        return (
            f'<a href="{post_href(ctx, latest, last)}" title="{e(latest.title)}">'
            f"{e(shorten(latest.title, 25))}</a><br />\n"
            f"\t\t\t\t\t\t\tby {poster_link(ctx, last.author, last.author_name)} "
            f'<a href="{post_href(ctx, latest, last)}"><img src="{IMG}/icon_latest_reply.gif" '
            f'alt="Go to last message" title="Go to last message" /></a><br />'
            f"{ctx.date(last.posted_at)}"
        )

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        topics, posts, _ = ctx.board.forum_stats(forum.id)
        subforums = ctx.board.subforums(forum.id)
        links = ""
        if subforums:
            links = "Subforums: " + ", ".join(
                f'<a href="{ctx.href(forum_path(sub))}" class="gensmall">{e(sub.title)}</a>'
                for sub in subforums
            )
        return f"""				<li class="row">
					<dl class="icon" style="background:url({IMG}/folder_big.gif) no-repeat scroll 0 50%;">
						<dd class="dterm">
							<div style="display: block; margin : 0 0 0 0;">
								<h3 class="hierarchy">
								<a href="{ctx.href(forum_path(forum))}" class="forumtitle">{e(forum.title)}</a>
								</h3>
								<br />
								{forum.description}

								{links}
								<strong></strong>
							</div>
						</dd>
						<dd class="topics">{topics} <dfn>Topics</dfn></dd>
						<dd class="posts">{posts} <dfn>Posts</dfn></dd>
						<dd class="lastpost">
							<span>
							{self._last_post(ctx, forum)}
							</span>
						</dd>
					</dl>
				</li>
"""

    def _forum_box(self, ctx: RenderContext, heading: str, forums: list[Forum]) -> str:
        rows = "".join(self._forum_row(ctx, forum) for forum in forums)
        return f"""		<div class="forabg">
			<div class="inner">{CORNERS_TOP}
			<ul class="topiclist">
				<li class="header">
					<dl class="icon">
						<dd class="dterm"><div class="table-title">{heading}</div></dd>
						<dd class="topics">Topics</dd>
						<dd class="posts">Posts</dd>
						<dd class="lastpost"><span>Last Posts</span></dd>
					</dl>
				</li>
			</ul>
			<ul class="topiclist forums">
{rows}				</ul>

			{CORNERS_BOTTOM}</div>
		</div>
"""

    def _recent_topics(self, ctx: RenderContext) -> str:
        entries = recent_entries(ctx)
        if ctx.widget_mode == "classical":
            rows = recent_classical(ctx, entries, indent="\t\t")
        else:
            rows = f"""    <script src="https://illiweb.com/rsc/88/frm/jquery/marquee/jquery.marquee.min.js" type="text/javascript"></script>
    <div id="comments_scroll_div">
        <div class="marquee" data-direction='up' data-duration='15000' data-pauseOnHover="true" style="overflow:hidden;height:200px;">
{recent_scrolling(ctx, entries, icon=f"{IMG}/icon_minitime.gif", indent=" " * 12)}        </div>
    </div>
    <script>
        $(".marquee").marquee();
    </script>
"""
        return f"""<div class="module">
	<div class="inner">{CORNERS_TOP}

		<div class="h3">{ctx.t("recent_topics")}</div>

{rows}
	{CORNERS_BOTTOM}</div>
</div>"""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        boxes = "".join(
            self._forum_box(
                ctx,
                f'<h2><a href="{ctx.href(category_path(cat))}">{e(cat.title)}</a></h2>',
                board.child_forums(cat.id),
            )
            for cat in categories
        )
        n_posts = len(board.live_posts())
        newest = board.members[-1] if board.members else None
        newest_html = poster_link(ctx, newest, "") if newest else ""
        body = f"""<p>{current_time(ctx)}</p>
<br class="clear" />

<ul class="linklist">
	<li><a href="{ctx.href("/search?search_id=unanswered")}">View unanswered posts</a></li>
</ul>

{boxes}
<ul class="linklist">
	<li><a href="{ctx.href("/search?search_id=activetopics")}">View active topics</a>&nbsp;&bull;&nbsp;</li>
	<li><a href="{ctx.href("/memberlist?mode=today_posters")}">Today's posters</a>&nbsp;&bull;&nbsp;</li>
	<li class="last"><a href="{ctx.href("/memberlist?mode=overall_posters")}">Overall posters</a></li>
</ul>

	<div class="h3">Who is online?</div>
<img src="{IMG}/whosonline.png" id="i_whosonline" alt="Who is online?" class="img-whois" />
<p>In total there is <strong>1</strong> user online :: 0 Registered, 0 Hidden and 1 Guest<br />
<br />
Registered Users: None
</p>
<div class="clear"></div>

	<div class="h3">Statistics</div>
<p class="page-bottom">
Our users have posted a total of <strong>{n_posts}</strong> messages
</p>
<p class="page-bottom">
We have <strong>{len(board.members)}</strong> registered users
</p>
<p class="page-bottom">
The newest registered user is <strong>{newest_html}</strong>
</p>

<br style="clear:both" />
<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
	<p class="right">Jump to:&nbsp;{jumpbox_select(ctx)}&nbsp;<input class="button2" type="submit" value="Go" /></p>
</form>"""
        if category is None:
            crumbs = breadcrumb_items(board, None, [])
            crumbs.append((INDEX_PATH, "Index"))
            title, canonical = board.title, None
        else:
            crumbs = breadcrumb_items(board, category, [])
            title, canonical = category.title, category_path(category)
        meta = (
            f'<meta name="language" content="{board.language}" />'
            f'<meta name="description" content="{e(board.description)}" />'
            '<meta name="robots" content="index, follow, noodp" />'
            f'<link rel="alternate" type="application/rss+xml" href="/feed/" '
            f'title="{e(board.title)}" />'
        )
        return self._page(
            ctx,
            title=title,
            body=body,
            snippets=rich_snippets(ctx, crumbs),
            canonical=canonical,
            meta=meta,
            right=self._recent_topics(ctx),
        )

    # -- forum ----------------------------------------------------------------------------------

    def _topic_row(self, ctx: RenderContext, topic: Topic, row_class: str) -> str:
        last = topic.last_post
        special = topic.sticky or topic.announcement
        folder = "announce" if topic.announcement else "sticky" if topic.sticky else "topic_read"
        author = poster_link(ctx, topic.author, topic.author_name)
        cells = _columns(
            ctx,
            f"""				<dd class="posts">{topic.reply_count} <dfn>{ctx.t("replies")}</dfn></dd>
""",
            f"""				<dd class="views">{topic.views} <dfn>{ctx.t("views")}</dfn></dd>
""",
            f"""				<dd class="lastpost">

					<span>{poster_link(ctx, last.author, last.author_name)}&nbsp;<dfn>{ctx.t("last_post")}</dfn>
					<a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="Last message" title="Last message" /></a><br style="clear:left;" />{ctx.date(last.posted_at)}</span>

				</dd>
""",
        )
        return f"""		<li class="row {row_class}"{' style="margin-top:5px;"' if special else ""} >
			<dl class="icon" style="background-image:url('{IMG}/{folder}.gif');">
				<dd class="dterm" title="" >
					&nbsp;
					{topic_type(topic, ctx.board.language)}
					<div class="topic-title-container"><h2 class="topic-title hierarchy"><a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a></h2></div>
					<br />
					{goto_page_new(ctx, topic)}
					<span class="span-tab">{ctx.t("by")} <strong>{author}</strong></span>
				</dd>
{cells}			</dl>
		</li>
"""

    def _topics_list(self, ctx: RenderContext, topics: list[Topic]) -> str:
        has_special = bool(topics) and (topics[0].sticky or topics[0].announcement)
        head_title = "Announcements &amp; Sticky" if has_special else "Topics"
        parts = [
            f"""	<div class="forumbg announcement">
		<div class="inner">{CORNERS_TOP}
		<ul class="topiclist topics">
			<li class="header">
				<dl class="icon">
					<dt>
						{head_title}
					</dt>
{_columns(ctx, _POSTS_HEAD, _VIEWS_HEAD, _LAST_HEAD)}				</dl>
			</li>
		</ul>
		<ul class="topiclist topics bg_none">
"""
        ]
        in_special = has_special
        for number, topic in enumerate(topics):
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(
                    f"""			</ul>
			{CORNERS_BOTTOM}</div>
		</div>
		<div class="forumbg">
		<div class="inner">{CORNERS_TOP}
		<ul class="topiclist topics">
			<li class="header">
				<dl class="icon">
					<dd class="dterm" style="padding-left:0;">
						Topics
					</dd>
{_columns(ctx, _POSTS_HEAD_STICKY, _VIEWS_HEAD, _LAST_HEAD)}				</dl>
			</li>
		</ul>
		<ul class="topiclist topics bg_none">
"""
                )
            parts.append(self._topic_row(ctx, topic, "row1" if number % 2 == 0 else "row2"))
        if not topics:
            parts.append(
                '<li class="row row1">\n\t<dl>\n\t\t<dt><strong>There are no topics in this '
                "forum.</strong></dt>\n\t</dl>\n</li>\n"
            )
        parts.append(f"</ul>\n\t{CORNERS_BOTTOM}</div>\n</div>\n")
        return "".join(parts)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        all_topics = board.forum_list_paged(forum.id)
        topics = board.forum_list(forum.id, start)
        subforums = board.subforums(forum.id)
        sub_box = self._forum_box(ctx, "Subforums", subforums) if subforums else ""
        pages = pagination(
            ctx,
            prefix=f"f{forum.id}",
            slug=forum.slug,
            total=len(all_topics),
            per_page=board.topics_per_page,
            start=start,
        )
        clock = f"<p>{current_time(ctx)}</p>" if board.clock_on_forum_pages else ""
        body = f"""{clock}

<h1 class="page-title"><a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a></h1>

{sub_box}

<div class="pagination">
	{pages}
	<br /><br />
</div>

<div class="topic-actions">
	<div class="search-box">
		<form method="get" id="forum-search" action="/search">
		<fieldset>
			<input class="inputbox search tiny" type="text" name="search_keywords" id="search_keywords" size="20" value="Search this forum..." onclick="if (this.value == 'Search this forum...') this.value = '';" onblur="if (this.value == '') this.value = 'Search this forum...';" />
			&nbsp;<input class="button2" type="submit" value="Search" />
			<input type="hidden" value="f{forum.id}" name="search_where" />
		</fieldset>
		</form>
	</div>
	<p class="nomargin path">
		<a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>
		{nav_cat_desc(ctx, category, path)}
	</p>
</div>

{self._topics_list(ctx, topics)}

<div class="topic-actions">

	<div class="pagination">
		{pages}<br />
		<a href="#top">Back to top</a><br /><br />
	</div>
</div>

<div class="clear"></div>
<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
	<fieldset class="vf_jumpbox">
		<label>Jump to:&nbsp;</label>
		{jumpbox_select(ctx, forum)}&nbsp;
		<input class="button2" type="submit" value="Go" />
	</fieldset>
</form>

Users browsing this forum: None

<div id="info_open" style="display:block;clear:both">
<div class="h3">Moderators</div>
<p>None</p>

<div class="h3"><strong>Permissions in this forum:</strong></div>
<p>You <strong>cannot</strong> reply to topics in this forum<br /></p>

</div>"""
        meta = (
            f'<meta name="description" content="{e(forum.title)}" />'
            f'<link rel="alternate" type="application/rss+xml" href="/feed/?f={forum.id}" '
            f'title="{e(forum.title)}" />'
        )
        return self._page(
            ctx,
            title=forum.title,
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(board, category, path)),
            canonical=forum_path(forum, start),
            meta=meta,
        )

    # -- topic ----------------------------------------------------------------------------------

    def _post(
        self, ctx: RenderContext, topic: Topic, post: Post, row_class: str, is_first: bool
    ) -> str:
        board = ctx.board
        subject = topic.title if post.id == topic.first_post.id else f"Re: {topic.title}"
        name = poster_link(ctx, post.author, post.author_name)
        date_text = post_date(ctx, post.posted_at)
        if board.reordered_markup:
            byline = f"{ctx.date(post.posted_at)}&nbsp;{ctx.t('by')}&nbsp;{name}"
        else:
            byline = f"{ctx.t('by')}&nbsp;{name} {date_text}"
        if post.author is not None:
            profile = ctx.href(member_path(post.author))
            avatar = f'<a href="{profile}"><img src="{IMG}/avatar.png" alt="" /></a>'
            details = (
                f"<dd>{ctx.t('member')}</dd>\n\t\t\t\t\t<dd><br /></dd>\n\t\t\t\t\t<dd>\n\t\t\t\t\t\t"
                f'<span class="label"><span style="color:#000000;">{ctx.t("posts")}</span>  :</span> '
                f"{board.member_post_count(post.author.id)}<br />\n\t\t\t\t\t</dd>"
            )
            contact = (
                f'<a href="{profile}"><img src="{IMG}/icon_profile.png" alt="Profile" '
                'title="Profile" /></a>'
            )
        else:
            avatar, details, contact = "", f"<dd>{ctx.t('guest')}</dd>", ""
        signature = (
            f'<div class="signature_div" id="sig{post.id}">{post.signature_html}</div>'
            if post.signature_html
            else ""
        )
        return f"""		<div id="p{post.id}" class="post {row_class} post--{post.id}" style="">
			<div class="inner">{CORNERS_TOP}
            <div style="position: relative; top: -30px; width: 1px;" id="{post.id}"></div>
			<div class="postbody">

				<ul class="profile-icons">
					<li></li>
					<li></li>
					<li></li>
					<li></li>
					<li></li>
					<li></li>
					<li></li>
				</ul>

				<h2 class="topic-title"> <a href="{post_href(ctx, topic, post)}">{e(subject)}</a></h2>
				<p class="author"><img src="{IMG}/icon_post_target.gif" alt="Post" title="Post" />&nbsp;{byline}</p>
				<div class="clearfix"></div>

				<div style="display:none"></div>
				<div class="content clearfix">
					<div>{post.body_html}</div>
				</div>
				{edited_message(ctx, post)}
				{signature}
			</div>

			<div class="postprofile" id="profile{post.id}">
				<dl>
					<dt>
						{avatar}
						<br /><strong style="font-size:1.2em">{name}</strong>
					</dt>
					{details}
					<dd><br /></dd>
					<dd>
						{contact}
					</dd>
				</dl>
			</div>

			<div class="clear"></div>

			<p class="right"><a href="#top">{_arrow("up", "Back to top")}</a>&nbsp;<a href="#bottom">{_arrow("down", "Go down")}</a></p>
			{CORNERS_BOTTOM}</div>
		</div>
{'		<hr id="first-post-br" />' + chr(10) if is_first and topic.repeat_first_post else ""}"""

    def _sponsored(self, ctx: RenderContext, topic: Topic) -> str:
        return f"""		<div id="p0" class="post row2 post--0" style="">
			<div class="inner">{CORNERS_TOP}
            <div style="position: relative; top: -30px; width: 1px;" id="0"></div>
			<div class="postbody">
				<h2 class="topic-title"> <a href="{ctx.href(topic_path(topic))}">{ctx.t("sponsored")}</a></h2>
				<p class="author"><img src="{IMG}/icon_post_target.gif" alt="Post" title="Post" />&nbsp;</p>
				<div class="clearfix"></div>
				<div class="content clearfix">
					<div><div class="sponsored-ad" style="text-align:center"><ins class="adsbygoogle" style="display:inline-block;width:728px;height:90px"></ins><br />Advertisement</div></div>
				</div>
			</div>
			<div class="postprofile" id="profile0">
				<dl>
					<dt>
						<br /><strong style="font-size:1.2em">{ctx.t("sponsored")}</strong>
					</dt>
				</dl>
			</div>
			<div class="clear"></div>
			{CORNERS_BOTTOM}</div>
		</div>
"""

    def topic(self, ctx: RenderContext, topic: Topic, start: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        if forum is None:
            raise LookupError(f"topic {topic.id} has no forum {topic.forum_id}")
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        total = len(topic.live_posts)
        posts = visible_posts(board, topic, start)
        rendered = []
        for number, post in enumerate(posts):
            rendered.append(
                self._post(ctx, topic, post, "row1" if number % 2 == 0 else "row2", number == 0)
            )
            if number == 0:
                rendered.append(self._sponsored(ctx, topic))
        pages = pagination(
            ctx,
            prefix=f"t{topic.id}",
            slug=topic.slug,
            total=total,
            per_page=board.posts_per_page,
            start=start,
        )
        page_links = f'<p class="pagination">{pages}</p>' if pages else ""
        older = ctx.href(f"/t{topic.id}p-{topic.slug}")
        newer = ctx.href(f"/t{topic.id}n-{topic.slug}")
        browse = (
            f'<a href="{older}">{_arrow("left", "View previous topic")}</a>&nbsp;'
            f'<a href="{newer}">{_arrow("right", "View next topic")}</a>&nbsp;'
        )
        breadcrumb = nav_cat_desc(ctx, category, path)
        page_no = page_number(total, board.posts_per_page, start, board.language)
        body = f"""<script type="text/javascript">
//<![CDATA[
var multiquote_img_off = '{IMG}/icon_multiquote_off.png', multiquote_img_on = '{IMG}/icon_multiquote_on.png', _atr = 'https://illiweb.com/rsc/88/frm/addthis/', _ati = '{ILLIWEB}/addthis/', addthis_localize = {{ share_caption: "Share", email: "Email", email_caption: "Email", favorites: "Favorites", print: "Print", more: "More" }};
var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
//]]>
</script>

<h1 class="page-title">
	<a href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>
</h1>
<div class="topic-actions">
	<div class="buttons">
	</div>

	<div class="pathname-box">
		<p>
            <a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>
            {breadcrumb}
        </p>
	</div>

	<p class="right">
	</p>

	<div class="pagination">
		{page_no}
		&nbsp;&bull;&nbsp;
        <a class="addthis_button" href="#">Share</a>
	</div>
	<div class="clear"></div>
</div>

{page_links}
<p class="left-box">
    {browse}
    <a href="#bottom">{_arrow("down", "Go down")}</a>
</p>
<div class="clear"></div>

{"".join(rendered)}
<a name="bottomtitle"></a>

{page_links}

<p class="left-box">
    {browse}
    <a href="#top">{_arrow("up", "Back to top")}</a>
</p>

<div class="clear"></div>

<div class="noprint">
</div>

<hr />

<div class="topic-actions">
	<div class="buttons">
	</div>

	<div class="pathname-box">
		<p><a class="nav" href="{ctx.href(INDEX_PATH)}">{e(board.title)}</a>{breadcrumb}</p>
	</div>

	<div class="pagination">
		{page_no}
	</div>
</div>
<div class="clear"></div>

<form action="/viewforum" method="get" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
<fieldset class="jumpbox">
	<label>Jump to:&nbsp;</label>
	{jumpbox_select(ctx, forum)}&nbsp;
	<input class="button2" type="submit" value="Go" />
</fieldset>
</form>

<div class="h3"><strong>Permissions in this forum:</strong></div>
You <strong>cannot</strong> reply to topics in this forum<br />
<script src="//s7.addthis.com/js/300/addthis_widget.js#pubid=forumotion" type="text/javascript"></script>"""
        return self._page(
            ctx,
            title=topic.title,
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(board, category, path, topic), topic),
            canonical=topic_path(topic, start),
            meta=f'<meta name="description" content="{e(shorten(topic.title, 150))}" />',
        )

    # -- active topics ----------------------------------------------------------------------

    def _search_row(self, ctx: RenderContext, topic: Topic, row_class: str) -> str:
        last = topic.last_post
        forum = ctx.board.forum(topic.forum_id)
        folder = "announce" if topic.announcement else "sticky" if topic.sticky else "topic_read"
        forum_link = (
            f'<a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a>' if forum else ""
        )
        return f"""				<li class="row {row_class}">
					<dl class="icon" style="background-image: url('{IMG}/{folder}.gif');">
						<dd class="dterm" title="No new posts" >
							&nbsp;
							{topic_type(topic, ctx.board.language)}
							<div class="topic-title-container"><h2 class="topic-title"><a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a></h2></div>
							<br />
							{goto_page_new(ctx, topic)}
							<span class="span-tab">{ctx.t("by")} {poster_link(ctx, topic.author, topic.author_name)} {ctx.t("in")} {forum_link}</span>
						</dd>
						<dd class="posts">{topic.reply_count}</dd>
						<dd class="views">{topic.views}</dd>
						<dd class="lastpost">
							<span>
								{poster_link(ctx, last.author, last.author_name)}&nbsp;<dfn>{ctx.t("last_post")}</dfn>
								<a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="{ctx.t("last_post")}" title="{ctx.t("last_post")}" /></a>
								<br style="clear:left;" />
								{ctx.date(last.posted_at)}
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
        body = f"""<div class="topic-actions">
	<p>
		<a class="nav" href="{ctx.href(INDEX_PATH)}">{e(ctx.board.title)}</a> :: {ctx.t("active_topics")}
	</p>
</div>

<form action="/search" method="post" name="post" onsubmit="return verify_select();">
	<h1 class="page-title">{ctx.t("search_matches").format(len(topics))}</h1>
	<div class="forabg">
		<div class="inner">{CORNERS_TOP}
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

			<div class="clear"></div>
			{CORNERS_BOTTOM}
		</div>
	</div>

	<p class="right-box"><a href="#top">{ctx.t("back_to_top")}</a></p>
	<p class="pagination"></p>
</form>
<div class="clear"></div>
<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
	<p class="right">Jump to:&nbsp;{jumpbox_select(ctx)}&nbsp;<input class="button2" type="submit" value="Go" /></p>
</form>"""
        return self._page(
            ctx,
            title=ctx.t("active_topics"),
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )

    # -- portal ---------------------------------------------------------------------------------

    def _top_topics(self, ctx: RenderContext, heading: str, topics: list[TopTopic]) -> str:
        rows = "".join(
            f"""			<tr>
				<td class="{top.row_class}"><a href="{top.href}" title="{top.title}">{top.name}</a></td>
			</tr>
"""
            for top in topics
        )
        return f"""<div class="module">
	<div class="inner">
		{CORNERS_TOP}
		<div class="h3">{heading}</div>
		<table summary="{heading}" width="100%">
{rows}		</table>
		<br class="clear" />
		{CORNERS_BOTTOM}
	</div>
</div>"""

    def _news(self, ctx: RenderContext) -> str:
        rows = []
        for number, item in enumerate(news_items(ctx)):
            saut = '<div style="height:2px"></div>\n' if number else ""
            rows.append(
                f"""{saut}<a name="news_{item.topic.id}"></a>

<div class="module mod_news">
	<div class="inner">
		{CORNERS_TOP}

		<div class="h3" style="text-align:left;">{item.title}</div>
		<p>{item.time} {ctx.t("by")} <strong>{item.poster}</strong></p>
		<div class="content">{item.text}<br /><br />

		</div>
		<p class="row3"><a href="{item.comments_href}">{portal_label(ctx, "comments")}</a>: {item.replies}</p>

		{CORNERS_BOTTOM}
	</div>
</div>
"""
            )
        return "".join(rows)

    def portal(self, ctx: RenderContext) -> str:
        """``portal_body``: recent topics left, news in the middle, most active and most
        viewed topics right; no ``{CURRENT_TIME}``."""
        saut = '<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td height="10"></td></tr></table>'
        left = self._recent_topics(ctx) + saut
        middle = self._news(ctx) + saut
        right = (
            self._top_topics(ctx, portal_label(ctx, "most_active"), most_active_topics(ctx))
            + saut
            + self._top_topics(ctx, portal_label(ctx, "most_viewed"), most_viewed_topics(ctx))
            + saut
        )
        body = f"""<table width="100%" cellspacing="0" cellpadding="0" border="0" align="center"><tr><td colspan="3" width="100%">

</td></tr></table><table width="100%" cellspacing="10" border="0" align="center" class="portal"><tr><td valign="top" width="25%" class="column">

{left}

</td><td valign="top" width="50%">

{middle}

</td><td valign="top" width="25%" class="column">

{right}

</td></tr></table><table width="100%" cellspacing="0" cellpadding="0" border="0" align="center"><tr><td colspan="3" width="100%">

</td></tr></table>"""
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
	<div class="inner">{CORNERS_TOP}
	<h1 class="page-title">Information</h1>
	<p>{e(message)}</p>
	{CORNERS_BOTTOM}</div>
</div>"""
        return self._page(
            ctx,
            title="Information",
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )


RENDERER = ProsilverRenderer()
