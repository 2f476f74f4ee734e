import logging

from bot.ops.logs import MaskingFilter, mask


def test_phone_numbers_keep_prefix_and_last_four():
    assert mask("来电 13800002222") == "来电 138****2222"
    assert mask("+86 138-0000-2222") == "138****2222"
    assert mask("座机 02180001234") == "座机 0218****1234"


def test_id_numbers_keep_only_the_last_four():
    assert mask("身份证110101199001013721") == "身份证****3721"
    assert mask("11010119900101372X") == "****372X"
    assert mask(r"\u53f7110101199001013721") == "号****3721"  # inside JSON-escaped log lines


def test_tokens_and_bearer_headers_are_hidden():
    assert mask("token=s3cr3t-value", ["s3cr3t-value"]) == "token=****"
    assert mask("Authorization: Bearer abc.def") == "Authorization: Bearer ****"


def test_short_numbers_and_amounts_stay_readable():
    assert mask("后四位3721，欠款8650.00元，逾期35天") == "后四位3721，欠款8650.00元，逾期35天"


def test_filter_masks_formatted_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "caller %s", ("13800000001",), None)
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "caller 138****0001"
