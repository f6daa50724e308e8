"""The WSGI entry point for gunicorn: `gunicorn kiosk.wsgi:app`."""

from . import create_app

app = create_app()
