"""Render once, personalise cheaply.

The renderer leaves a marker such as ``__NL_UNSUBSCRIBE_URL__`` wherever a per-recipient value
goes. The markers use only characters that survive MJML and premailer untouched (URL
serialisation percent-encodes brackets and braces, so they are not used). A
:class:`PersonalisableTemplate` splits the finished document at the markers once; filling it
for a recipient is then one list copy and one join, with each value HTML-escaped once where
needed (a tracked issue repeats ``click_token`` in every link, two dozen slots or more).
"""

import html
import re
from collections.abc import Mapping

# click_token: the reader's signed token in every tracked link (/c/<send>/<link>/<token>);
# only the documents of a send whose links are tracked have it (sending/create.py).
FIELDS = ("name", "email", "unsubscribe_url", "web_url", "click_token")
MARKERS = {field: f"__NL_{field.upper()}__" for field in FIELDS}
_MARKER = re.compile("__NL_(" + "|".join(f.upper() for f in FIELDS) + ")__")


class PersonalisableTemplate:
    """A finished document (HTML or text) with slots for the per-recipient fields.

    ``pieces`` alternates literal text (even positions) and field names (odd positions);
    ``slots`` lists the odd positions with their field names; ``names`` the fields used, once each.
    """

    __slots__ = ("escape_html", "names", "pieces", "slots", "source")

    def __init__(self, source: str, *, escape_html: bool):
        self.source = source
        self.escape_html = escape_html
        pieces = _MARKER.split(source)  # captured field names land at the odd positions
        self.pieces = tuple(p.lower() if i % 2 else p for i, p in enumerate(pieces))
        self.slots = tuple((i, self.pieces[i]) for i in range(1, len(pieces), 2))
        self.names = tuple(dict.fromkeys(name for _, name in self.slots))

    @property
    def fields(self) -> set[str]:
        """The names of the fields this document uses."""
        return set(self.names)

    def value(self, name: str, values: Mapping[str, str]) -> str:
        """The text that goes into a slot for ``name``: HTML-escaped in an HTML document."""
        value = values[name]
        return html.escape(value, quote=True) if self.escape_html else value

    def fill(self, values: Mapping[str, str]) -> str:
        """The document for one recipient. ``values`` must hold every field it uses."""
        out = list(self.pieces)
        if self.escape_html:
            escape = html.escape
            values = {name: escape(values[name], quote=True) for name in self.names}
        for index, name in self.slots:
            out[index] = values[name]
        return "".join(out)
