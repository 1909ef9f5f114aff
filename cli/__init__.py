"""The ``regflow`` command line."""
