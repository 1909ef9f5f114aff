"""Drawing specs and cases with Graphviz."""
