"""Intake: how items get into the inbox. Feeds polled on a schedule, a link fetched and read
for its metadata, a pasted newsletter split into items; each becomes a proposed item for an
editor to check, never straight into an issue.

Pure cores: :mod:`urls` (canonical URLs), :mod:`text` (HTML to text, blurbs cut at a
sentence), :mod:`feeds` (entries), :mod:`pages` (page metadata), :mod:`paste` (pasted text).
I/O edges: :mod:`fetch` (the safe fetcher), :mod:`links`, :mod:`polling` (feed sources) and
:mod:`inbox` (saving, and recognising a story already seen).
"""

from newsletter.intake.proposal import ProposedItem

# Light on purpose: the fetcher (httpx) and the extractor (trafilatura) load only where a
# command or a worker fetches, not with every `newsletter` command.
__all__ = ["ProposedItem"]
