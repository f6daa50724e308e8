"""The WSGI entry point for gunicorn: `gunicorn kiosk.wsgi:app`."""

import cv2

from . import create_app

# gunicorn already runs a worker per core: OpenCV's own threads on top of that would have the
# workers' photo analyses fight over the cores (measured with bench/photo_bench.py --hints-load).
cv2.setNumThreads(1)

app = create_app()
