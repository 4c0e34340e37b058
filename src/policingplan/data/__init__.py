"""Real police data: one reader per publisher format, the unit lookup, and the warehouse.

Readers live in :mod:`policingplan.data.readers`; start with
:func:`policingplan.data.readers.read_source`.
"""
