"""The URLs of the planning cycle.  Each name has its row in the catalogue of roles (:mod:`policingplan.web.roles`)."""

from django.urls import path

from policingplan.web.cycle import views

urlpatterns: list = [
    path("cycle/", views.cycle, name="cycle"),
    path("cycle/dates/<int:milestone>/", views.milestone, name="cycle-milestone"),
    path("cycle/proposals/", views.proposals, name="cycle-proposals"),
    path("cycle/proposals/<int:proposal>/", views.proposal, name="cycle-proposal"),
    path("boroughs/<slug:borough>/proposals/", views.borough_proposals, name="borough-proposals"),
    path("boroughs/<slug:borough>/measures/<slug:measure>/propose/", views.borough_propose, name="borough-propose"),
    path("boroughs/<slug:borough>/proposals/<int:proposal>/withdraw/", views.borough_proposal_withdraw,
         name="borough-proposal-withdraw"),
    path("boroughs/<slug:borough>/commentary/", views.borough_commentary, name="borough-commentary"),
]
urlpatterns += [
    path("cycle/outstanding.csv", views.outstanding_csv, name="cycle-outstanding-csv"),
    path("cycle/outstanding.xlsx", views.outstanding_xlsx, name="cycle-outstanding-xlsx"),
    path("cycle/proposals.csv", views.proposals_csv, name="cycle-proposals-csv"),
    path("cycle/proposals.xlsx", views.proposals_xlsx, name="cycle-proposals-xlsx"),
]
