"""Example scenarios and the minimal spec from the docs; the demo register follows them."""
