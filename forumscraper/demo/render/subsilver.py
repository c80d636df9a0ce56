"""Pages of the phpBB2 ("subsilver") template version, as a guest sees them.

The structure follows Forumotion's default subsilver templates: table layout with
``table.forumline``, ``<body background=… bgcolor=…>``, posts as ``tr.post#pID`` rows (author in
``span.name``, date in ``span.postdetails``, body ``div.postbody > div``, signature
``div.signature_div`` inside ``div.postbody``, edit note in ``span.gensmall``) followed by a
``tr.post--ID`` button row. Same traps as the real thing: the sponsored row ``p0``, prev/next
topic links, per-row "Go to page" links, the first post repeated on later pages.
Guests get no ``{CURRENT_TIME}`` line in this version (it sits in ``switch_user_logged_in``).
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
    e,
    edited_message,
    forum_path,
    goto_page,
    index_meta,
    jumpbox_select,
    member_path,
    nav_bar,
    nav_cat_desc,
    page_number,
    pagination,
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

IMG = f"{ILLIWEB}/subsilver"
GUEST_BANNER = (
    "Would you like to react to this message? Create an account in a few clicks or log in to "
    "continue."
)
_POST_TABLE_HEAD = """	<tr>
		<th class="thLeft" nowrap="nowrap" width="150px" height="26">Author</th>
		<th class="thRight" nowrap="nowrap">Message</th>
	</tr>
"""


_FIRST_POST_BREAK = """</table>
<hr />
<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<th class="thLeft" nowrap="nowrap" width="150px" height="26">Author</th>
		<th class="thRight" nowrap="nowrap" colspan="2">Message</th>
	</tr>
"""
"""The ``first_post_br`` block: closes the posts table after the first post, opens another."""


def _arrow(direction: str, alt: str) -> str:
    return (
        f'<img class="sprite-arrow_subsilver_{direction}" src="{ILLIWEB}/empty.gif" alt="{alt}" />'
    )


class SubsilverRenderer:
    """The phpBB2 version (``<body background=… bgcolor=…>``, ``table.forumline``)."""

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
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" dir="ltr" id="min-width" lang="{board.language}" xml:lang="{board.language}" >
<head>
    <title>{e(title)}</title>
    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
    <meta http-equiv="content-script-type" content="text/javascript" />
    <meta http-equiv="content-style-type" content="text/css" />
{canonical_link}    <link rel="shortcut icon" type="image/x-icon" href="{ILLIWEB}/favicon.ico" />
    {meta}
    <meta name="title" content="{e(title)}" />
    <link rel="stylesheet" href="/12-ltr.css" type="text/css" />
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
    {userdata_script(ctx)}
</head>
<body background="{IMG}/background.png" bgcolor="#E5E5E5" text="#000000" link="#01336B" vlink="#01336B">
    <div id="login_popup" style="z-index: 10000 !important;">
        <table class="forumline" width="350" height="150" border="0" cellspacing="1" cellpadding="0">
            <tr height="25">
                <td class="catLeft">
                    <span class="genmed module-title">{e(board.title)}</span>
                </td>
            </tr>
            <tr height="125">
                <td class="row1" align="left" valign="top">
                    <div id="login_popup_buttons">
                        <form action="/login" method="get">
                            <input type="submit" class="mainoption" value="Log in" />
                            <input type="button" class="mainoption" value="Register" onclick="parent.location='/register';" />
                            <input id="login_popup_close" type="button" class="button" value="Don't display again" />
                        </form>
                    </div>
                    <span class="genmed">{GUEST_BANNER}</span>
                </td>
            </tr>
        </table>
    </div>
    <a name="top"></a>
    <table class="bodylinewidth" width="100%" cellspacing="0" cellpadding="10" border="0" align="center">
        <tr>
            <td class="bodyline">
                <table width="100%" cellspacing="0" cellpadding="0" border="0">
                    <tr>
                        <td><a href="{ctx.href(INDEX_PATH)}"><img src="{IMG}/logo.png" id="i_logo" border="0" alt="{e(board.title)}" vspace="1" /></a></td>
                        <td align="center" width="100%" valign="middle">
                            <div class="maintitle">{e(board.title)}</div>
                            <br />
                            <span class="gen">{e(board.description)}<br />&nbsp; </span>
                        </td>
                    </tr>
                </table>
                <table cellspacing="0" cellpadding="0" border="0" align="center">
                    <tr>
                        <td align="center" nowrap="nowrap">{nav_bar(ctx)}</td>
                    </tr>
                </table>
                <div style="clear: both;"></div>
                <div id="page-body">
                    <div id="content-container">
                        <table cellpadding="0" cellspacing="0" width="100%" class="three-col">
                            <tbody>
                                <tr>
                                    <td valign="top" width="0">
                                        <div id="left">
                                        </div>
                                    </td>
                                    <td valign="top" width="100%">
{body}
					</td>
					<td valign="top" width="{"200" if right else "0"}">
					<div id="right">
{right}
					</div>
					</td>
				</tr>
			</tbody>
		</table>
	</div>
</div>
<!-- close div id="page-body" -->
<div id="page-footer">
	<div align="center">
		<div class="gen">
					</div>
				</div>
				<div align="center">
					<div class="gen">
							<a name="bottom" class="copyright" href="https://www.forumotion.com" rel="nofollow" target="_blank" title="Create a free forum">Create a forum</a>
							&nbsp;|&nbsp;<a class="copyright" href="https://www.phpbb.com/" rel="nofollow" target="_blank" title="phpBB">&copy; phpBB</a>
					</div>
				</div>
			</div>
		</td>
	</tr>
</table>
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
            f"{ctx.date(last.posted_at)}<br />"
            f"{poster_link(ctx, last.author, last.author_name)} "
            f'<a href="{post_href(ctx, latest, last)}"><img src="{IMG}/icon_latest_reply.gif" '
            'alt="View latest post" title="View latest post" /></a>'
        )

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        topics, posts, _ = ctx.board.forum_stats(forum.id)
        subforums = ctx.board.subforums(forum.id)
        links = ""
        if subforums:
            links = "<br />Subforums: " + ", ".join(
                f'<a href="{ctx.href(forum_path(sub))}" class="gensmall">{e(sub.title)}</a>'
                for sub in subforums
            )
        return f"""	<tr>
		<td class="row1" align="center" valign="middle">
			<img title="No new posts" src="{IMG}/folder_big.gif" alt="No new posts" />
		</td>
		<td class="row1 over" colspan="1" valign="top" width="100%" height="50">
			<h3 class="hierarchy">
				<span class="forumlink">
					<a class="forumlink" href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a><br />
				</span>
			</h3>
			<span class="genmed">{forum.description}</span>
			<span class="gensmall">
				{links}
			</span>
		</td>
		<td class="row3" align="center" valign="middle" height="50">
			<span class="gensmall">{topics}</span>
		</td>
		<td class="row2" align="center" valign="middle" height="50">
			<span class="gensmall">{posts}</span>
		</td>
		<td class="row3 over" align="center" valign="middle" height="50">
			<span class="gensmall">{self._last_post(ctx, forum)}</span>
		</td>
	</tr>
