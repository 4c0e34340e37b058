"""The URLs of plan editing.  Each name has its row in the catalogue of roles (:mod:`policingplan.web.roles`)."""

from django.urls import path

from policingplan.web.editing import views

urlpatterns: list = [
    path("versions/", views.versions, name="versions"),
    path("versions/<int:version>/", views.version_page, name="version"),
    path("versions/<int:version>/changes/", views.changes, name="version-changes"),
    path("versions/<int:version>/comments/", views.comments, name="version-comments"),
    path("versions/<int:version>/steps/<slug:step>/", views.version_step, name="version-step"),
    path("versions/<int:version>/plan.zip", views.download, name="version-download"),
    path("versions/<int:version>/targets/<slug:measure>/<slug:target_scope>/<slug:target_period>/",
         views.target_edit, name="target-edit"),
    path("audit/", views.audit_log, name="audit"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
]
urlpatterns += [
    path("audit.xlsx", views.audit_xlsx, name="audit-xlsx"),
    path("versions.csv", views.versions_csv, name="versions-csv"),
    path("versions.xlsx", views.versions_xlsx, name="versions-xlsx"),
]
urlpatterns += [
    path("versions/<int:version>/narrative/<slug:section>/", views.narrative_edit, name="narrative-edit"),
]
