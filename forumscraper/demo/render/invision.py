"""Pages of the Invision template version, as a guest sees them.

The structure follows Forumotion's default invision templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, mod_recent_topics, search_results_topics,
overall_footer_begin): ``div#ipbwrapper``, breadcrumb in ``ul#navstrip``, forum and topic lists
as ``table.ipbtable``, posts as ``div.post#pID``. Traps kept: the poster's name printed twice in
a post (``dl.postprofile-details dt`` and ``p.author``, plus the pop-up menu button), the body as
the first ``div`` of ``div.post-entry`` that is not the vote block, the edit note as loose text at
the end of ``div.post-entry``, the signature ``div.signature_div`` after the entry, the sponsored
post ``p0``, ``hr#first-post-br`` before the second post when the first is repeated, and the
board clock ``{CURRENT_TIME}`` in the footer (``div.current-time``).
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
    login_register,
    member_path,
    nav_bar,
    nav_cat_desc,
    post_date,
    post_href,
    post_subject,
    poster_link,
    recent_classical,
    recent_entries,
    recent_scrolling,
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

IMG = f"{ILLIWEB}/invision"


class InvisionRenderer:
    """The Invision version (``div#ipbwrapper``)."""

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
        current = f'<div class="current-time">{current_time(ctx)}</div>' if clock else ""
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
	<link rel="stylesheet" href="/25-ltr.css" type="text/css" />
	<link rel="search" type="application/opensearchdescription+xml" href="/improvedsearch.xml" title="{e(board.title)}" />
	<script src="//ajax.googleapis.com/ajax/libs/jquery/1.7.2/jquery.min.js" type="text/javascript"></script>
	<script src="https://illiweb.com/rsc/88/frm/lang/{board.language}.js" type="text/javascript"></script>
    {snippets}
	<script type="text/javascript">
	//<![CDATA[
		var logInPopUpLeft, logInPopUpTop, logInPopUpWidth = 350, logInPopUpHeight = 150, logInBackgroundResize = false, logInBackgroundClass = false;
	//]]>
	</script>
	{userdata_script(ctx)}
</head>
<body>
<div id="login_popup" class="module borderwrap" style="z-index: 10000 !important;">
	<div id="login_popup_content">
		<div id="login_popup_background">
			<div id="login_popup_title" class="maintitle"><h3>{e(board.title)}</h3></div>
			<div class="box-content">
				Would you like to react to this message? Create an account in a few clicks or log in to continue.
				<div id="login_popup_buttons">
					<form action="/login" method="get" target="_parent">
						<input type="submit" class="button" value="Log in" />
						<input type="button" class="button" value="Register" onclick="parent.location='/register';" />
						<input id="login_popup_close" type="button" class="button" value="Don't display again" />
					</form>
				</div>
			</div>
		</div>
	</div>
</div>

<div class="minwidth_IE">
	<div class="layout_IE">
		<div class="container_IE">

			<div id="ipbwrapper">

				<a id="top" name="top" accesskey="t"></a>

				<div id="logostrip" class="clearfix">
					<a href="{ctx.href(INDEX_PATH)}" id="logo" title="{e(board.title)}"><img src="{IMG}/logo.png" alt="{e(board.title)}" /></a>
					<div id="main-title">{e(board.title)}</div>
					<p id="site-desc">{e(board.description)}</p>
				</div>

				<div id="submenu">
					<ul>
						<li class="clearfix">{nav_bar(ctx)}</li>
					</ul>
				</div>
				<div id="userlinks" class="not-connected clearfix">
					<span class="guest">{login_register(ctx)}</span>
				</div>

				<div id="{"content-container" if right else "content-container-full"}">
					<div id="outer-wrapper">
						<div id="wrapper">
							<div id="container">
								<div id="content">

									<div id="left">
									</div>

									<div id="main">
{body}
									</div>
								</div>
							</div>
							<div id="right">
{right}
							</div>
						</div>
					</div>
				</div>
				<div class="clearfix"></div>
				<div id="gfooter">
					<div class="clearfix">
						<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}" id="qjump">
							<fieldset>{jumpbox_select(ctx)}</fieldset>
						</form>
						{current}
						<div class="centerer footer-links">
							<del>
								<ul>
									<li>
										<a name="bottom" class="copyright" href="https://www.forumotion.com" rel="nofollow" target="_blank" title="Create a free forum">Create a forum</a>
									</li>
								</ul>
							</del>
						</div>
					</div>
				</div>
				<p class="center">
					<strong></strong>
				</p>
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

    def _navstrip(self, ctx: RenderContext, category: Category | None, forums: list[Forum]) -> str:
        return (
            '<ul id="navstrip" class="clearfix">\n\t<li class="begin">'
            f'<a href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a></li>\n'
            f"\t{nav_cat_desc(ctx, category, forums)}\n</ul>\n"
        )

    # -- index ----------------------------------------------------------------------------------

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        topics, posts, _ = ctx.board.forum_stats(forum.id)
        return f"""				<tr>
					<td class="row2 icon" style="padding-right: 0px; padding-left: 0px;">
						<span class="status clearfix" style="margin-right: -0px; margin-left: -0px;">
							<img title="No new posts" src="{IMG}/folder_big.gif" alt="No new posts" class="icon" />
						</span>
						<div class="par forum-name">
							<h3 class="hierarchy"><a href="{ctx.href(forum_path(forum))}" class="forumtitle">{e(forum.title)}</a></h3>
							<p class="forum-desc">{forum.description}</p>
						</div>
						<p>
							{subforum_links(ctx, forum)}
							<strong></strong>
						</p>

					</td>
					<td class="row1 centered">{topics}</td>
					<td class="row2 centered">{posts}</td>
					<td class="row1">
						<span>
						{forum_last_post(ctx, forum, f"{IMG}/icon_latest_reply.gif")}
						</span>
					</td>
				</tr>
"""

    def _board_index(self, ctx: RenderContext, boxes: list[tuple[str, list[Forum]]]) -> str:
        parts = []
        for number, (heading, forums) in enumerate(boxes, start=1):
            rows = "".join(self._forum_row(ctx, forum) for forum in forums)
            parts.append(
                f"""	<div class="borderwrap">
		<div class="maintitle floated clearfix">
			{heading}
			<div class="contract" id="bc{number}" onclick="toggleCategory('c{number}');">
				&nbsp;&nbsp;&nbsp;
			</div>
		</div>

		<table cellpadding="0" cellspacing="0" id="c{number}" class="ipbtable index-box">
			<thead>
				<tr>
					<th class="forum">{ctx.t("forum")}</th>
					<th class="topics">{ctx.t("topics")}</th>
					<th class="replies">{ctx.t("posts")}</th>
					<th class="last post-info">{ctx.t("last_posts")}</th>
				</tr>
			</thead>
			<tfoot>
				<tr>
					<td colspan="4">

					</td>
				</tr>
			</tfoot>
			<tbody>
{rows}			</tbody>
		</table>
		</div>
		<br />
"""
            )
        return "".join(parts)

    def _recent_topics(self, ctx: RenderContext) -> str:
        entries = recent_entries(ctx)
        if ctx.widget_mode == "classical":
            rows = recent_classical(ctx, entries, indent=" " * 28)
        else:
            rows = f"""                <script src="https://illiweb.com/rsc/88/frm/jquery/marquee/jquery.marquee.min.js" type="text/javascript"></script>
                <div id="comments_scroll_div">
                    <div class="marquee" data-direction='up' data-duration='15000' data-pauseOnHover="true" style="overflow:hidden;height:200px;">
{recent_scrolling(ctx, entries, icon=f"{IMG}/icon_minitime.gif", indent=" " * 24)}                    </div>
                </div>
                <script type="text/javascript">
                        $(".marquee").marquee();
                </script>
"""
        return f"""<div class="module borderwrap">
	<div class="maintitle"><h3>{ctx.t("recent_topics")}</h3></div>
	<div class="box-content">
{rows}	</div>
</div>"""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        boxes = [(category_heading(ctx, cat), board.child_forums(cat.id)) for cat in categories]
        newest = board.members[-1] if board.members else None
        body = f"""{self._navstrip(ctx, category, [])}
{self._board_index(ctx, boxes)}
<div id="fo_stat" class="borderwrap">
	<div class="maintitle floated">
		<h3>Statistics</h3>
	</div>
	<table cellpadding="0" cellspacing="0" class="ipbtable">
		<thead>
			<tr>
				<th colspan="2">
					<div class="linklist clearfix statlinks">
						<ul>
							<li><a href="{ctx.href("/search?search_id=activetopics")}">{ctx.t("active_topics")}</a></li>
							<li><a href="{ctx.href("/memberlist?mode=today_posters")}">Today's posters</a></li>
							<li class="last"><a href="{ctx.href("/memberlist?mode=overall_posters")}">Overall posters</a></li>
						</ul>
					</div>
				</th>
			</tr>
		</thead>
		<tbody id="s0">
			<tr>
				<th colspan="2" class="formsubtitle">{ctx.t("who_is_online")}</th>
			</tr>
			<tr>
				<td class="row1" width="1%"><img src="{IMG}/whosonline.png" id="i_whosonline" alt="{ctx.t("who_is_online")}" class="img-whois" /></td>
				<td class="row2">
					<div class="clearfix"><div class="left">In total there is <strong>1</strong> user online :: 0 Registered, 0 Hidden and 1 Guest</div></div>
					<div class="thin">Registered Users: None</div>
				</td>
			</tr>
			<tr>
				<td class="row1" width="1%"></td>
				<td class="row2">
					Our users have posted a total of <strong>{len(board.live_posts())}</strong> messages<br />
					We have <strong>{len(board.members)}</strong> registered users<br />
					The newest registered user is <strong>{poster_link(ctx, newest, "") if newest else ""}</strong>
				</td>
			</tr>
		</tbody>
	</table>
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

    def _topic_row(self, ctx: RenderContext, topic: Topic) -> str:
        last = topic.last_post
        folder = "announce" if topic.announcement else "sticky" if topic.sticky else "folder"
        return f"""					<tr>
						<td class="row1 centered ">
							<img title="No new posts" src="{IMG}/{folder}.gif" alt="No new posts" />
						</td>
						<td class="row1 centered ">

						</td>
						<td class="row1 ">
							&nbsp;&nbsp;{topic_type(topic, ctx.board.language)}&nbsp;
							<a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>&nbsp;
							{goto_page_new(ctx, topic)}
						</td>
						<td class="row2 centered ">{topic.reply_count}</td>
						<td class="row1 centered author ">{poster_link(ctx, topic.author, topic.author_name)}</td>
						<td class="row2 centered ">{topic.views}</td>
						<td class="row1 lastaction ">
							<a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="Go to last message" title="Go to last message" /></a>&nbsp;{ctx.date(last.posted_at)}
							<br />{ctx.t("by")} {poster_link(ctx, last.author, last.author_name)}
						</td>
					</tr>
