"""The services: one module of plain functions per area, that every face calls.

The command line, the web application and the published documents show the
same figures because they get them from the same functions here.  A service:

- takes typed inputs (a :class:`~policingplan.plan.model.Plan`, a
  :class:`~policingplan.data.warehouse.Warehouse`, plain values, the text of
  an uploaded table) and returns a typed result: a
  :class:`~policingplan.results.Result` (pydantic), whose
  ``model_dump(mode="json")`` is what ``--json`` prints and whose JSON Schema
  is in ``docs/schema/``;
- does no printing, never exits, and holds no Typer, Rich or Django object;
- reports a user's mistake by raising :class:`~policingplan.problems.UserError`
  carrying every :class:`~policingplan.problems.Problem` found (file, line,
  column, value and what is accepted), so that a form can show them all;
- carries the attribution of the data behind its figures, and warnings as
  :class:`~policingplan.results.Notice` (a code, values and a sentence).

Each module lists the result models it returns in ``RESULTS``; the schema
generator (:mod:`policingplan.services.schemas`) collects them.
"""
