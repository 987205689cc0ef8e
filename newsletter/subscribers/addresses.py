"""Email addresses: validated (syntax only, no DNS) and normalised to one canonical form."""

from email_validator import EmailNotValidError, validate_email


def normalise_email(raw: str) -> str:
    """The canonical form of an address: ASCII (IDN domains in punycode), lower case.

    Raises ValueError with email-validator's explanation when the address is not valid.
    Internationalised local parts (which need SMTPUTF8 all the way) are refused.
    """
    try:
        info = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as err:
        raise ValueError(str(err)) from None
    return (info.ascii_email or info.normalized).lower()
