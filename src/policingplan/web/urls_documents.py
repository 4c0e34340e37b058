"""The URLs of the documents pages: each has its row in the catalogue of roles (:mod:`.roles`).

Each published document has a URL of its own (``/documents/plan.pdf``), named after it, so that
the catalogue decides who may download each one; a letter's URL carries its borough
(``/documents/letters/lambeth.pdf``), so that a commander may download their own borough's only.
"""

from django.urls import path

from policingplan.web import views_documents

urlpatterns: list = [
    path("documents/", views_documents.documents, name="documents"),
    *[path(f"documents/{document.file}", views_documents.download, {"file": document.file}, name=document.url_name)
      for document in views_documents.DOCUMENTS],
    path("documents/letters/<slug:borough>.pdf", views_documents.letter, name="document-letter"),
]
