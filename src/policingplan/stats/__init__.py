"""Pure statistical functions: periods, change, rates and intervals, SPC, forecasts, peers.

Nothing in this package reads files, touches a database or imports a web framework.
"""
