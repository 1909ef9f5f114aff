"""The compare screen: two regimes or two versions side by side."""
