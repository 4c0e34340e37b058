"""The portfolio's pages, and business-case decisions stored with a guard that holds in the database."""
