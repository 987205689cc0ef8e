import pytest

from newsletter.content.safety import check_text, check_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "http://example.org/path?q=1&r=2#frag",
        "https://例え.jp/ページ",
        "https://example.org:8443/a",
    ],
)
def test_safe_urls_pass_unchanged(url):
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "absolute http"),
        ("JAVASCRIPT:alert(1)", "absolute http"),
        ("data:text/html,<script>alert(1)</script>", "absolute http"),
        ("/relative/path", "absolute http"),
        ("example.org/no-scheme", "absolute http"),
        ("//example.org/protocol-relative", "absolute http"),
        ("ftp://example.org/file", "absolute http"),
        ("https://", "absolute http"),
        ("https://bank.example@evil.example/", "user name"),
        ("https://example.org/a b", "spaces"),
        ("https://example.org/\x00", "control"),
        ("https://example.org/\nX-Injected: 1", "control"),
        ("https://[::1", "not a valid URL"),
        ("https://example.org/__NL_EMAIL__", "reserved"),
        ("", "empty"),
    ],
)
def test_unsafe_urls_are_refused_with_a_reason(url, reason):
    with pytest.raises(ValueError, match=reason):
        check_url(url)


def test_single_line_text_refuses_line_breaks_but_paragraphs_keep_them():
    with pytest.raises(ValueError, match="single line"):
        check_text("Subject\r\nBcc: victim@example.org")
    assert check_text("one\r\n\r\ntwo", multiline=True) == "one\n\ntwo"


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\u2028b"])
def test_control_characters_are_refused(bad):
    with pytest.raises(ValueError):
        check_text(bad, multiline=True)


def test_text_is_nfc_normalised_and_stripped():
    decomposed = "Cafe\u0301 "
    assert check_text(decomposed) == "Café"
