"""The spec editor screen: policy staff change a process spec without writing TOML by hand."""
