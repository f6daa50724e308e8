"""Printed documents: receipts, pickup slips and home-visit slips as PDFs, and printer backends.

A pure library: document data in, PDF bytes out. It knows nothing of Flask or
the database. Its contents arrive with the printing work.
"""
