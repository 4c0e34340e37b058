"""Plan versions in the database, their workflow (draft, consultation, approved, published), target edits with optimistic locking, the audit log, and export as a plan folder."""
