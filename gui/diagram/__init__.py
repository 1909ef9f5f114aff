"""The diagram widget shared by the screens: an SVG laid out once and re-coloured."""
