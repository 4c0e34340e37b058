"""The URLs of the api pages: each has its row in the catalogue of roles (:mod:`.roles`)."""

urlpatterns: list = []
