"""What data loads stores."""
