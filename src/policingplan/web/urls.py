"""The URLs.  Each has a name, and each name has its row in the catalogue of roles (:mod:`.roles`)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from policingplan.web import urls_api, urls_documents, urls_targets, views
from policingplan.web.cycle import urls as urls_cycle
from policingplan.web.editing import urls as urls_editing
from policingplan.web.investment import urls as urls_investment
from policingplan.web.loads import urls as urls_loads
from policingplan.web.throttle import ThrottledLoginView

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("plan/", views.plan_page, name="plan"),
    path("measures/<slug:measure>/", views.measure, name="measure"),
    path("boroughs/<slug:borough>/", views.borough, name="borough"),
    path("boroughs/<slug:borough>/measures/<slug:measure>/", views.borough_measure, name="borough-measure"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),  # Django's, throttled (throttle.py)
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
urlpatterns += urls_targets.urlpatterns + urls_documents.urlpatterns + urls_api.urlpatterns
urlpatterns += urls_editing.urlpatterns + urls_loads.urlpatterns + urls_cycle.urlpatterns + urls_investment.urlpatterns
