"""The ID photo: checks against the ID-photo standard (GA 461) and the 358x441 crop.

A pure library: image in, checks and the cropped photo out. It knows nothing of Flask or the
database.

    report = analyse(image_bytes)          # Report: .ok, .checks, .crop, .to_dict(lang)
    jpeg = make_id_photo(image_bytes)      # bytes, or PhotoNotCompliant / UnreadableImage
    GA461.overlay_guides()                 # where the head belongs, for a camera preview
"""

from photo.analysis import analyse
from photo.errors import PhotoNotCompliant, UnreadableImage
from photo.geometry import GA461, PhotoGeometry
from photo.idphoto import make_id_photo
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
