"""Data loads through the browser: a file uploaded, read by the same readers as `policingplan data load`, refused whole or loaded whole."""
