"""The editors' and admins' pages: sign-in, item inbox, issue composer and preview, sends,
lists, suppressions and users. Server-rendered HTML; the composer and the send dashboard add a
little JavaScript (autosave, drag and drop, live progress) over the JSON API."""

from newsletter.web.admin import (
    branding,
    intake,
    issues,
    items,
    lists,
    login,
    sends,
    suppressions,
    users,
)

routers = [module.router for module in (login, items, intake, issues, sends, lists, suppressions, users, branding)] + [users.account_router]
