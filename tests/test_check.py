"""Where a re-executed notebook first differs from its committed copy, said in one line."""
import json

from livingreview.book.check import first_difference


def _nb(*outputs: str, stamp: str = "a") -> str:
    cells = [{"cell_type": "markdown", "source": "# Title", "metadata": {}}]
    cells += [{"cell_type": "code", "source": "x", "metadata": {}, "execution_count": i + 1,
               "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}
              for i, text in enumerate(outputs)]
    return json.dumps({"cells": cells, "metadata": {"livingreview": {"inputs": stamp}}}, indent=1)


def test_equal_notebooks_have_no_difference():
    assert first_difference(_nb("1\n", "2\n"), _nb("1\n", "2\n")) is None


def test_the_first_differing_cell_is_named_with_a_short_diff():
    where = first_difference(_nb("1\n", "2\n", "3\n"), _nb("1\n", "two\n", "three\n"))
    assert where.startswith("cell 2 (code) differs: ")
    assert '"text": "2\\n"' in where and '"text": "two\\n"' in where and "three" not in where


def test_a_changed_stamp_or_cell_count_is_reported():
    assert first_difference(_nb("1\n"), _nb("1\n", stamp="b")).startswith("notebook metadata differs")
    assert first_difference(_nb("1\n"), _nb("1\n", "2\n")) == "2 cells committed, 3 executed"
    assert first_difference("{not json", _nb("1\n")) == "the committed file is not valid JSON"
