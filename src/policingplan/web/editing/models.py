"""What plan editing stores."""
