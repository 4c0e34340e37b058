"""The URLs of the documents pages: each has its row in the catalogue of roles (:mod:`.roles`)."""

urlpatterns: list = []
