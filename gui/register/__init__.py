"""The register screen: the lazy table of cases and its search and filters."""
