"""The WSGI application, for a server that imports one (``policingplan.web.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policingplan.web.settings")
application = get_wsgi_application()
