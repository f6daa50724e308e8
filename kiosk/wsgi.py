"""The WSGI entry point for gunicorn: `gunicorn kiosk.wsgi:app`."""

import cv2

from photo.detection import default_detector

from . import create_app, warn_if_no_public_url

# gunicorn already runs a worker per core: OpenCV's own threads on top of that would have the
# workers' photo analyses fight over the cores. One analysis is no slower on one thread (the
# face networks' layers are too small to split).
cv2.setNumThreads(1)
# Each worker loads the face networks as it starts, not while the first person waits for a hint.
default_detector()

app = create_app()
warn_if_no_public_url(app)
