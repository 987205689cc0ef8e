"""Pasted newsletters and index pages in the shapes editors bring, for the tests."""

NEWSLETTER = """The Weekly Brief — 12 November

Court frees five activists
The court freed five activists on Tuesday. Their lawyers welcomed the ruling.
Read more: https://partner.example/news/court?utm_source=newsletter&utm_medium=email

Elections postponed again
The vote was put off for a third time, officials said.
The opposition called it a delay tactic.
Read more

A new law on assembly
The bill passed its second reading.
Read more →
https://policy.example/law
"""

BLOG_INDEX = """Inside the detention centre
By Benedict Rogers
December 1, 2026
Families waited outside the gates for news of relatives held since the protests began.

Lawyers said they had been denied access for a fourth day.
Continue reading “Inside the detention centre”

By Ana López
The minister resigned on Friday after weeks of protests.
Continue reading “Minister resigns” https://blog.example/minister-resigns
"""

HTML_COPY = """<meta charset="utf-8"><div><h2><a href="https://a.example/one">First story</a></h2>
<p>Something happened. It matters, says the <a href="https://x.example/report">report</a>.</p>
<p><a href="https://a.example/one?utm_source=nl">Read more</a></p>
<h2>Second story</h2><p>Another thing happened &amp; people noticed.</p><p>Read more</p></div>"""
