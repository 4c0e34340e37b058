"""The URLs of investment.  Each name has its row in the catalogue of roles (:mod:`policingplan.web.roles`)."""

urlpatterns: list = []
