"""Limits shared by the N11 client and its adapters."""

_MAX_PAGES = 100_000  # a server whose paging never ends is a malformed server
