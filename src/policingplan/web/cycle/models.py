"""What planning cycle stores."""