"""

    def _forum_table(self, ctx: RenderContext, head: str, forums: list[Forum]) -> str:
        rows = "".join(self._forum_row(ctx, forum) for forum in forums)
        return f"""<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<th colspan="2" nowrap="nowrap" width="100%" class="secondarytitle">&nbsp;Forum&nbsp;</th>
		<th nowrap="nowrap" width="50">Topics</th>
		<th nowrap="nowrap" width="50">Posts</th>
		<th nowrap="nowrap" width="150"><div style="width:150px;">Last Posts</div></th>
	</tr>
{head}{rows}	<tr>
		<td class="spaceRow" colspan="5" height="1"><img src="{ILLIWEB}/spacer.gif" alt="" height="1" width="1" /></td>
	</tr>
</table><img src="{ILLIWEB}/spacer.gif" alt="" height="5" width="1" />"""

    def _category_head(self, ctx: RenderContext, category: Category) -> str:
        return f"""	<tr>
		<td class="catLeft" colspan="2" width="100%">
			<h2 class="hierarchy">
				<span class="cattitle">
					<a class="cattitle" title="" href="{ctx.href(category_path(category))}">{e(category.title)}</a>
				</span>
			</h2>
		</td>
		<td class="rowpic" colspan="3" align="right">&nbsp;</td>
	</tr>
"""

    def _recent_topics(self, ctx: RenderContext) -> str:
        entries = recent_entries(ctx)
        if ctx.widget_mode == "classical":
            rows = recent_classical(ctx, entries, indent="\t\t", icon=f"{IMG}/icon_minitime.gif")
            return f"""<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<td class="catHead" height="25"><span class="genmed"><b><center>{ctx.t("recent_topics")}</center></b></span></td>
	</tr>
	<tr>
		<td class="row1" align="left"><span class="gensmall">
{rows}		</span></td>
	</tr>
