"""Pure statistical functions: change, rates and intervals, SPC, forecasts, peers, and the
parsing of the SPC and forecast input tables from their text (``series_input``).

Nothing in this package reads files, touches a database or imports a web framework.
"""
