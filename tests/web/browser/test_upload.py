"""The performance team uploads a damaged file in a real chromium: the page lists its errors in an error
summary that has the focus and links to the file field, and the warehouse is exactly as it was."""

from __future__ import annotations

import gzip

from policingplan.services.data import check_files, warehouse_status

KIND = "tfl-casualties"
TFL = "london/tfl-road-casualties-2019.csv.gz"


def test_a_bad_file_is_refused_with_its_errors_in_the_page(sign_in, server, web_warehouse, data_dir, tmp_path):
    lines = gzip.decompress((data_dir / TFL).read_bytes()).decode("utf-8-sig").splitlines(keepends=True)
    lines[100] = lines[100].replace(",3 SLIGHT,", ",4 GRAZED,", 1)
    lines[250] = lines[250].replace(",3 SLIGHT,", ",SLIGHTISH,", 1)
    damaged = tmp_path / "tfl-road-casualties-2019.csv.gz"
    damaged.write_bytes(gzip.compress("".join(lines).encode("utf-8")))
    before = warehouse_status(web_warehouse).model_dump()

    page = sign_in("performance")
    page.goto(server("/data/"))
    assert page.locator("main h1").inner_text() == "Data"
    assert page.get_by_text("Loading can take a minute for a large file.").is_visible()
    page.get_by_label(KIND).check()
    page.get_by_label("Why are you loading this file?").fill("A corrected 2019 extract")
    page.set_input_files("#file", str(damaged))
    with page.expect_navigation():
        page.get_by_role("button", name="Load the file").click()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # focused, without JavaScript
    items = summary.locator("li")
    texts = [" ".join(items.nth(i).inner_text().split()) for i in range(items.count())]
    assert len(texts) == 2, texts
    checked = check_files(KIND, [damaged]).errors  # the readers' own words, as `policingplan data check` gives them
    assert [e.line for e in checked] == [101, 251]
    for text, error, value in zip(texts, checked, ("4 GRAZED", "SLIGHTISH")):
        assert text.startswith(f"{damaged.name}, line {error.line}, {error.column}: "), text
        assert value in text and " ".join(f"Accepted: {error.accepted}".split()) in text, text
    assert "Nothing was loaded." in summary.inner_text()
    # Each item links to the file field, which says what is wrong.
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id") == "file"
    assert "refused for 2 problems" in page.locator("#file-error").inner_text()
    # The form keeps the kind and the reason; the warehouse is exactly as before.
    assert page.get_by_label(KIND).is_checked()
    assert page.get_by_label("Why are you loading this file?").input_value() == "A corrected 2019 extract"
    assert warehouse_status(web_warehouse).model_dump() == before


def test_a_viewer_sees_what_is_held_but_no_upload_form(sign_in, server):
    page = sign_in("viewer")
    response = page.goto(server("/data/"))
    assert response.status == 200
    assert page.locator("#held").is_visible()
    assert page.locator("input[type=file]").count() == 0
