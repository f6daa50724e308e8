"""The ID photo: checks against the ID-photo standard (GA 461) and the 358x441 crop.

A pure library: image in, checks and the cropped photo out. It knows nothing of
Flask or the database. Its contents arrive with the photo work.
"""
