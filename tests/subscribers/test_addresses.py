import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.subscribers.addresses import _validated, normalise_email

TRICKY = [
    "Ana@Example.ORG", "  ana@example.org  ", "a+tag@example.org", "o'brien@example.ie", "a.b.c@example.org",
    "a..b@example.org", ".a@example.org", "a.@example.org", "a@example", "a@-example.org", "a@example-.org",
    "a@example..org", "a@localhost", "a@printer.local", "a@x.invalid", "a@x.onion", "a@1.2.3.4", "a@[1.2.3.4]",
    '"quoted"@example.org', '"a@b"@example.org', "a@b@example.org", "@example.org", "a@", "", "a b@example.org",
    "a@bücher.example", "a@xn--bcher-kva.example", "zoë@example.org", "x" * 64 + "@example.org",
    "x" * 65 + "@example.org", "a@" + "b" * 63 + ".org", "a@" + "b" * 64 + ".org",
    "a@" + ".".join(["b" * 60] * 4) + ".org", "x" * 60 + "@" + ".".join(["b" * 40] * 5) + ".org",
    "a@example.123", "a@EXAMPLE.org.", "{weird}|chars~@example.org", "a\u200b@example.org", "a@exa_mple.org",
]


def outcome(fn, address):
    try:
        return fn(address)
    except ValueError as err:
        return ("invalid", str(err))


@pytest.mark.parametrize("address", TRICKY)
def test_the_fast_path_agrees_with_email_validator(address):
    assert outcome(normalise_email, address) == outcome(_validated, address.strip())


local_chars = st.sampled_from(list("aZ09.!#$%&'*+/=?^_`{|}~-\"@ (),:;<>[\\]é"))
domain_chars = st.sampled_from(list("az09.-_é"))


@settings(max_examples=1500, deadline=None)
@given(st.text(local_chars, min_size=0, max_size=70), st.text(domain_chars, min_size=0, max_size=30),
       st.sampled_from(["org", "com", "local", "123", "x", ""]))
def test_the_fast_path_agrees_on_generated_addresses(local, domain, tld):
    address = f"{local}@{domain}.{tld}" if tld else f"{local}@{domain}"
    assert outcome(normalise_email, address) == outcome(_validated, address.strip())


def test_case_variants_normalise_to_one_address():
    assert {normalise_email(a) for a in ["Ana@Example.org", "ANA@EXAMPLE.ORG", "ana@example.org"]} == {"ana@example.org"}
