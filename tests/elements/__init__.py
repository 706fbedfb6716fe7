"""Embedded-array element records (dispute evidence and timeline, trezor derived addresses) in every store mode."""
