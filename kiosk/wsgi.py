"""The WSGI entry point for gunicorn: `gunicorn kiosk.wsgi:app`."""

import cv2

from . import create_app

# gunicorn already runs a worker per core: OpenCV's own threads on top of that would have the
# workers' photo analyses fight over the cores. One analysis is no slower on one thread (the
# face networks' layers are too small to split).
cv2.setNumThreads(1)

app = create_app()
