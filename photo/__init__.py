"""The ID photo: checks against the ID-photo standard (GA 461; docs/domain.md "ID photo") and the
358x441 crop.

A pure library: image in, checks and the cropped photo out. It knows nothing of Flask or the
database.

    report = analyse(image_bytes)          # Report: .ok, .checks, .crop, .to_dict(lang)
    jpeg = report.id_photo()               # bytes, or PhotoNotCompliant (no second analysis)
    jpeg = make_id_photo(image_bytes)      # the same in one call; or UnreadableImage
    report = analyse(next_frame, last_face=report.face_box)   # live video: follow the face
    GA461.overlay_guides()                 # where the head belongs, for a camera preview
"""

from photo.analysis import analyse, make_id_photo
from photo.errors import PhotoNotCompliant, UnreadableImage
from photo.geometry import GA461, PhotoGeometry
from photo.messages import DEFAULT_LANGUAGE, LANGUAGES
from photo.report import Check, Report

__all__ = [
    "DEFAULT_LANGUAGE",
    "GA461",
    "LANGUAGES",
    "Check",
    "PhotoGeometry",
    "PhotoNotCompliant",
    "Report",
    "UnreadableImage",
    "analyse",
    "make_id_photo",
]
