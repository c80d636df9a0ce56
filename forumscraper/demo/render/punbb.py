"""Pages of the PunBB template version, as a guest sees them.

The structure follows Forumotion's default punbb templates (overall_header, index_box,
viewforum_body, topics_list_box, viewtopic_body, mod_recent_topics, search_results_topics):
``div.pun`` with ``#pun-intro`` / ``#pun-head``, forum and topic lists as ``table.table`` with a
``tbody.statused``, posts as ``div.post.post--ID`` whose id ``pID`` sits on the inner
``div.posthead`` (the container itself has none). Traps kept: the author in
``h4.username``, the date after the subject link in ``div.posthead h2``, the vote block before
the body in ``div.entry-content`` when the forum has votes on, the edit note in the ``<p>``
after the body, the signature in ``div.sig-content`` outside the entry, the sponsored post ``p0``,
the first post repeated on later pages after ``hr#first-post-br``. No ``{CURRENT_TIME}`` line.
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
    page_number,
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

IMG = f"{ILLIWEB}/punbb"


class PunbbRenderer:
    """The PunBB version (``#pun-intro``, ``#pun-head``)."""

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
	<link rel="stylesheet" href="/21-ltr.css" type="text/css" />
	<link rel="search" type="application/opensearchdescription+xml" href="/improvedsearch.xml" title="{e(board.title)}" />
	<link rel="search" type="application/opensearchdescription+xml" href="https://www.forumotion.com/search/improvedsearch.xml" title="Search forums" />
	<script src="//ajax.googleapis.com/ajax/libs/jquery/1.7.2/jquery.min.js" type="text/javascript"></script>
	<script src="https://illiweb.com/rsc/88/frm/lang/{board.language}.js" type="text/javascript"></script>
    {snippets}
	<script type="text/javascript">
	//<![CDATA[
	jQuery().ready(function(){{
	}});
		var logInPopUpLeft, logInPopUpTop, logInPopUpWidth = 350, logInPopUpHeight = 150, logInBackgroundResize = false, logInBackgroundClass = false;
	//]]>
	</script>
	{userdata_script(ctx)}
</head>

<body>
	<div id="login_popup" class="module main" style="z-index: 10000 !important;">
		<div id="login_popup_title" class="main-head">
			<div class="h3">{e(board.title)}</div>
		</div>
		<div class="main-content">
			Would you like to react to this message? Create an account in a few clicks or log in to continue.
			<div id="login_popup_buttons">
				<form action="/login" method="get">
					<input type="submit" class="button2" value="Log in" />
					<input type="button" class="button2" value="Register" onclick="parent.location='/register';" />
					<input id="login_popup_close" type="button" class="button2" value="Don't display again" />
				</form>
			</div>
		</div>
	</div>

	<a id="top" name="top" accesskey="t"></a>

	<div class="minwidth_IE">
		<div class="layout_IE">
			<div class="container_IE">
				<div class="pun">
					<div id="pun-intro" class="clearfix">
						<a href="{ctx.href(INDEX_PATH)}" id="pun-logo"><img src="{IMG}/logo.png" alt="{e(board.title)}" /></a>
						<div id="pun-title">{e(board.title)}</div>
						<p id="pun-desc">{e(board.description)}</p>
					</div>
					<div id="pun-head">
						<div id="pun-navlinks">
							<ul class="clearfix">
								<li>{nav_bar(ctx)}</li>
							</ul>
						</div>
					</div>

					<div id="page-body">
						<div id="{"content-container" if right else "content-container-full"}">
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
					<div id="pun-foot">
						<div id="pun-about" class="clearfix">
							<form action="/viewforum" method="get" name="jumpbox" onsubmit="if(document.jumpbox.f.value == -1){{return false;}}" id="qjump">
								<fieldset>
									<p><label>Jump to:&nbsp;</label></p>
									{jumpbox_select(ctx)}&nbsp;<input type="submit" value="Go" />
								</fieldset>
							</form>
							<ul>
								<li>
									<a name="bottom" class="copyright" href="https://www.forumotion.com" rel="nofollow" target="_blank" title="Create a free forum">Create a forum</a>
								</li>
							</ul>
						</div>
						<br />
						<p class="center">
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

    def _visit(self, ctx: RenderContext) -> str:
        return f'<div id="pun-visit">\n\t<p>{login_register(ctx)}</p>\n</div>\n'

    def _crumbs(self, ctx: RenderContext, category: Category | None, forums: list[Forum]) -> str:
        return (
            '<div class="pun-crumbs">\n\t<p class="crumbs">'
            f'<a href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a>'
            f"<strong>{nav_cat_desc(ctx, category, forums)}</strong></p>\n</div>\n"
        )

    # -- index ----------------------------------------------------------------------------------

    def _forum_row(self, ctx: RenderContext, forum: Forum) -> str:
        topics, posts, _ = ctx.board.forum_stats(forum.id)
        return f"""					<tr>
						<td class="tcl" style="padding-right: 0px; padding-left: 0px;">
							<span class="status" style="margin-right: -0px; margin-left: -0px;">
								<img title="No new posts" src="{IMG}/folder_big.gif" alt="No new posts" />
							</span>
							<h3 class="hierarchy"><a href="{ctx.href(forum_path(forum))}" class="forumtitle">{e(forum.title)}</a></h3>
							<br />
							{forum.description}
							{subforum_links(ctx, forum)}
							<strong></strong>
						</td>
						<td class="tc2">{topics}</td>
						<td class="tc3">{posts}</td>
						<td class="tcr">
							<span>
							{forum_last_post(ctx, forum, f"{IMG}/icon_latest_reply.gif")}
							</span>
						</td>
					</tr>
"""

    def _board_index(
        self,
        ctx: RenderContext,
        boxes: list[tuple[str, list[Forum]]],
        category: Category | None,
        path: list[Forum],
        *,
        on_index: bool,
    ) -> str:
        parts = [self._crumbs(ctx, category, path), '<div class="main">\n']
        for heading, forums in boxes:
            rows = "".join(self._forum_row(ctx, forum) for forum in forums)
            parts.append(
                f"""		<div class="main-head">
			<div class="page-title">{heading}</div>
		</div>
		<div class="main-content">
			<table cellspacing="0" class="table">
				<thead>
					<tr>
						<th class="tcl">{ctx.t("forum")}</th>
						<th class="tc2">{ctx.t("topics")}</th>
						<th class="tc3">{ctx.t("posts")}</th>
						<th class="tcr">{ctx.t("last_posts")}</th>
					</tr>
				</thead>
				<tbody class="statused">
{rows}				</tbody>
			</table>
		</div>
"""
            )
        parts.append("</div>\n")
        if on_index:
            parts.append(
                f"""<div class="main-box clearfix">
	<ul>
		<li><a href="{ctx.href("/search?search_id=activetopics")}">{ctx.t("active_topics")}</a></li>
		<li><a href="{ctx.href("/memberlist?mode=today_posters")}">Today's posters</a></li>
		<li><a href="{ctx.href("/memberlist?mode=overall_posters")}">Overall posters</a></li>
	</ul>
</div>
"""
            )
        return "".join(parts)

    def _recent_topics(self, ctx: RenderContext) -> str:
        entries = recent_entries(ctx)
        if ctx.widget_mode == "classical":
            return f"""<div class="module main">
	<div class="main-head"><h3>{ctx.t("recent_topics")}</h3></div>
	<div class="main-content">
{recent_classical(ctx, entries, indent="		")}	</div>
</div>"""
        return f"""<script src="https://illiweb.com/rsc/88/frm/jquery/marquee/jquery.marquee.min.js" type="text/javascript"></script>
<div class="module main">
	<div class="main-head"><div class="h3">{ctx.t("recent_topics")}</div></div>
	<div class="main-content" id="comments_scroll_div">
             <div class="marquee" data-direction='up' data-duration='15000' data-pauseOnHover="true" style="overflow:hidden;height:200px;">
{recent_scrolling(ctx, entries, icon=f"{IMG}/icon_minitime.gif", indent="		")}             </div>
	</div>
</div>
<script type="text/javascript">
        $(".marquee").marquee();
</script>"""

    def index(self, ctx: RenderContext, category: Category | None = None) -> str:
        board = ctx.board
        categories = [category] if category is not None else board.ordered_categories()
        boxes = [(category_heading(ctx, cat), board.child_forums(cat.id)) for cat in categories]
        newest = board.members[-1] if board.members else None
        body = f"""{self._visit(ctx)}
{self._board_index(ctx, boxes, category, [], on_index=True)}
<div id="pun-info" class="main">
	<div class="main-content">
		<div id="stats">
			<p class="right">Our users have posted a total of <strong>{len(board.live_posts())}</strong> messages</p>
			<p>We have <strong>{len(board.members)}</strong> registered users</p>
			<p>The newest registered user is <strong>{poster_link(ctx, newest, "") if newest else ""}</strong></p>
		</div>
		<div id="onlinelist">
			<img src="{IMG}/whosonline.png" alt="{ctx.t("who_is_online")}" />
			<p class="right">
				{ctx.t("who_is_online")}
			</p>
			<p>In total there is <strong>1</strong> user online :: 0 Registered, 0 Hidden and 1 Guest<br />
			Registered Users: None</p>
			<div class="clear"></div>
		</div>
	</div>
</div>
"""
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
        return f"""		<tr>
			<td class="tcl tdtopics ">
				<span class="status">
					<img title="No new posts" src="{IMG}/{folder}.gif" alt="No new posts" />
				</span>
				&nbsp;

				&nbsp;
				{topic_type(topic, ctx.board.language)}&nbsp;
				<h2 class="topic-title"><a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a></h2>&nbsp;
				{goto_page_new(ctx, topic)} &nbsp;
				{ctx.t("by")} {poster_link(ctx, topic.author, topic.author_name)}
			</td>
			<td class="tc2 ">{topic.reply_count}</td>
			<td class="tc3 ">{topic.views}</td>
			<td class="tcr ">
                {ctx.date(last.posted_at)} {ctx.t("by")} {poster_link(ctx, last.author, last.author_name)} <a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="Go to last message" title="Go to last message" /></a>
            </td>
		</tr>
"""

    def _table_head(self, ctx: RenderContext) -> str:
        return f"""	<div class="main-content">
	<table cellspacing="0" class="table">
		<thead>
			<tr>
				<th class="tcl">{ctx.t("topics")}</th>
				<th class="tc2">{ctx.t("replies")}</th>
				<th class="tc3">{ctx.t("views")}</th>
				<th class="tcr">{ctx.t("last_post")}</th>
			</tr>
		</thead>
		<tbody class="statused">
"""

    def _topics_list(self, ctx: RenderContext, topics: list[Topic], total: int) -> str:
        special = [t for t in topics if t.sticky or t.announcement]
        first_title = ctx.t("announcements") if special else ctx.t("topics")
        first_count = len(special) if special else total
        parts = [
            f"""	<div class="main-head">
		<h1 class="page-title">{first_title} [{first_count}]</h1>
	</div>
{self._table_head(ctx)}"""
        ]
        in_special = bool(special)
        for topic in topics:
            if in_special and not (topic.sticky or topic.announcement):
                in_special = False
                parts.append(
                    f"""		</tbody>
	</table>
	</div>

	<div class="main-head">
		<h2>{ctx.t("topics")} [{total - len(special)}]</h2>
	</div>
{self._table_head(ctx)}"""
                )
            parts.append(self._topic_row(ctx, topic))
        if not topics:
            parts.append(
                f'<tr>\n\t<td class="tcl" colspan="4"><strong>{ctx.t("no_topics")}</strong></td>\n</tr>\n'
            )
        parts.append(
            f"""		</tbody>
	</table>
	</div>
	<div class="main-foot clearfix">
		<p class="h2">{ctx.t("topics")} [{total}]</p>
		<p class="options">
			<a href="#top">{ctx.t("back_to_top")}</a>
		</p>
	</div>
"""
        )
        return "".join(parts)

    def forum(self, ctx: RenderContext, forum: Forum, start: int) -> str:
        board = ctx.board
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        all_topics = board.forum_list_paged(forum.id)
        topics = board.forum_list(forum.id, start)
        subforums = board.subforums(forum.id)
        sub_index = (
            self._board_index(ctx, [("Subforums", subforums)], category, path, on_index=False)
            if subforums
            else ""
        )
        pages = forum_pages(ctx, forum, start)
        body = f"""{self._visit(ctx)}
{sub_index}
<div class="main paged">
	<div class="paged-head clearfix">
		<p class="paging">{pages}</p>
	</div>

{self._topics_list(ctx, topics, len(all_topics))}
	<div class="paged-foot clearfix">
		<p class="paging">{pages}</p>
	</div>

</div>
{self._crumbs(ctx, category, path)}
<div id="pun-info" class="main">
	<div class="main-content">
		<div id="stats">
			<p class="right">Moderators : None</p>
			Users browsing this forum: None
		</div>
		<div id="onlinelist">
			<p>{ctx.t("permissions")} <br />{ctx.t("cannot_reply")}<br /></p>
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
            total = plus + minus
            bar = (
                f'<div class="vote-bar" title="Votes : {plus} / {total}">'
                + (
                    f'<div class="vote-bar-plus" style="height:{plus * 10}px;"></div>'
                    if plus
                    else ""
                )
                + (
                    f'<div class="vote-bar-minus" style="height:{minus * 10}px;"></div>'
                    if minus
                    else ""
                )
                + "</div>"
            )
        return f"""								<div class="vote gensmall">
									{bar}
								</div>
"""

    def _post_html(
        self,
        ctx: RenderContext,
        *,
        post_id: int,
        number: str,
        subject_link: str,
        date: str,
        name: str,
        user_info: str,
        votes: str,
        message: str,
        edited: str,
        signature: str,
        contact: str,
    ) -> str:
        return f"""			<div class="post post--{post_id}" style="">
				<a name="{post_id}" style="position: relative; top: -20px; width: 1px;" id="{post_id}"></a>
				<div class="postmain">
					<div id="p{post_id}" class="posthead">
						<h2>
							<strong>{number}</strong>
							{subject_link} {date}
						</h2>
					</div>

					<div class="postbody">
						<div class="user">
							<div class="user-ident">
								<h4 class="username">{name}</h4>
								<div class="user-basic-info">
									<br />

								</div>
							</div>
							<div class="user-info">
								{user_info}
							</div>
						</div>

						<div class="post-entry">
							<div class="entry-content">
{votes}								<div>
									<div>{message}</div>
									<div class="clear"></div>
								</div>
								<p>
									{edited}
								</p>
							</div>
						</div>
					</div>

{signature}
					<div class="postfoot">
						<div class="user-contact profile_left">
							{contact}
						</div>
						<div class="post-options profile_left">

						</div>
						<div style="clear:both;"></div>
					</div>
				</div>
			</div>
"""

    def _post(self, ctx: RenderContext, topic: Topic, post: Post, number: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        if post.author is not None:
            profile = ctx.href(member_path(post.author))
            user_info = (
                f'<span class="label"><span style="color:#000000;">{ctx.t("posts")}</span>  :</span> '
                f"{board.member_post_count(post.author.id)}<br />"
            )
            contact = (
                f'<a href="{profile}"><img src="{IMG}/icon_profile.gif" alt="Profile" '
                'title="Profile" /></a>'
            )
        else:
            user_info, contact = ctx.t("guest"), ""
        signature = (
            f'					<div class="sig-content">\n\t\t\t\t\t\t{post.signature_html}\n\t\t\t\t\t</div>\n'
            if post.signature_html
            else ""
        )
        return self._post_html(
            ctx,
            post_id=post.id,
            number=f"#{number}",
            subject_link=f'<a href="{post_href(ctx, topic, post)}">{e(post_subject(topic, post))}</a>',
            date=post_date(ctx, post.posted_at),
            name=poster_link(ctx, post.author, post.author_name),
            user_info=user_info,
            votes=self._votes(forum, post),
            message=post.body_html,
            edited=edited_message(ctx, post),
            signature=signature,
            contact=contact,
        )

    def _sponsored(self, ctx: RenderContext, topic: Topic) -> str:
        return self._post_html(
            ctx,
            post_id=0,
            number="",
            subject_link=f'<a href="{ctx.href(topic_path(topic))}">{ctx.t("sponsored")}</a>',
            date="",
            name=ctx.t("sponsored"),
            user_info="",
            votes="",
            message=SPONSORED_AD,
            edited="",
            signature="",
            contact="",
        )

    def topic(self, ctx: RenderContext, topic: Topic, start: int) -> str:
        board = ctx.board
        forum = board.forum(topic.forum_id)
        if forum is None:
            raise LookupError(f"topic {topic.id} has no forum {topic.forum_id}")
        category = board.category(forum.category_id)
        path = board.forum_path(forum)
        total = len(topic.live_posts)
        numbers = {post.id: index + 1 for index, post in enumerate(topic.live_posts)}
        rendered = []
        for index, post in enumerate(visible_posts(board, topic, start)):
            rendered.append(self._post(ctx, topic, post, numbers[post.id]))
            if index == 0:
                if topic.repeat_first_post:
                    rendered.append(
                        '			</div>\n			<hr id="first-post-br" />\n'
                        '			<div class="main-content topic">\n'
                    )
                rendered.append(self._sponsored(ctx, topic))
        pages = topic_pages(ctx, topic, start)
        paging = f'		<p class="paging">{pages}</p>\n' if pages else ""
        page_no = page_number(total, board.posts_per_page, start, board.language)
        older = ctx.href(f"/t{topic.id}p-{topic.slug}")
        newer = ctx.href(f"/t{topic.id}n-{topic.slug}")
        browse = f'<a href="{older}">View previous topic</a>&nbsp;<a href="{newer}">View next topic</a>&nbsp;'
        breadcrumb = nav_cat_desc(ctx, category, path)
        topic_link = ctx.href(topic_path(topic))
        body = f"""<script type="text/javascript">//<![CDATA[
var multiquote_img_off = '{IMG}/icon_multiquote_off.gif', multiquote_img_on = '{IMG}/icon_multiquote_on.gif', _atr = 'https://illiweb.com/rsc/88/frm/addthis/', _ati = '{ILLIWEB}/addthis/', addthis_localize = {{ share_caption: "Share", email: "Email", email_caption: "Email", favorites: "Favorites", print: "Print", more: "More" }};
var hiddenMsgLabel = {{ visible:'Hide the message', hidden:'Show the message' }};
//]]>
</script>

{self._visit(ctx)}
<div class="pun-crumbs noprint clearfix">
	<span class="crumbs">
		<a href="{ctx.href(INDEX_PATH)}"><span>{e(board.title)}</span></a>{breadcrumb}&nbsp;&raquo;&nbsp;
		<strong><a href="{topic_link}"><span>{e(topic.title)}</span></a></strong>
    </span>
    <div class="right">
    </div>
</div>

<div class="main paged">
	<div class="paged-head clearfix">
            <h1>{e(topic.title)}</h1>
{paging}		<p class="posting">
		</p>
	</div>
	<div class="main-head clearfix">
		<p class="h2">
			{browse}
            <a href="#bottom">{ctx.t("go_down")}</a>&nbsp;&nbsp;
			{ctx.t("message")} [{page_no}]
		</p>
	</div>

	<div class="main-content topic">
{"".join(rendered)}	</div>

	<div class="main-foot clearfix">
		<p class="h2">
			{browse}
            <a href="#top">{ctx.t("back_to_top")}</a>&nbsp;&nbsp;
			{ctx.t("message")} [{page_no}]
		</p>
		<p class="options">
			<input type="hidden" name="t" value="{topic.id}" />
		</p>
	</div>

	<a name="bottomtitle"></a>

	<div class="paged-foot clearfix">
{paging}		<p class="posting">
		</p>
	</div>

</div>

<div class="pun-crumbs">
	<p class="crumbs">
		<a href="{ctx.href(INDEX_PATH)}">{e(board.title)}</a>{breadcrumb}&nbsp;&raquo;&nbsp;
		<strong><a href="{topic_link}">{e(topic.title)}</a></strong>
	</p>
</div>

<div id="pun-info" class="main">
	<div class="main-content">
		<div id="stats">
			<p>{ctx.t("permissions")} <br />{ctx.t("cannot_reply")}<br /></p>
		</div>
	</div>
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

    def _search_row(self, ctx: RenderContext, topic: Topic) -> str:
        last = topic.last_post
        forum = ctx.board.forum(topic.forum_id)
        forum_link = (
            f'<a href="{ctx.href(forum_path(forum))}">{e(forum.title)}</a>' if forum else ""
        )
        return f"""				<tr>
					<td class="tcl tdtopics search">
						<span class="status">
							<img src="{IMG}/folder.gif" alt="No new posts" title="No new posts" />
						</span>
                        &nbsp;

						&nbsp;
						{topic_type(topic, ctx.board.language)}&nbsp;
						<h2 class="topic-title"> <a class="topictitle" href="{ctx.href(topic_path(topic))}">{e(topic.title)}</a></h2>&nbsp;
						{goto_page_new(ctx, topic)}&nbsp;
						{ctx.t("by")} {poster_link(ctx, topic.author, topic.author_name)}
					</td>
					<td class="tc2">{forum_link}</td>
					<td class="tc3">{topic.reply_count}</td>
					<td class="tc3">{topic.views}</td>
					<td class="tcr">{ctx.date(last.posted_at)} {ctx.t("by")} {poster_link(ctx, last.author, last.author_name)}<a href="{post_href(ctx, topic, last)}"><img src="{IMG}/icon_latest_reply.gif" alt="Go to last message" title="Go to last message" /></a></td>
				</tr>
"""

    def search_active(self, ctx: RenderContext) -> str:
        topics = active_topics(ctx.board, ctx.now)
        rows = "".join(self._search_row(ctx, topic) for topic in topics)
        body = f"""{self._visit(ctx)}
<div class="pun-crumbs">
	<p class="crumbs">
		<a href="{ctx.href(INDEX_PATH)}"><span>{e(ctx.board.title)}</span></a>&nbsp;&raquo;&nbsp;<strong>{ctx.t("active_topics")}</strong>
	</p>
</div>

<div class="main paged">
<form action="/search" method="post" name="post" onsubmit="return verify_select();" class="frm-form">
	<div class="paged-head clearfix">
		<p class="paging"></p>
	</div>

	<div class="main-head">
		<h1 class="page-title">{ctx.t("search_matches").format(len(topics))}</h1>
	</div>

	<div class="main-content">
		<table class="table" cellspacing="0">
			<thead>
				<tr>
					<th class="tcl">{ctx.t("topics")}</th>
					<th class="tc2">{ctx.t("forum")}</th>
					<th class="tc3">{ctx.t("replies")}</th>
					<th class="tc3">{ctx.t("views")}</th>
					<th class="tcr">{ctx.t("last_post")}</th>
				</tr>
			</thead>

			<tbody class="statused">
{rows}			</tbody>
		</table>
	</div>

	<div class="main-foot">
	</div>

	<div class="paged-foot clearfix">
		<p class="paging"></p>
		<p class="posting"><a href="#top">{ctx.t("back_to_top")}</a></p>
	</div>
</form>
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
        return f"""<div class="module main">
	<div class="main-head"><div class="h3">{heading}</div></div>
	<div class="main-content">
		<table summary="{heading}" width="100%">
{rows}		</table>
		<br class="clear" />
	</div>
</div>"""

    def _news(self, ctx: RenderContext) -> str:
        rows = []
        for number, item in enumerate(news_items(ctx)):
            saut = '<div style="height:2px"></div>\n' if number else ""
            rows.append(
                f"""{saut}<div class="module main">
	<a name="news_{item.topic.id}"></a>

	<div class="module mod_news">
		<div class="main-head" style="text-align:left;">{item.title}</div>
		<div class="main-content" style="padding:0;">
			<p class="author">{item.time} {ctx.t("by")} <strong>{item.poster}</strong></p>
			<div class="body">
				{item.text}<br /><br />
				<div class="clear"></div>
			</div>
			<p class="comments"><a href="{item.comments_href}">{portal_label(ctx, "comments")}</a>: {item.replies}</p>
		</div>
	</div>

</div>
"""
            )
        return "".join(rows)

    def portal(self, ctx: RenderContext) -> str:
        """``portal_body``: recent topics left, news in the middle, most active and most
        viewed topics right; no ``{CURRENT_TIME}`` (PunBB prints none anywhere)."""
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
        widths = '<tr><td height="1" width="25%" class="column"></td><td width="50%"></td><td width="25%" class="column"></td></tr>'
        body = f"""<table width="100%" cellspacing="1" cellpadding="10" border="0" align="center">{widths}<tr><td colspan="3" width="100%">
</td></tr></table><table width="100%" cellspacing="10" border="0" align="center" class="portal"><tr><td valign="top" width="25%" class="column">
{left}</td><td valign="top" width="50%">
{middle}</td><td valign="top" width="25%" class="column">
{right}</td></tr></table><table width="100%" cellspacing="1" cellpadding="10" border="0" align="center">{widths}<tr><td colspan="3" width="100%">
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
        body = f"""{self._visit(ctx)}
<div class="main">
	<div class="main-head">
		<h1 class="page-title">Information</h1>
	</div>
	<div class="main-content message">
		<p class="message">{e(message)}</p>
	</div>
</div>"""
        return self._page(
            ctx,
            title="Information",
            body=body,
            snippets=rich_snippets(ctx, breadcrumb_items(ctx.board, None, [])),
            meta='<meta name="robots" content="noindex, follow" />',
        )


RENDERER = PunbbRenderer()
