"""The one error hierarchy of the service.

Everything a user can cause or meet derives from :class:`NewsletterError`; its message says
what went wrong and, where it can, what to do. The CLI prints these without a traceback.
Programming errors stay ordinary Python exceptions.
"""


class NewsletterError(Exception):
    """Base of every error the service reports to a user.

    ``field`` names the input the error is about (a form field, a JSON key: ``"title"``,
    ``"at"``), where it is about one, so that a page shows it beside that field.
    """

    def __init__(self, *args: object, field: str | None = None):
        self.field = field
        super().__init__(*args)


class ConfigurationError(NewsletterError):
    """A setting is missing or invalid. Never retried: fix the setting."""


class ContentError(NewsletterError):
    """An issue or item does not pass validation (bad URL, empty blurb, ...); ``field``, when
    given, names the one that does not."""


class IssueFileError(ContentError):
    """An issue file cannot be read or is invalid; the message names the file and the field."""


class FetchError(ContentError):
    """Intake could not fetch a link or feed a person gave: refused (a private address, not a web
    page), or the site failed (a timeout, a 404, too large). The message says which."""


class RenderError(NewsletterError):
    """The templates produced something that does not compile to an email."""


class NotFoundError(NewsletterError):
    """A referenced issue, list, send or subscriber does not exist."""


class SendStateError(NewsletterError):
    """A send cannot be scheduled or steered as asked (a past time, resuming a finished send);
    ``field`` names the input at fault (``at``, ``timezone``) when the send's state is not."""


class EditConflictError(NewsletterError):
    """Someone else saved the issue since this edit began: nothing was overwritten."""

    def __init__(self, message: str, *, version: int, updated_by: str | None):
        self.version = version
        self.updated_by = updated_by
        super().__init__(message)


class AuthenticationError(NewsletterError):
    """A login or an API token was refused."""


class PermissionDeniedError(NewsletterError):
    """The user is signed in, but their role does not allow this (an editor scheduling)."""


class InvalidLinkError(NewsletterError):
    """A signed link was tampered with, expired, or made for another purpose."""


class ImportFileError(NewsletterError):
    """A subscriber file cannot be read at all (no header, no email column, not UTF-8)."""


class HeaderInjectionError(NewsletterError):
    """A value meant for an email header contains a line break."""


class ProviderError(NewsletterError):
    """A delivery provider refused or failed a batch.

    Carries the provider's name, the status code and the response body where there is one,
    so that the message a user sees is the provider's own explanation.
    """

    def __init__(self, provider: str, message: str, *, status: int | None = None, body: str = ""):
        self.provider = provider
        self.status = status
        self.body = body
        super().__init__(message)

    def __str__(self) -> str:
        status = f" (status {self.status})" if self.status is not None else ""
        body = f": {self.body[:500]}" if self.body else ""
        return f"{self.provider}{status}: {self.args[0]}{body}"


class TransientProviderError(ProviderError):
    """Nothing was delivered and trying later may work (a rate limit, a refused connection).

    ``retry_after`` is how many seconds the provider asked us to wait, when it said.
    """

    def __init__(self, provider: str, message: str, *, status: int | None = None, body: str = "",
                 retry_after: float | None = None):
        super().__init__(provider, message, status=status, body=body)
        self.retry_after = retry_after


class AmbiguousDeliveryError(ProviderError):
    """The provider may have accepted the batch: the request went out and no clear answer came
    back (a timeout, a dropped connection, a 5xx). It must not be re-sent blindly."""


class ProviderAuthError(ProviderError):
    """The provider refused our credentials or sender: every batch would fail alike, so the
    send pauses until an admin fixes the setting and resumes it."""
