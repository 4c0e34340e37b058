"""The URLs of the targets pages: each has its row in the catalogue of roles (:mod:`.roles`)."""

urlpatterns: list = []
