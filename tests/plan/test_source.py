"""Parsing the text of a plan folder: YAML lines from the node marks, CSV physical lines."""

from __future__ import annotations

from policingplan.plan.source import parse_csv, parse_yaml


def test_yaml_keys_and_items_keep_their_lines():
    text = "id: x\npriorities:\n  - id: a\n    objectives:\n      - id: b\n        measures: [m1,\n          m2]\n"
    data, lines, problems = parse_yaml(text)
    assert not problems.items
    assert lines[("id",)] == 1
    assert lines[("priorities", 0)] == 3
    assert lines[("priorities", 0, "objectives", 0, "id")] == 5
    assert lines[("priorities", 0, "objectives", 0, "measures", 1)] == 7
    assert data["priorities"][0]["objectives"][0]["measures"] == ["m1", "m2"]


def test_broken_yaml_is_one_problem_with_a_line():
    data, lines, problems = parse_yaml("id: x\nname: 'unclosed\n")
    assert data is None and len(problems.errors) == 1
    assert problems.errors[0].line is not None and "cannot be read" in problems.errors[0].message


def test_an_empty_document_is_no_data_and_no_problem():
    data, lines, problems = parse_yaml("# only a comment\n")
    assert data is None and not problems.items


def test_csv_rows_keep_their_physical_lines_across_quoted_newlines_and_blank_lines():
    text = 'a,b\n1,"two\nlines"\n\n3,4\n'
    table, problems = parse_csv(text, "t.csv")
    assert not problems.items
    assert table.header == ["a", "b"] and table.header_line == 1
    assert table.rows == [{"a": "1", "b": "two\nlines"}, {"a": "3", "b": "4"}]
    assert table.lines == [2, 5]


def test_a_csv_row_with_too_many_cells_is_a_problem_and_a_bom_is_ignored():
    table, problems = parse_csv("\ufeffa,b\n1,2,3\n4,5\n", "t.csv")
    assert table.header == ["a", "b"]
    assert table.rows == [{"a": "4", "b": "5"}]
    (problem,) = problems.errors
    assert (problem.file, problem.line, problem.value) == ("t.csv", 2, "3")
