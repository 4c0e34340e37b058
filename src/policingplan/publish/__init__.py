"""Publishing: charts and documents made from the services' results (see docs/architecture.md)."""
