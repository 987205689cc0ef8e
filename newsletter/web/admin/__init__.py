"""The editors' and admins' pages: sign-in, item inbox, issue composer and preview, sends,
lists and users. Server-rendered HTML; the composer and the send dashboard add a little
JavaScript (autosave, drag and drop, live progress) over the JSON API."""

from newsletter.web.admin import issues, items, lists, login, sends, users

routers = [module.router for module in (login, items, issues, sends, lists, users)] + [users.account_router]
