"""The portfolio: modernisation programmes, the benefits they are to realise, and the fund that pays for them.

A pure core, like :mod:`policingplan.plan`: :mod:`.model` (the values),
:mod:`.workflow` (a business case's decisions and the fund's guard),
:mod:`.realisation` (planned against actual), :mod:`.finance` (the budget laid
against the plan's priorities) and :mod:`.source` (``portfolio.yaml`` parsed
from its text and checked against the plan).  It reads no files: the service
:mod:`policingplan.services.portfolio` does.  See ``docs/portfolio.md``.
"""