</table>"""
        rows = recent_scrolling(
            ctx, entries, icon=f"{IMG}/icon_minitime.gif", indent=" " * 32, cut=False
        )
        return f"""    <script src="https://illiweb.com/rsc/88/frm/jquery/marquee/jquery.marquee.min.js" type="text/javascript"></script>
    <table class="forumline genmed" width="100%" border="0" cellspacing="1" cellpadding="0">
            <tr>
                    <td class="catLeft" height="25">
                            <span class="genmed module-title">{ctx.t("recent_topics")}</span>
                    </td>
            </tr>
            <tr>
                    <td class="row1" style="height:200px;">
                        <div class="marquee" align="left" data-direction='up' data-duration='15000' data-pauseOnHover="true" style="overflow:hidden;height:200px;">
{rows}                        </div>
                    </td>
            </tr>
    </table>
    <script>
        $(".marquee").marquee();
    </script>"""

    def _jumpbox(self, ctx: RenderContext, forum: Forum | None = None) -> str:
        return f"""<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
<table border="0" cellspacing="0" cellpadding="0">
	<tr>
		<td nowrap="nowrap"><span class="gensmall">Jump to:&nbsp;{jumpbox_select(ctx, forum)}&nbsp;<input class="liteoption" type="submit" value="Go" /></span></td>
	</tr>
</table>
</form>"""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        tables = "".join(
            self._forum_table(ctx, self._category_head(ctx, cat), board.child_forums(cat.id))
            for cat in categories
        )
        breadcrumb = nav_cat_desc(ctx, category, [])
        newest = board.members[-1] if board.members else None
        newest_html = poster_link(ctx, newest, "") if newest else ""
        body = f"""<table width="100%" border="0" cellspacing="1" cellpadding="0" align="center">
	<tr>
		<td valign="bottom">
			<div class="nav"><a class="nav" href="{ctx.href(INDEX_PATH)}">{e(board.title)}</a>{breadcrumb}</div>
		</td>
		<td class="gensmall" align="right" valign="bottom">
			<a class="gensmall" href="{ctx.href("/search?search_id=unanswered")}">View unanswered posts</a>
		</td>
	</tr>
</table>
{tables}{self._jumpbox(ctx)}
<table width="100%" border="0" cellspacing="0" cellpadding="0">
	<tr>
		<td width="50%" valign="top">
		</td>
		<td width="50%" align="right">
			<span class="gensmall">
				<a href="{ctx.href("/search?search_id=activetopics")}" class="gensmall">View active topics</a><br />
				<a href="{ctx.href("/memberlist?mode=today_posters")}" class="gensmall">Today's posters</a><br />
				<a href="{ctx.href("/memberlist?mode=overall_posters")}" class="gensmall">Overall posters</a>
			</span>
		</td>
	</tr>
</table>

<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<td class="catHead" colspan="2" height="28">
		<span class="cattitle">Who is online?</span>
		</td>
	</tr>
	<tr>
		<td class="row1" rowspan="6" align="center" valign="middle"><img src="{IMG}/whosonline.gif" id="i_whosonline" alt="Who is online?" /></td>
		<td class="row1" width="100%"><span class="gensmall">Our users have posted a total of <strong>{len(board.live_posts())}</strong> messages<br />
		We have <strong>{len(board.members)}</strong> registered users<br />
		The newest registered user is <strong>{newest_html}</strong></span></td>
	</tr>
	<tr>
		<td class="row1"><span class="gensmall">In total there is <strong>1</strong> user online :: 0 Registered, 0 Hidden and 1 Guest<br />
		<br />
		Registered Users: None</span></td>
	</tr>
</table>
<br clear="all" />"""
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
        folder = (
            "folder_announce"
            if topic.announcement
            else ("folder_sticky" if topic.sticky else "folder")
        )
        author = poster_link(ctx, topic.author, topic.author_name)
        return f"""	<tr>
		<td class="{row_class}" align="center" valign="middle" width="20"><img title="No new posts" src="{IMG}/{folder}.gif" alt="No new posts" /></td>
		<td class="{row_class}" align="center" valign="middle" width="20"></td>
		<td class="{row_class}" onmouseover='this.className="row2"' onmouseout='this.className="{row_class}"' width="100%">
			<div class="topictitle">
				{topic_type(topic, ctx.board.language)}
				<h2 class="topic-title">
					<a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>
				</h2>
			</div>

			<span class="gensmall"></span>&nbsp;
			<span class="gensmall">{goto_page(ctx, topic)}</span>
		</td>

		<td class="row2" align="center" valign="middle"><span class="postdetails">{topic.reply_count}</span></td>
		<td class="row3" align="center" valign="middle"><span class="name"><strong>{author}</strong></span></td>
		<td class="row2" align="center" valign="middle"><span class="postdetails">{topic.views}</span></td>
		<td class="row3Right" onmouseover='this.className="row1"' onmouseout='this.className="row3Right"' align="center" valign="middle" nowrap="nowrap">

            <span class="postdetails">{ctx.date(last.posted_at)}<br />{poster_link(ctx, last.author, last.author_name)} <a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="View latest post" title="View latest post" /></a></span>
        </td>
	</tr>
