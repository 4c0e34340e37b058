"""The URLs of data loads.  Each name has its row in the catalogue of roles (:mod:`policingplan.web.roles`)."""

from django.urls import path

from policingplan.web.loads import views

urlpatterns: list = [
    path("data/", views.data_page, name="data"),
    path("data/loaded/", views.loaded, name="data-loaded"),
]
