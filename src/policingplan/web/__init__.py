"""The web application (Django 5.2 LTS): the plan and its monitoring for everyone who does not use
the command line.  Views call :mod:`policingplan.services` and render what they return; who may
see what is the catalogue in :mod:`policingplan.web.roles`.  See docs/web.md."""
