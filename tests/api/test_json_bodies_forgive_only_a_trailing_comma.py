"""The seeds' model bodies carry a trailing comma after `query`; that is forgiven. Anything
else malformed is a 400 naming the line and column, and nothing is saved."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import ParseError

from api.parsers import parse_json_body, without_trailing_commas
from models_app.models import SqlModel
from tests.api.conftest import assert_error, snapshot


def test_a_trailing_comma_before_a_brace_or_bracket_is_dropped():
    assert parse_json_body('{"a": [1, 2,], "b": {"c": 3,},}') == {"a": [1, 2], "b": {"c": 3}}
    assert parse_json_body('{\n "query": "SELECT 1",\n }') == {"query": "SELECT 1"}


def test_commas_inside_strings_are_left_alone():
    text = '{"q": "a,}", "r": "x\\",]"}'
    assert without_trailing_commas(text) == text
    assert parse_json_body(text) == {"q": "a,}", "r": 'x",]'}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": 1,, "b": 2}', "line 1, column 9"),
        ('{\n  "a": 1\n  "b": 2\n}', "line 3, column 3"),
        ("{'a': 1}", "line 1, column 2"),
        ('{"a": [1, 2}', "line 1, column 12"),
        ("[,]", "line 1, column 2"),
    ],
)
def test_other_malformed_json_names_the_line_and_column(text, where):
    with pytest.raises(ParseError) as raised:
        parse_json_body(text)
    assert where in str(raised.value.detail)


def test_nan_is_not_json():
    with pytest.raises(ParseError):
        parse_json_body('{"a": NaN}')


@pytest.mark.django_db
def test_the_walkthroughs_model_body_with_its_trailing_comma_is_accepted(api, warehouse):
    raw = (
        '{\n"name": "Active Users",\n"configuration": {\n'
        '"query": "SELECT email, first_name FROM users LIMIT 3",\n},\n'
        f'"connection_id": "{warehouse.pk}"\n}}'
    )
    response = api.post("/api/models", raw=raw)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["configuration"] == {
        "query": "SELECT email, first_name FROM users LIMIT 3"
    }


@pytest.mark.django_db
def test_a_malformed_body_is_a_400_with_the_position_and_saves_nothing(api, warehouse):
    before = snapshot()
    raw = f'{{"name": "Users"\n "connection_id": "{warehouse.pk}"}}'
    body = assert_error(api.post("/api/models", raw=raw), 400)
    assert "line 2, column 2" in body["message"]
    assert snapshot() == before
    assert not SqlModel.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_a_400(api):
    assert_error(api.post("/api/connections", raw="[1, 2]"), 400)
    assert_error(api.post("/api/connections", raw='"text"'), 400)
