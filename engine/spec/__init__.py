"""The spec: its model, reading TOML with line:column, the shape and meaning checks, guards and durations."""
