"""Canonical URLs: one key per story, however a feed, a newsletter or a person wrote its link."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that say who sent the reader, not which page they read.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_hsenc", "_hsmi", "mkt_tok", "vero_id", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "ref_src",
    "cmpid", "at_medium", "at_campaign", "wt.mc_id", "ito", "sr_share",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_")


def canonical_url(url: str) -> str:
    """The key that makes the same story one item: scheme https, host lower-case without
    ``www.`` or a default port, tracking parameters (utm_*, fbclid...) and the fragment removed,
    an empty path as ``/``. A URL that cannot be read is returned stripped, as it is."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".").removeprefix("www.")
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    return urlunsplit(("https", host, parts.path or "/", urlencode(query, doseq=True), ""))


def without_tracking(url: str) -> str:
    """``url`` as it was given, less its tracking parameters (the link an item keeps)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if not parts.query:
        return url.strip()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def _tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)
