import pytest

from holisec.data.errors import InputError, InputErrors, Problems


def test_message_names_file_row_column():
    e = InputError("not a number: '12,x'", file="a.csv", row=3, column="value")
    assert str(e) == "a.csv, row 3, column 'value': not a number: '12,x'"
    assert (e.file, e.row, e.column) == ("a.csv", 3, "value")
    assert isinstance(e, ValueError)


def test_unknown_parts_are_left_out():
    assert str(InputError("the file is empty", file="a.csv")) == "a.csv: the file is empty"
    assert str(InputError("bad", row=2)) == "row 2: bad"
    assert str(InputError("bad")) == "bad"


def test_problems_single_raises_plain_error():
    p = Problems("f.csv")
    p.add("bad", row=2, column="x")
    with pytest.raises(InputError) as ei:
        p.raise_if_any()
    assert not isinstance(ei.value, InputErrors)
    assert str(ei.value) == "f.csv, row 2, column 'x': bad"


def test_problems_lists_twenty_then_counts_the_rest():
    p = Problems("f.csv")
    p.add_many(range(2, 52), "value", "bad")
    with pytest.raises(InputErrors) as ei:
        p.raise_if_any()
    msg = str(ei.value)
    assert msg.startswith("50 problems")
    assert msg.count("f.csv, row") == 20
    assert "... and 30 more" in msg
    assert ei.value.row == 2 and ei.value.total == 50


def test_no_problem_no_raise():
    Problems("f.csv").raise_if_any()
