"""Email addresses: validated (syntax only, no DNS) and normalised to one canonical form.

email-validator decides. Validating an address costs ~75 µs, most of it the domain, and a
list of a million people has a few thousand domains at most. So an address whose local part
is a plain RFC 5322 dot-atom (nearly all of them) is checked against that grammar, and its
domain is validated by email-validator once and remembered. Anything else goes to
email-validator whole. ``tests/subscribers/test_addresses.py`` checks that both paths agree.
"""

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

# RFC 5322 dot-atom: atext runs separated by single dots (no leading, trailing or double dot).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*\Z")
_MAX_LOCAL, _MAX_ADDRESS = 64, 254


def normalise_email(raw: str) -> str:
    """The canonical form of an address: ASCII (IDN domains in punycode), lower case.

    Raises ValueError with email-validator's explanation when the address is not valid.
    Internationalised local parts (which need SMTPUTF8 all the way) are refused.
    """
    address = raw.strip()
    local, at, domain = address.rpartition("@")
    if at and len(local) <= _MAX_LOCAL and _DOT_ATOM.match(local):
        normalised = f"{local}@{_validated_domain(domain.lower())}".lower()
        if len(normalised) <= _MAX_ADDRESS:
            return normalised
    return _validated(address)


@lru_cache(maxsize=65536)
def _validated_domain(domain: str) -> str:
    """The ASCII form of a domain email-validator accepts (exceptions are not cached)."""
    # "a" is the shortest local part, so this address is never longer than the real one.
    return _validated(f"a@{domain}").rpartition("@")[2]


def _validated(address: str) -> str:
    try:
        info = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as err:
        raise ValueError(str(err)) from None
    return (info.ascii_email or info.normalized).lower()
