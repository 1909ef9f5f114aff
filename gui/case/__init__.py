"""The case screen: header, diagram, steps, forms and the record tables."""