"""

    def _section_row(self, title: str) -> str:
        return (
            '	<tr>\n		<td class="row3" colspan="7"><span class="gensmall">&nbsp;<b>'
            f"{title}</b></span></td>\n	</tr>\n"
        )

    def _topics_list(self, ctx: RenderContext, topics: list[Topic], pages: str) -> str:
        parts = [
            """<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<th colspan="3" align="center" nowrap="nowrap">&nbsp;Topics&nbsp;</th>
		<th align="center" nowrap="nowrap" width="80">&nbsp;Replies&nbsp;</th>
		<th align="center" nowrap="nowrap" width="100">&nbsp;Author&nbsp;</th>
		<th align="center" nowrap="nowrap" width="50">&nbsp;Views&nbsp;</th>
		<th align="center" nowrap="nowrap" width="150">&nbsp;Last post&nbsp;</th>
	</tr>
"""
        ]
        if pages:
            parts.append(
                '	<tr>\n		<td class="row1" colspan="7" align="right"><span class="gensmall">'
                f"{pages}</span></td>\n	</tr>\n"
            )
        in_special = bool(topics) and (topics[0].sticky or topics[0].announcement)
        if in_special:
            parts.append(self._section_row("Announcements &amp; Sticky"))
        for number, topic in enumerate(topics):
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(self._section_row("Topics"))
            parts.append(self._topic_row(ctx, topic, "row1" if number % 2 == 0 else "row2"))
        if not topics:
            parts.append(
                '	<tr>\n		<td class="row1" colspan="7" align="center" valign="middle" '
                'height="30"><span class="gen">There are no topics in this forum.</span></td>\n'
                "	</tr>\n"
            )
        parts.append(
            f"""	<tr>
		<td class="catBottom" colspan="7" valign="middle">
			<table width="100%" border="0" cellspacing="0" cellpadding="0">
				<tr>
					<td>&nbsp;<span class="gensmall">{pages}</span></td>
					<td align="right"><a href="#top">{_arrow("up", "Back to top")}</a>&nbsp;</td>
				</tr>
			</table>
		</td>
	</tr>
</table>"""
        )
        return "".join(parts)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        all_topics = board.forum_list_paged(forum.id)
        topics = board.forum_list(forum.id, start)
        subforums = board.subforums(forum.id)
        sub_table = ""
        if subforums:
            head = (
                '	<tr>\n		<td class="catLeft" colspan="2" width="100%"><h2 class="hierarchy">'
                '<span class="cattitle">Subforums</span></h2></td>\n		<td class="rowpic" '
                'colspan="3" align="right">&nbsp;</td>\n	</tr>\n'
            )
            sub_table = self._forum_table(ctx, head, subforums)
        pages = pagination(
            ctx,
            prefix=f"f{forum.id}",
            slug=forum.slug,
            total=len(all_topics),
            per_page=board.topics_per_page,
            start=start,
        )
        breadcrumb = nav_cat_desc(ctx, category, path)
        body = f"""{sub_table}
<table width="100%" border="0" cellspacing="2" cellpadding="0" align="center">
	<tr>
		<td align="left" valign="middle" width="50">
		</td>
		<td class="nav" valign="middle" width="100%">
            <div class="nav">
                <a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>{breadcrumb}
            </div>
        </td>
	</tr>
</table>
{self._topics_list(ctx, topics, pages)}
<div id="info_open" style="display:''">
	<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
		<tr>
			<td class="row2" colspan="2" valign="top"><span class="gensmall"><b>Users browsing this forum: None</b></span></td>
		</tr>
		<tr>
			<td class="row2" valign="top" width="150"><span class="gensmall"><b>Moderators:</b></span></td>
			<td class="row1" valign="top"><span class="gensmall">None</span></td>
		</tr>
		<tr>
			<td class="row2" valign="top" width="150"><span class="gensmall"><strong>Permissions in this forum:</strong></span></td>
			<td class="row1" valign="top"><span class="gensmall">You <strong>cannot</strong> reply to topics in this forum<br /></span></td>
		</tr>
		<tr>
			<td class="catBottom" colspan="2" height="28">
				<table width="100%" border="0" cellspacing="0" cellpadding="0">
					<tr>
						<td class="nav" valign="middle" width="100%"><div class="nav">&nbsp;<a class="nav" href="{ctx.href(INDEX_PATH)}">{e(board.title)}</a>{breadcrumb}</div></td>
					</tr>
				</table>
			</td>
		</tr>
	</table>
