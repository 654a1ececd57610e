"""A valid business registration record to build test cases from."""

from __future__ import annotations

from typing import Any

USCC = "91440101MA59LU9AX1"
COMPANY = "广州示例链科技有限公司"
# Fictitious people: the GB 11643 check digits are deliberately wrong, so these IDs belong to no one.
LEGAL_REP = ("陈思远", "44010619900101123X")
SHAREHOLDER = ("黄雨桐", "44010619850315456X")
CORPORATE_USCC = "914403001922038216"
ARTICLES = "第一条 本公司依法设立。\n".encode() * 20


def a_record(**changes: Any) -> dict[str, Any]:
    record = {
        "uscc": USCC,
        "name": COMPANY,
        "legal_representative": {"name": LEGAL_REP[0], "id_number": LEGAL_REP[1]},
        "registered_capital": {"amount": "1000000.00", "currency": "CNY"},
        "address": "广州市天河区示例路1号",
        "business_scope": "软件开发；信息技术咨询服务",
        "shareholders": [
            {
                "name": SHAREHOLDER[0],
                "kind": "natural_person",
                "identifier": SHAREHOLDER[1],
                "contribution": {"amount": "600000.00"},
            },
            {
                "name": "深圳示例投资有限公司",
                "kind": "legal_person",
                "identifier": CORPORATE_USCC,
                "contribution": {"amount": "400000.00"},
            },
        ],
        "establishment_date": "2020-05-18",
    }
    return {**record, **changes}
