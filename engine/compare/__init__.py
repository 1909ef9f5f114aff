"""Comparing regimes and versions: what-if timelines of a spec's deadlines."""
