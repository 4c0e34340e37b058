"""What investment stores."""
