"""The plan: its model, its folder format (read and written by ``io``), validation and descriptions in words."""