</div>
	<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
<table width="100%" border="0" cellspacing="2" cellpadding="0" align="center">
	<tr>
			<td align="left" valign="middle" width="50">
			</td>
			<td align="right" nowrap="nowrap"><span class="gensmall">Jump to:&nbsp;{jumpbox_select(ctx, forum)}&nbsp;<input class="liteoption" type="submit" value="Go" /></span></td>
	</tr>
</table>
		</form>"""
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

    def _post(self, ctx: RenderContext, topic: Topic, post: Post, row_class: str) -> str:
        board = ctx.board
        subject = topic.title if post.id == topic.first_post.id else f"Re: {topic.title}"
        if post.author is not None:
            profile = ctx.href(member_path(post.author))
            details = (
                f"{ctx.t('member')}<br />\n\t\t\t\t"
                f'<a href="{profile}"><img src="{IMG}/avatar.png" alt="" /></a><br /><br />\n'
                '\t\t\t\t<span class="label"><span style="color:#000000;">Posts</span>  :</span> '
                f"{board.member_post_count(post.author.id)}<br />"
            )
            buttons = (
                f'<a href="{profile}"><img src="{IMG}/icon_profile.gif" alt="Profile" '
                'title="Profile" /></a>'
            )
        else:
            details, buttons = f"{ctx.t('guest')}<br />", ""
        signature = (
            '<div class="signature_div">\n\t\t\t\t\t\t\t\t'
            f"_________________<br />{post.signature_html}\n\t\t\t\t\t\t\t</div>"
            if post.signature_html
            else ""
        )
        return self._post_rows(
            post_id=post.id,
            row_class=row_class,
            name=poster_link(ctx, post.author, post.author_name),
            details=details,
            subject=e(subject),
            date=ctx.date(post.posted_at),
            body=post.body_html,
            signature=signature,
            edited=edited_message(ctx, post),
            buttons=buttons,
            subject_label=ctx.t("subject"),
        )

    def _post_rows(
        self,
        *,
        post_id: int,
        row_class: str,
        name: str,
        details: str,
        subject: str,
        date: str,
        body: str,
        signature: str,
        edited: str,
        buttons: str,
        subject_label: str = "Subject",
    ) -> str:
        return f"""	<tr class="post post--{post_id}" id="p{post_id}" style="">
		<td class="{row_class}" valign="top" width="150">
			<span class="name"><a name="{post_id}" style="position: relative; top: -30px; width: 1px;" id="{post_id}"></a><strong>{name}</strong></span><br />
				<span class="postdetails poster-profile">
				{details}
			</span><br />
			<img src="{ILLIWEB}/empty.gif" alt="" style="width:150px;height:1px" />
		</td>
		<td class="{row_class}" valign="top" width="100%" height="28">
			<table width="100%" border="0" cellspacing="0" cellpadding="0">
				<tr>
					<td><span class="postdetails"><img src="{IMG}/icon_minipost.gif" alt="Post" title="Post" border="0" />{subject_label}: {subject}&nbsp; &nbsp;<img src="{IMG}/icon_minitime.gif" alt="" border="0" />{date}</span></td>
					<td valign="top" nowrap="nowrap" class="post-options">
					</td>
				</tr>
				<tr>
					<td colspan="2" class="hr">
						<hr />
					</td>
				</tr>
				<tr>
					<td colspan="2">

						<div class="postbody">

							<div>{body}</div>

							<div class="clear"></div>
							{signature}

						</div>
						<span class="gensmall">{edited}</span>
					</td>
				</tr>
			</table>
		</td>
	</tr>
	<tr class="post--{post_id}" style="">
		<td class="{row_class} browse-arrows" align="center" valign="middle" width="150">
			<a href="#top">{_arrow("up", "Back to top")}</a>&nbsp;<a href="#bottom">{_arrow("down", "Go down")}</a>
		</td>
		<td class="{row_class} messaging gensmall" width="100%" height="28">
			<table border="0" cellspacing="0" cellpadding="0">
				<tr>
					<td valign="middle">
						{buttons}
					</td>
				</tr>
			</table>
		</td>
	</tr>
