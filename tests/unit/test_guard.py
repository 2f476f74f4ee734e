"""REST payload checks: every bad shape gets a code and a Chinese message."""

import pytest

from bot.integration.http.guard import check_rest_payload, parse_json_object


@pytest.mark.parametrize(
    "body,code",
    [
        (b"", "empty_body"),
        (b"\xff\xfe", "invalid_encoding"),
        (b"not json", "invalid_json"),
        (b"[]", "not_an_object"),
        (b'"x"', "not_an_object"),
    ],
)
def test_bodies_that_are_not_json_objects(body, code):
    data, problem = parse_json_object(body)
    assert data is None and problem[0] == code and problem[1]


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"message": "hi"}, "missing_sender"),
        ({"sender": "", "message": "hi"}, "missing_sender"),
        ({"sender": 1, "message": "hi"}, "missing_sender"),
        ({"sender": "a/../b", "message": "hi"}, "invalid_sender"),
        ({"sender": "x" * 129, "message": "hi"}, "invalid_sender"),
        ({"sender": "a", "message": 123}, "invalid_message"),
        ({"sender": "a"}, "invalid_message"),
        ({"sender": "a", "message": "长" * 2001}, "text_too_long"),
        ({"sender": "a", "message": "a\x00b"}, "invalid_message"),
        ({"sender": "a", "message": "hi", "metadata": "x"}, "invalid_metadata"),
        ({"sender": "a", "message": "hi", "metadata": {"caller_number": 123}}, "invalid_caller_number"),
        ({"sender": "a", "message": "hi", "metadata": {"caller_number": "<script>"}}, "invalid_caller_number"),
    ],
)
def test_bad_rest_payloads(payload, code):
    problem = check_rest_payload(payload)
    assert problem is not None and problem[0] == code


def test_good_rest_payloads_pass():
    assert check_rest_payload({"sender": "c-1", "message": "你好"}) is None
    assert (
        check_rest_payload(
            {"sender": "c-1", "message": "", "metadata": {"caller_number": "+86 138-0000-0001", "x": [1]}}
        )
        is None
    )
