"""CSS inlining of MJML's output with premailer, configured for email (see REFERENCE.md).

premailer's defaults are wrong for MJML: they download linked stylesheets, strip the
``!important`` that MJML's responsive columns depend on, drop the ``<style>`` blocks that hold
the ``@media`` rules, log a warning for every vendor property, and lose the doctype.

premailer is also slow where it need not be: it re-validates each image's style to look for
floats (none here), and turns each ``<style>`` block into rules again on every call, though
the blocks of an issue's editions, and of one send after another, are the same text. So
floats are not looked for, and a block's rules are kept for the next call that meets it.
"""

import logging
from functools import cache, lru_cache

_OPTIONS = dict(
    allow_network=False,  # rendering never touches the network
    allow_loading_external_files=False,
    strip_important=False,  # .mj-column-per-50 { width: 50% !important } must survive
    keep_style_tags=True,  # @media rules cannot be inlined
    remove_classes=False,  # the kept @media rules still target classes
    disable_validation=True,
    cssutils_logging_level=logging.CRITICAL,  # mso-* and -webkit-* are not errors
    align_floating_images=False,  # nothing floats; checking each image's style was half a render
)


def inline_css(html: str) -> str:
    """Move the document's CSS into style attributes, keeping doctype and media queries."""
    inlined = _premailer().transform(html, pretty_print=False)
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = "<!doctype html>\n" + inlined  # premailer drops it: quirks mode otherwise
    return inlined


@cache
def _premailer():
    """One premailer, configured once (``transform`` keeps nothing between documents)."""
    from premailer import Premailer  # imported here: a third of a second every command would pay

    class RulesKeptPremailer(Premailer):
        # premailer 3.10's step from a <style> block's text to its rules (those to inline, those
        # left in the block): the answer depends only on the text, the block's place and the
        # options, fixed above, so it is kept (as tuples: the caller only reads it).
        @lru_cache(maxsize=64)  # noqa: B019 (one instance, which lives as long as the process)
        def _parse_style_rules(self, css_body, ruleset_index):
            rules, leftover = super()._parse_style_rules(css_body, ruleset_index)
            return tuple(rules), tuple(leftover)

    return RulesKeptPremailer(**_OPTIONS)
