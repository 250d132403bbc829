"""The operator console: a web app served by the hotline service (see routes.py)."""