"""

    def _sponsored(self, ctx: RenderContext) -> str:
        return self._post_rows(
            post_id=0,
            row_class="row2",
            name=ctx.t("sponsored"),
            details="",
            subject="",
            date="",
            body='<div class="sponsored-ad" style="text-align:center"><ins class="adsbygoogle" '
            'style="display:inline-block;width:728px;height:90px"></ins><br />Advertisement</div>',
            signature="",
            edited="",
            buttons="",
        )

    def topic(self, ctx: RenderContext, topic: Topic, start: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        if forum is None:
            raise LookupError(f"topic {topic.id} has no forum {topic.forum_id}")
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        total = len(topic.live_posts)
        rows = []
        for number, post in enumerate(visible_posts(board, topic, start)):
            rows.append(self._post(ctx, topic, post, "row1" if number % 2 == 0 else "row2"))
            if number == 0:
                if topic.repeat_first_post:
                    rows.append(_FIRST_POST_BREAK)
                rows.append(self._sponsored(ctx))
        pages = pagination(
            ctx,
            prefix=f"t{topic.id}",
            slug=topic.slug,
            total=total,
            per_page=board.posts_per_page,
            start=start,
        )
        top_pages = (
            '	<tr>\n		<td class="row1 pagination" colspan="2" align="right" valign="top">'
            f'<span class="gensmall">{pages}</span></td>\n	</tr>\n'
            if pages
            else ""
        )
        bottom_pages = (
            f'		<td class="row1" align="right" valign="top" ><span class="gensmall">{pages}'
            "</span></td>\n"
            if pages
            else ""
        )
        older = ctx.href(f"/t{topic.id}p-{topic.slug}")
        newer = ctx.href(f"/t{topic.id}n-{topic.slug}")
        browse = (
            f'<a href="{older}">{_arrow("left", "View previous topic")}</a>&nbsp;'
            f'<a href="{newer}">{_arrow("right", "View next topic")}</a>&nbsp;'
        )
        breadcrumb = nav_cat_desc(ctx, category, path)
        body = f"""<script type="text/javascript">
//<![CDATA[
var multiquote_img_off = '{IMG}/icon_multiquote_off.gif', multiquote_img_on = '{IMG}/icon_multiquote_on.gif', _atr = 'https://illiweb.com/rsc/88/frm/addthis/', _ati = '{ILLIWEB}/addthis/', addthis_localize = {{ share_caption: "Share", email: "Email", email_caption: "Email", favorites: "Favorites", print: "Print", more: "More" }};
var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
//]]>
</script>

<table width="100%" border="0" cellspacing="2" cellpadding="0">
	<tr>
		<td align="left" valign="middle" nowrap="nowrap">
			<span class="nav">
			</span>
		</td>
		<td class="nav" valign="middle" width="100%">
			<span class="nav">
                <a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>
                {breadcrumb}
            </span>
		</td>
		<td align="right" valign="bottom" nowrap="nowrap" width="100%">
			<span class="gensmall bold">
				<a class="addthis_button" href="#">Share</a>
			</span>
		</td>
	</tr>
</table>

<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0" >
	<tr align="right">
		<td class="catHead" colspan="2" height="28">
			<table width="100%" border="0" cellspacing="0" cellpadding="0">
				<tr>
					<td width="9%" class="noprint">&nbsp;</td>
					<td align="center" class="t-title">
						<h1 class="cattitle">&nbsp;{e(topic.title)}</h1>
					</td>
					<td align="right" width="9%" class="browse-arrows">
                        {browse}
                        <a href="#bottom">{_arrow("down", "Go down")}</a>&nbsp;
                    </td>
				</tr>
			</table>
		</td>
	</tr>
{top_pages}{_POST_TABLE_HEAD}{"".join(rows)}	<tr align="right">
		<td class="catBottom" colspan="2" height="28">
			<table width="100%" border="0" cellspacing="0" cellpadding="0">
				<tr>
					<td width="9%" class="noprint">&nbsp;</td>
					<td align="center" class="t-title"><a name="bottomtitle"></a><div class="cattitle">{e(topic.title)}</div></td>
					<td align="right" nowrap="nowrap" width="9%" class="browse-arrows">
                        {browse}
                        <a href="#top">{_arrow("up", "Back to top")}</a>&nbsp;
                    </td>
				</tr>
			</table>
		</td>
	</tr>
</table>
<table class="forumline noprint" width="100%" border="0" cellspacing="0" cellpadding="0" style="margin: 0 0 1px 0; border-top: 0px;">
	<tr>
		<td class="row2" valign="top" width="150"><span class="gensmall">{page_number(total, board.posts_per_page, start, board.language)}</span></td>
{bottom_pages}	</tr>
</table>

