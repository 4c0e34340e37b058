"""policingplan: planning and performance for a police service and its police authority."""

__version__ = "0.1.0"
