"""The URLs of investment.  Each name has its row in the catalogue of roles (:mod:`policingplan.web.roles`)."""

from django.urls import path

from policingplan.web.investment import views

urlpatterns: list = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/programmes/<slug:programme>/", views.programme, name="portfolio-programme"),
    path("portfolio/benefits/<slug:benefit>/", views.benefit, name="portfolio-benefit"),
    path("portfolio/cases/<slug:case>/", views.case, name="portfolio-case"),
]
urlpatterns += [
    path("portfolio/cases.csv", views.cases_csv, name="portfolio-cases-csv"),
    path("portfolio/cases.xlsx", views.cases_xlsx, name="portfolio-cases-xlsx"),
    path("portfolio/benefits.csv", views.benefits_csv, name="portfolio-benefits-csv"),
    path("portfolio/benefits.xlsx", views.benefits_xlsx, name="portfolio-benefits-xlsx"),
]
