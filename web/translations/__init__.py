"""Message catalogs of the console (English is the message id; see web.i18n)."""
