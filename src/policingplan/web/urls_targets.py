"""The URLs of the targets pages: each has its row in the catalogue of roles (:mod:`.roles`)."""

from django.urls import path

from policingplan.web import views_targets

urlpatterns: list = [
    path("targets/", views_targets.targets, name="targets"),
    path("targets/<slug:measure>/", views_targets.target_measure, name="targets-measure"),
    path("requirement/", views_targets.requirement, name="requirement"),
    path("partners/", views_targets.partners, name="partners"),
    path("partners/<slug:measure>/", views_targets.partners_measure, name="partners-measure"),
]
