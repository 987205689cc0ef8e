"""Feeds as real sites serve them, for the tests and the benchmark."""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Partner Press</title><link>https://partner.example/</link><description>News</description>
<item><title>Court frees five activists</title><link>https://partner.example/news/court?utm_source=rss&amp;utm_medium=feed</link>
<description>&lt;p&gt;The court freed five activists on Tuesday. Their lawyers welcomed the ruling. The prosecution may appeal.&lt;/p&gt;</description>
<dc:creator>Ana López</dc:creator><pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate>
<media:content url="https://partner.example/img/court.jpg" medium="image"/></item>
<item><title>Elections postponed again</title><link>https://partner.example/news/elections</link>
<description>The vote was put off for a third time.</description>
<enclosure url="https://partner.example/img/vote.png" type="image/png" length="1000"/></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Policy Analyses</title><id>urn:x</id><updated>2026-12-02T10:00:00Z</updated>
<entry><title type="html">A new law &amp;amp; its critics</title><link rel="alternate" href="https://policy.example/analysis/law"/>
<id>urn:1</id><updated>2026-12-02T10:00:00Z</updated><published>2026-12-02T08:00:00Z</published>
<author><name>Benedict Rogers</name></author>
<content type="html">&lt;p&gt;&lt;img src="https://policy.example/law.jpg" alt="Parliament"&gt;The bill restricts assembly.&lt;/p&gt;</content></entry>
</feed>"""

JSON_FEED = """{"version": "https://jsonfeed.org/version/1.1", "title": "Blog", "home_page_url": "https://blog.example/",
 "items": [{"id": "1", "url": "https://blog.example/posts/one", "title": "First post",
   "content_html": "<p>Hello <b>readers</b>. This is the first post.</p>", "image": "https://blog.example/one.png",
   "date_published": "2026-11-30T12:00:00Z", "authors": [{"name": "Mia"}]},
  {"id": "2", "url": "https://blog.example/posts/two", "title": "Second post", "summary": "Short summary."}]}"""

ENTITIES_AND_CDATA = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Entities</title>
<item><title><![CDATA[Rights & wrongs: “quotes” <em>inside</em>]]></title><link>https://ent.example/a</link>
<description><![CDATA[<p>Caf&eacute; owners &amp; workers met. They agreed &mdash; finally.</p>]]></description></item>
<item><title>AT&amp;T &#8220;numeric&#8221; entities &#x2014; too</title><link>https://ent.example/b</link>
<description>Plain &amp;amp; double-escaped.</description></item>
</channel></rss>"""

MALFORMED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>Unclosed item</title><link>https://broken.example/1</link>
<description>It never ends"""

NOT_A_FEED = "<html><head><title>A page</title></head><body><p>No feed here.</p></body></html>"


def rss(title: str, entries: list[tuple[str, str]]) -> str:
    """An RSS 2.0 feed of (title, link) entries."""
    items = "".join(f"<item><title>{t}</title><link>{u}</link><description>About {t}.</description></item>"
                    for t, u in entries)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'

RSS_091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Wire</title><link>https://wire.example/</link><description>Wire</description>
<language>en</language>
<item><title>Caf\xe9 raid condemned</title><link>https://wire.example/raid</link>
<description>Police raided the caf\xe9. Rights groups condemned it.</description></item>
</channel></rss>""".encode("iso-8859-1")

RSS_092 = """<?xml version="1.0"?><rss version="0.92"><channel><title>Wire 0.92</title>
<link>https://wire92.example/</link><description>Wire</description>
<item><title>Strike enters its third week</title><link>https://wire92.example/strike</link>
<description>Dock workers stayed out.</description>
<enclosure url="https://wire92.example/strike.jpg" length="1" type="image/jpeg"/></item>
</channel></rss>"""

RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://journal.example/"><title>Rights Journal</title><link>https://journal.example/</link>
<description>Analyses</description><items><rdf:Seq><rdf:li rdf:resource="https://journal.example/a/1"/></rdf:Seq></items>
</channel>
<item rdf:about="https://journal.example/a/1"><title>Detention without trial, explained</title>
<link>https://journal.example/a/1?utm_campaign=rdf</link><description>What the new rules allow. Who they affect.</description>
<dc:creator>Mia Chen</dc:creator><dc:date>2026-11-28T07:15:00Z</dc:date></item>
</rdf:RDF>"""

WITHOUT_LINKS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Statements</title>
<item><title>Statement on the verdict</title><guid isPermaLink="false">stmt-41</guid>
<description>We welcome the verdict. The work goes on.</description></item>
<item><title>A story with a link</title><link>https://statements.example/story</link></item>
</channel></rss>"""
