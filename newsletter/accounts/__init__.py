"""The people who use the web app (editors and admins), their passwords and API tokens."""

from newsletter.accounts.tokens import (
    create_api_token,
    list_api_tokens,
    revoke_api_token,
    user_for_api_token,
)
from newsletter.accounts.users import (
    ROLES,
    authenticate,
    change_user,
    create_user,
    end_sessions,
    get_user,
    list_users,
    set_password,
    sign_in_address,
)

__all__ = [
    "ROLES",
    "authenticate",
    "change_user",
    "create_api_token",
    "create_user",
    "end_sessions",
    "get_user",
    "list_api_tokens",
    "list_users",
    "revoke_api_token",
    "set_password",
    "sign_in_address",
    "user_for_api_token",
]