"""

    def _table_head(self, ctx: RenderContext, title: str) -> str:
        return f"""			<table cellspacing="0" cellpadding="0" class="ipbtable">
				<thead>
					<tr>
						<th class="icon"></th>
						<th class="icon" style="width: 2%;"></th>
						<th class="forum2">{title}</th>
						<th class="topics">{ctx.t("replies")}</th>
						<th class="starter">{ctx.t("author")}</th>
						<th class="views">{ctx.t("views")}</th>
						<th class="last last-post2">{ctx.t("last_post")}</th>
					</tr>
				</thead>
				<tbody>
"""

    def _topics_list(self, ctx: RenderContext, forum: Forum, topics: list[Topic]) -> str:
        special = any(t.sticky or t.announcement for t in topics)
        parts = [
            f"""			<div class="maintitle floated dropped">
				<h1>{e(forum.title)}</h1>
			</div>
{self._table_head(ctx, ctx.t("announcements") if special else ctx.t("topics"))}"""
        ]
        in_special = special
        for topic in topics:
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(
                    f"""				</tbody>
			</table>
			<div class="maintitle">
				<h2>{ctx.t("topics")}</h2>
			</div>
{self._table_head(ctx, ctx.t("topics"))}"""
                )
            parts.append(self._topic_row(ctx, topic))
        if not topics:
            parts.append(
                '					<tr>\n						<td class="row1 centered" colspan="8">'
                f"<strong>{ctx.t('no_topics')}</strong></td>\n					</tr>\n"
            )
        parts.append(
            f"""				</tbody>
			</table>
			<div class="tfooter box-content darkrow clearfix">
					<div class="search-footer-box">
						<form method="get" id="forum-search" action="/search">
							<fieldset>
								<input type="text" name="search_keywords" id="search_keywords" size="20" value="Search" />
								&nbsp;<input class="button" type="submit" value="Search" />
								<input type="hidden" value="f{forum.id}" name="search_where" />
							</fieldset>
						</form>
					</div>
			</div>
