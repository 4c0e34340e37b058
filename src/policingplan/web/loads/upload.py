"""Reading an upload's request without trusting it: a size limit, and the file's name as it was sent.

Django's own parser keeps an uploaded file's name only after quietly cutting it down (the
folders dropped, control characters removed, ``..`` turned into no file at all), so that a
hostile name would be loaded under another name rather than refused.  :func:`parse` reads the
request with a parser that records each name as sent, so that the service can refuse it and
say why, and with :class:`SizeLimit` ahead of Django's handlers, which stops storing a file
once it passes the limit (``POLICINGPLAN_WEB_UPLOAD_MAX_BYTES``) and marks it too large.

The rest of an oversized request is read and thrown away (``StopUpload(connection_reset=False)``)
rather than the connection cut, so that the browser shows the form with its error, not a
broken connection.  A proxy in front of the application should refuse bodies far larger than
the limit (nginx's ``client_max_body_size``; docs/web.md).

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) limits a request's fields other than files,
and ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) only decides whether an uploaded file is held in
memory or spooled to a temporary file; neither limits a file's size.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

#: The largest file accepted, unless ``POLICINGPLAN_WEB_UPLOAD_MAX_BYTES`` says otherwise (200 MB).
DEFAULT_MAX_BYTES = 200 * 1000 * 1000
#: Room in a request for the form's other fields and the multipart framing, beyond the file.
FORM_ALLOWANCE = 1000 * 1000


def max_bytes() -> int:
    """The largest file accepted, in bytes (``POLICINGPLAN_WEB_UPLOAD_MAX_BYTES``)."""
    return int(getattr(settings, "POLICINGPLAN_WEB_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


class SizeLimit(FileUploadHandler):
    """The first upload handler: passes each chunk on, and stops the upload once a file passes the limit."""

    def __init__(self, request=None, limit: int = DEFAULT_MAX_BYTES):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.request_length = 0
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.request_length > self.limit + FORM_ALLOWANCE:  # refused before a byte of it is stored
            self.too_large = True
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class _NamesAsSent(MultiPartParser):
    """Django's parser, keeping each uploaded file's name as it was sent (``names``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.names: list[str] = []

    def sanitize_file_name(self, file_name):
        self.names.append(html.unescape(file_name))
        # Django's own cleaning keeps the temporary file's name harmless; a name it would drop
        # ("..", "") still reaches the form, which refuses it by the name recorded above.
        return super().sanitize_file_name(file_name) or "refused"


@dataclass
class Upload:
    """What the request's parse found: the files' names as sent, and whether one was too large."""

    names: list[str] = field(default_factory=list)
    too_large: bool = False
    unreadable: bool = False
    limit: int = DEFAULT_MAX_BYTES


def parse(request) -> Upload:
    """Parse a multipart POST with the size limit and the names as sent; the view then reads
    ``request.POST`` and ``request.FILES`` as usual.  Call it before anything reads ``request.POST``."""
    limit = SizeLimit(request, max_bytes())
    upload = Upload(limit=limit.limit)
    parser = None
    try:
        parser = _NamesAsSent(request.META, request, [limit, *request.upload_handlers], request.encoding)
        request._post, request._files = parser.parse()
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        request._post, request._files = QueryDict(), MultiValueDict()
        upload.unreadable = True
    upload.names = parser.names if parser is not None else []
    upload.too_large = limit.too_large
    return upload
