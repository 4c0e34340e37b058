"""The plan model, its folder format, validation and comparison of versions."""
