"""The public pages: subscribing, confirming, unsubscribing, preferences, the archive, click
redirects, and the providers' webhooks. Subscribers never sign in."""