<table class="forumline noprint" width="100%" border="0" cellspacing="0" cellpadding="0">
	<tr>
		<td class="row2" colspan="2" align="center" style="padding:0px">
		</td>
	</tr>
	<tr>
		<td style="margin:0; padding: 0;" colspan="2">
			<table border="0" cellpadding="0" width="100%" cellspacing="0" id="info_open" style="display:''">
				<tbody>
		<tr>
			<td class="row2" valign="top" width="25%"><span class="gensmall"><strong>Permissions in this forum:</strong></span></td>
			<td class="row1" valign="top" width="75%"><span class="gensmall">You <strong>cannot</strong> reply to topics in this forum<br /></span></td>
		</tr>
		<tr>
			<td class="catBottom" colspan="2" height="28">
				<table width="100%" border="0" cellspacing="0" cellpadding="0">
					<tr>
						<td valign="middle" width="100%"><span class="nav"><a class="nav" href="{ctx.href(INDEX_PATH)}">{e(board.title)}</a>{breadcrumb}</span></td>
					</tr>
				</table>
			</td>
		</tr>
	</tbody>
			</table>
		</td>
	</tr>
</table>

<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}">
<table class="noprint" width="100%" border="0" cellspacing="2" cellpadding="0" align="center">
	<tr>
		<td align="left" valign="middle" nowrap="nowrap" >
			<span class="nav">
			</span>
		</td>

		<td align="right" nowrap="nowrap"><span class="gensmall">Jump to:&nbsp;{jumpbox_select(ctx, forum)}&nbsp;<input class="liteoption" type="submit" value="Go" /></span></td>
	</tr>
