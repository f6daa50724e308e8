"""Pure rules of the ID-card service: no Flask, no SQL, no I/O.

Everything here is a plain function or dataclass so it can be unit-tested
exhaustively and reused by the kiosk, the staff side and the CLI alike.
"""
