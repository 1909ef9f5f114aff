"""The specs shipped with regflow (data only: TOML specs, the milestone vocabulary, the JSON Schema)."""