</table>
</form>
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

    def _search_row(self, ctx: RenderContext, topic: Topic) -> str:
        last = topic.last_post
        forum = ctx.board.forum(topic.forum_id)
        folder = (
            "folder_announce"
            if topic.announcement
            else ("folder_sticky" if topic.sticky else "folder")
        )
        forum_link = (
            f'<a class="postdetails" href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a>'
            if forum
            else ""
        )
        return f"""        <tr>
            <td class="row1" align="center" valign="middle"><img title="No new posts" src="{IMG}/{folder}.gif" alt="No new posts" /></td>
            <td class="row1" align="center" valign="middle"></td>
            <td class="row1" onmouseover='this.className="row2"' onmouseout='this.className="row1"'>
                <h2 class="topic-title">&nbsp;{topic_type(topic, ctx.board.language)}<a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a></h2><br />
                <span class="gensmall">{goto_page(ctx, topic)}</span>
            </td>
            <td class="row3" align="center"><span class="postdetails">{forum_link}</span></td>
            <td class="row2" align="center" valign="middle"><span class="postdetails">{topic.reply_count}</span></td>
            <td class="row3" align="center" valign="middle"><span class="name">{poster_link(ctx, topic.author, topic.author_name)}</span></td>
            <td class="row2" align="center" valign="middle"><span class="postdetails">{topic.views}</span></td>
            <td class="row3" align="center" valign="middle" nowrap="nowrap" onmouseover='this.className="row2"' onmouseout='this.className="row3"'><span class="postdetails">{ctx.date(last.posted_at)}<br />{poster_link(ctx, last.author, last.author_name)} <a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="View latest post" title="View latest post" /></a></span></td>
        </tr>
"""

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        rows = "".join(self._search_row(ctx, topic) for topic in topics)
        body = f"""<table width="100%" border="0" cellspacing="2" cellpadding="0" align="center">
	<tr>
		<td class="nav" valign="middle" width="100%">
            <span class="nav">
                <a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a> :: {ctx.t("active_topics")}
            </span>
        </td>
	</tr>
</table>
<form action="/search" method="post" name="post" onsubmit="return verify_select();">
    <table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="4" align="center">
        <tr>
            <td align="center" class="catHead" colspan="9" height="28"><h1 class="cattitle">{ctx.t("search_matches").format(len(topics))}</h1></td>
        </tr>
        <tr>
            <th class="thCornerL" nowrap="nowrap" width="4%" height="25">&nbsp;</th>
            <th class="thTop" nowrap="nowrap" width="4%" height="25">&nbsp;</th>
            <th class="thTop" nowrap="nowrap">&nbsp;{ctx.t("topics")}&nbsp;</th>
            <th class="thTop" nowrap="nowrap">&nbsp;{ctx.t("forum")}&nbsp;</th>
            <th class="thTop" nowrap="nowrap">&nbsp;{ctx.t("replies")}&nbsp;</th>
            <th class="thTop" nowrap="nowrap">&nbsp;{ctx.t("author")}&nbsp;</th>
            <th class="thTop" nowrap="nowrap">&nbsp;{ctx.t("views")}&nbsp;</th>
            <th class="thTop" nowrap="nowrap">&nbsp;{ctx.t("last_post")}&nbsp;</th>
        </tr>
{rows}        <tr>
            <td class="catBottom" colspan="9" valign="middle" align="right"><a href="#top">{ctx.t("back_to_top")}</a></td>
        </tr>
    </table>
</form>
<table width="100%" border="0" cellspacing="2" cellpadding="0" align="center">
	<tr>
		<td valign="top"><span class="nav">{page_number(max(1, len(topics)), 50, 0, ctx.board.language)}</span></td>
		<td align="right" valign="top" nowrap="nowrap"><span class="nav"></span></td>
	</tr>
</table>
<table width="100%" border="0" cellspacing="2" align="center">
	<tr>
		<td align="right" valign="top">{self._jumpbox(ctx)}</td>
	</tr>
</table>"""
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
            f"""				<tr>
					<td class="{top.row_class} genmed"><a href="{top.href}" title="{top.title}">{top.name}</a></td>
				</tr>
"""
            for top in topics
        )
        return f"""<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<td class="catLeft" height="25"><span class="genmed module-title">{heading}</span></td>
	</tr>
	<tr>
		<td>
			<table summary="{heading}" width="100%" style="table-layout:fixed;overflow:hidden;">
{rows}			</table>
		</td>
	</tr>
</table>"""

    def _news(self, ctx: RenderContext) -> str:
        rows = []
        for number, item in enumerate(news_items(ctx)):
            saut = (
                '<table width="100%" border="0" cellspacing="0" cellpadding="0">\n\t<tr>\n'
                '\t\t<td height="2px"></td>\n\t</tr>\n</table>'
                if number
                else ""
            )
            rows.append(
                f"""{saut}<table class="forumline mod_news" width="100%" border="0" cellspacing="1" cellpadding="0">
	<tr>
		<td class="catLeft" height="25">
			<a name="news_{item.topic.id}"></a><span class="genmed">{item.title}</span>
		</td>
	</tr>
	<tr>
		<td class="row2" height="24"><span class="gensmall"><img src="{IMG}/icon_minitime.gif" alt="" />{item.time} {ctx.t("by")} <b>{item.poster}</b></span></td>
	</tr>
	<tr>
		<td class="row1">
			<span class="gensmall content" style="line-height:150%">
				{item.text}<br /><br />
			</span>
		</td>
	</tr>
	<tr>
		<td class="row3" height="24"><span class="gensmall"><a href="{item.comments_href}">{portal_label(ctx, "comments")}</a>: {item.replies}</span></td>
	</tr>
</table>"""
            )
        return "".join(rows)

    def portal(self, ctx: RenderContext) -> str:
        """``portal_body``: recent topics left, news in the middle, most active and most
        viewed topics right; no ``{CURRENT_TIME}`` (guests never get one in phpBB2)."""
        saut = """		<table width="100%" border="0" cellpadding="0" cellspacing="0">
			<tr>
				<td height="10"></td>
			</tr>
		</table>
"""
        left = self._recent_topics(ctx) + saut
        middle = self._news(ctx) + saut
        right = (
            self._top_topics(ctx, portal_label(ctx, "most_active"), most_active_topics(ctx))
            + saut
            + self._top_topics(ctx, portal_label(ctx, "most_viewed"), most_viewed_topics(ctx))
            + saut
        )
        body = f"""<table width="100%" cellspacing="0" cellpadding="0" border="0" align="center">
	<tr>
		<td colspan="3" width="100%"></td>
	</tr>
</table>
<table width="100%" cellspacing="1" cellpadding="10" border="0" align="center" class="portal">
	<tr>
		<td valign="top" width="25%" class="column">{left}</td>
		<td valign="top" width="50%">{middle}</td>
		<td valign="top" width="25%" class="column">{right}</td>
	</tr>
</table>
<table width="100%" cellspacing="0" cellpadding="0" border="0" align="center">
	<tr>
		<td colspan="3" width="100%"></td>
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
        body = f"""<table width="100%" border="0" cellspacing="2" cellpadding="0" align="center">
	<tr>
		<td class="nav"><a class="nav" href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a></td>
	</tr>
</table>
<table class="forumline" width="100%" border="0" cellspacing="1" cellpadding="4">
	<tr>
		<th class="thHead" height="25"><b>Information</b></th>
	</tr>
	<tr>
		<td class="row1">
		<table width="100%" border="0" cellspacing="0" cellpadding="1">
			<tr>
				<td>&nbsp;</td>
			</tr>
			<tr>
				<td align="center"><span class="gen">{e(message)}</span></td>
			</tr>
			<tr>
				<td>&nbsp;</td>
			</tr>
		</table>
		</td>
	</tr>
</table>
<br clear="all" />"""
        return self._page(
            ctx,
            title="Information",
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )


RENDERER = SubsilverRenderer()