"""
        )
        return "".join(parts)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        topics = board.forum_list(forum.id, start)
        subforums = board.subforums(forum.id)
        sub_index = self._board_index(ctx, [("Subforums", subforums)]) if subforums else ""
        pages = forum_pages(ctx, forum, start)
        body = f"""{self._navstrip(ctx, category, path)}
<div class="pagination topic-options">
	{pages}
</div>

<div class="posting-options topic-options">
</div>

<div class="clearfix empty-clear"></div>

<div class="borderwrap">
{self._topics_list(ctx, forum, topics)}</div>

<div class="pagination topic-options">
	{pages}
</div>

<div class="clearfix empty-clear"></div>

{sub_index}

<div class="borderwrap">
	<div class="bar clearfix">
		<div class="left rtl-inversion-left">
			<strong>Moderators</strong> <br />None
		</div>
		<div class="right rtl-inversion-right">
			{ctx.t("permissions")} <br />{ctx.t("cannot_reply")}<br />
		</div>
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
            bar = '<div title="Votes : 0" class="vote-no-bar">----</div>'
        else:
            plus, minus = votes
            bar = f'<div class="vote-bar" title="Votes : {plus} / {plus + minus}"><div class="vote-bar-plus" style="height:{plus * 10}px;"></div></div>'
        return f'				<div class="vote gensmall">\n					{bar}\n				</div>\n'

    def _post_html(
        self,
        *,
        post_id: int,
        number: str,
        name_inv: str,
        profile_dt: str,
        details: str,
        subject_link: str,
        author: str,
        votes: str,
        message: str,
        edited: str,
        signature: str,
    ) -> str:
        return f"""	<div id="p{post_id}" class="post  clearfix post--{post_id}" style="">
		<div class="post-container">
			<div class="postbody clearfix">
				<div class="postprofile" id="profile{post_id}">
					<div class="postprofile-head post-header">
						<div class="popmenubutton-new-out popmenubutton">
							<a href="javascript:void(0);">{name_inv}</a>
						</div>
					</div>
					<dl class="postprofile-details postdetails">
						<dt>
							{profile_dt}
						</dt>
						<dd>{details}</dd>
						<dd><br /></dd>
						<dd>
						</dd>
					</dl>
				</div>
			<div class="postbody-head postdetails post-header">
				<ul class="post-info">
					<li></li>
					<li>{number}</li>
				</ul>
                <div style="position: relative; top: -30px; width: 1px;" id="{post_id}"></div>
				<h3> {subject_link}</h3>
				<p class="author"><img src="{IMG}/icon_minipost.gif" alt="Post" title="Post" />&nbsp;{author}</p>
			</div>
			<div class="post-entry">
{votes}				<div>{message}</div>
				<div class="clear"></div>
				{edited}
			</div>
{signature}		</div>
	</div>
		<div class="post-footer clearfix">
			<ul class="misc-icons">
				<li><a href="#top">{_arrow("up")}</a></li>
				<li></li>
			</ul>
			<ul class="posting-icons">
				<li></li>
			</ul>
		</div>
	</div> <!-- closing tag post -->
"""

    def _post(self, ctx: RenderContext, topic: Topic, post: Post, number: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        name = poster_link(ctx, post.author, post.author_name)
        if post.author is not None:
            profile = ctx.href(member_path(post.author))
            avatar = f'<a href="{profile}"><img src="{IMG}/avatar.png" alt="" /></a>'
            details = (
                f'{ctx.t("member")}<br /><span class="label"><span style="color:#000000;">'
                f"{ctx.t('posts')}</span>  :</span> {board.member_post_count(post.author.id)}"
            )
        else:
            avatar, details = "", ctx.t("guest")
        signature = (
            f'			<br />\n			<div id="sig{post.id}" class="signature_div">{post.signature_html}</div>\n'
            if post.signature_html
            else ""
        )
        return self._post_html(
            post_id=post.id,
            number=f"Post n°{number}",
            name_inv=e(post.author_name),
            profile_dt=f"{avatar}<br />\n\t\t\t\t\t\t\t{name}",
            details=details,
            subject_link=f'<a href="{post_href(ctx, topic, post)}">{e(post_subject(topic, post))}</a>',
            author=f"{ctx.t('by')}&nbsp;{name} {post_date(ctx, post.posted_at)}",
            votes=self._votes(forum, post),
            message=post.body_html,
            edited=edited_message(ctx, post),
            signature=signature,
        )

    def _sponsored(self, ctx: RenderContext, topic: Topic) -> str:
        return self._post_html(
            post_id=0,
            number="",
            name_inv=ctx.t("sponsored"),
            profile_dt=f"<br />\n\t\t\t\t\t\t\t{ctx.t('sponsored')}",
            details="",
            subject_link=f'<a href="{ctx.href(topic_path(topic))}">{ctx.t("sponsored")}</a>',
            author="",
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
        numbers = {post.id: index + 1 for index, post in enumerate(topic.live_posts)}
        rendered = []
        for index, post in enumerate(visible_posts(board, topic, start)):
            if index == 1 and topic.repeat_first_post:
                rendered.append('</div>\n<hr id="first-post-br" />\n<div class="borderwrap">\n')
            rendered.append(self._post(ctx, topic, post, numbers[post.id]))
            if index == 0:
                rendered.append(self._sponsored(ctx, topic))
        pages = topic_pages(ctx, topic, start)
        paging = f'<div class="pagination topic-options">\n\t{pages}\n</div>\n' if pages else ""
        older = ctx.href(f"/t{topic.id}p-{topic.slug}")
        newer = ctx.href(f"/t{topic.id}n-{topic.slug}")
        body = f"""<script type="text/javascript">//<![CDATA[
var multiquote_img_off = '{IMG}/icon_multiquote_off.gif', multiquote_img_on = '{IMG}/icon_multiquote_on.gif', _atr = 'https://illiweb.com/rsc/88/frm/addthis/', _ati = '{ILLIWEB}/addthis/', addthis_localize = {{ share_caption: "Share", email: "Email", email_caption: "Email", favorites: "Favorites", print: "Print", more: "More" }};
var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
//]]>
</script>
{self._navstrip(ctx, category, path)}
{paging}<div class="posting-options topic-options">
	<ul class="posting-buttons clearfix">
		<li></li>
	</ul>
</div>
<div class="clearfix empty-clear"></div>
<div class="borderwrap">
	<div class="maintitle floated">
		<h1>{e(topic.title)}</h1>
		<div id="topicmenu-options" class="popmenubutton">
            <a class="addthis_button" href="#">Share</a>
		</div>
	</div>
{"".join(rendered)}	<div class="topic-footer clearfix">
		<div class="next-prev">
			&laquo; <a href="{older}">Previous topic</a> &middot; <a href="{newer}">Next topic</a> &raquo;
		</div>
	</div>
</div>
<br />
<div class="borderwrap">
	<div class="bar clearfix">
		<div class="right rtl-inversion-right">
			{ctx.t("permissions")} <br />{ctx.t("cannot_reply")}<br />
		</div>
	</div>
</div>
{paging}<div class="clearfix empty-clear"></div>
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

    def _search_row(self, ctx: RenderContext, topic: Topic) -> str:
        last = topic.last_post
        forum = ctx.board.forum(topic.forum_id)
        forum_link = (
            f'<a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a>' if forum else ""
        )
        return f"""			<tr>
				<td class="centered row2"><img src="{IMG}/folder.gif" alt="No new posts" title="No new posts" /></td>
				<td class="row2 centered " >

				</td>
                <td class="centered row1">

				</td>
				<td class="row2">
					&nbsp;{topic_type(topic, ctx.board.language)}&nbsp;
					<a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a>&nbsp;
					<span class="topic-paging">{goto_page_new(ctx, topic)}</span>&nbsp;
				</td>
				<td class="row2">{forum_link}</td>
				<td class="row1 centered">{poster_link(ctx, topic.author, topic.author_name)}</td>
				<td class="centered row2">{topic.reply_count}</td>
				<td class="centered row1">{topic.views}</td>
				<td class="row1">
				{ctx.date(last.posted_at)}
				<br />
				{ctx.t("by")} {poster_link(ctx, last.author, last.author_name)} <a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="Go to last message" title="Go to last message" /></a>
				</td>
			</tr>
"""

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        rows = "".join(self._search_row(ctx, topic) for topic in topics)
        body = f"""<ul id="navstrip" class="clearfix">
	<li class="begin"><a href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a></li>
	<li>{ctx.t("active_topics")}</li>
</ul>
<div class="pagination clearfix">
</div>
<div class="clear"></div><br />
<div class="borderwrap">
	<div class="maintitle"><h1>{ctx.t("search_matches").format(len(topics))}</h1></div>
	<form action="/search" method="post" name="post" onsubmit="return verify_select();" class="ipbform">
	<table cellpadding="0" cellspacing="0" class="ipbtable search">
		<thead>
			<tr>
				<th class="icon"></th>
				<th class="icon"></th>
				<th class="icon"></th>
				<th class="topic-title">{ctx.t("topics")}</th>
				<th>{ctx.t("forum")}</th>
				<th>{ctx.t("author")}</th>
				<th class="topics">{ctx.t("replies")}</th>
				<th class="replies">{ctx.t("views")}</th>
				<th class="last post-search">{ctx.t("last_post")}</th>
			</tr>
		</thead>
		<tbody>
{rows}		</tbody>
	</table>
	</form>
	<div class="box-content"></div>
</div>
<div class="pagination">
</div>"""
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
        return f"""<div class="module borderwrap">
	<div class="maintitle"><h3>{heading}</h3></div>
	<div class="box-content">
		<table summary="{heading}" width="100%">
{rows}		</table>
	</div>
</div>"""

    def _news(self, ctx: RenderContext) -> str:
        return "".join(
            f"""<a name="news_{item.topic.id}"></a>

<div class="module borderwrap postbody">

		<div class="maintitle"><div class="h3" style="text-align:left;">{item.title}</div></div>
		<div class="box-content mod_news">
		<p class="postbody-head">{item.time} {ctx.t("by")} <strong>{item.poster}</strong></p>
		<div class="postbody-entry">
			<div>
				{item.text}
				<br /><br />
				<span class="post-read-full">
				</span>
			</div>
		</div>
		<p class="post-footer"><a href="{item.comments_href}">{portal_label(ctx, "comments")}</a>: {item.replies}</p>
		</div>
</div>
"""
            for item in news_items(ctx)
        )

    def portal(self, ctx: RenderContext) -> str:
        """``portal_body``: recent topics left, news in the middle, most active and most
        viewed topics right. ``portal_body`` has no ``{CURRENT_TIME}``; the footer's clock
        (``overall_footer_begin``) stays, as on every Invision page."""
        saut = '<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td height="10"></td></tr></table>\n'
        left = self._recent_topics(ctx) + "\n" + saut
        middle = self._news(ctx) + saut
        right = (
            self._top_topics(ctx, portal_label(ctx, "most_active"), most_active_topics(ctx))
            + "\n"
            + saut
            + self._top_topics(ctx, portal_label(ctx, "most_viewed"), most_viewed_topics(ctx))
            + "\n"
            + saut
        )
        body = f"""<table width="100%" cellspacing="0" cellpadding="0" border="0" align="center"><tr><td colspan="3" width="100%">

</td></tr></table><table width="100%" cellspacing="10" border="0" align="center"><tr><td valign="top" width="25%">

{left}
</td><td valign="top" width="50%">

{middle}
</td><td valign="top" width="25%">

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
        body = f"""{self._navstrip(ctx, None, [])}
<div class="borderwrap">
	<div class="maintitle"><h3>Information</h3></div>
	<div class="box-content">
		<div class="msg">{e(message)}</div>
	</div>
</div>"""
        return self._page(
            ctx,
            title="Information",
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )


def _arrow(direction: str) -> str:
    return f'<img class="sprite-arrow_invision_{direction}" src="{ILLIWEB}/empty.gif" alt="" />'


RENDERER = InvisionRenderer()
