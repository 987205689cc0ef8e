"""CSS inlining of MJML's output with premailer, configured for email (see REFERENCE.md).

premailer's defaults are wrong for MJML: they download linked stylesheets, strip the
``!important`` that MJML's responsive columns depend on, drop the ``<style>`` blocks that hold
the ``@media`` rules, log a warning for every vendor property, and lose the doctype.
"""

import logging

_OPTIONS = dict(
    allow_network=False,  # rendering never touches the network
    allow_loading_external_files=False,
    strip_important=False,  # .mj-column-per-50 { width: 50% !important } must survive
    keep_style_tags=True,  # @media rules cannot be inlined
    remove_classes=False,  # the kept @media rules still target classes
    disable_validation=True,
    cssutils_logging_level=logging.CRITICAL,  # mso-* and -webkit-* are not errors
)


def inline_css(html: str) -> str:
    """Move the document's CSS into style attributes, keeping doctype and media queries."""
    from premailer import Premailer  # imported here: a third of a second every command would pay

    inlined = Premailer(**_OPTIONS).transform(html, pretty_print=False)
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = "<!doctype html>\n" + inlined  # premailer drops it: quirks mode otherwise
    return inlined
