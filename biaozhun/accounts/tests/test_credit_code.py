"""Unified social credit codes (GB 32100, GB 11714) and administrations' region codes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from hypothesis import given
from hypothesis import strategies as st

from biaozhun.accounts.models import Organization
from biaozhun.accounts.services import DEMO_ENTERPRISE_CREDIT_CODE
from biaozhun.accounts.validators import (
    CREDIT_CODE_ALPHABET,
    REGISTRATION_AUTHORITIES,
    credit_code_check_character,
    organization_code_check_character,
    validate_credit_code,
)

REAL = "91350100M000100Y43"  # a real registration (Fuzhou)


def messages(value: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(value)
    return caught.value.messages


def test_a_real_code_is_valid():
    validate_credit_code(REAL)


def test_check_characters_of_the_real_code():
    assert credit_code_check_character(REAL[:17]) == "3"
    assert organization_code_check_character(REAL[8:16]) == "4"


@pytest.mark.parametrize(("body", "expected"), [
    ("M000100Y", "4"),
    ("00000000", "0"),  # 11 - 0 = 11 -> "0"
    ("00000001", "9"),  # 11 - 2 = 9
    ("00000004", "3"),  # 11 - 8 = 3
    ("00000006", "X"),  # sum 12 -> 11 - 1 = 10 -> "X"
])
def test_organization_code_check_character(body, expected):
    assert organization_code_check_character(body) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("", "统一社会信用代码应为 18 位，现为 0 位。"),
    (REAL[:17], "统一社会信用代码应为 18 位，现为 17 位。"),
    (REAL + "0", "统一社会信用代码应为 18 位，现为 19 位。"),
    ("91350100M000100I43",
     "第 16 位字符“I”无效：只能是数字或除 I、O、S、V、Z 以外的大写字母。"),
    ("9135010OM000100Y43",
     "第 8 位字符“O”无效：只能是数字或除 I、O、S、V、Z 以外的大写字母。"),
    ("91350100m000100Y43",
     "第 9 位字符“m”无效：只能是数字或除 I、O、S、V、Z 以外的大写字母。"),
    ("B1350100M000100Y43", "第 1 位登记管理部门代码“B”无效。"),
    ("94350100M000100Y43", "第 2 位机构类别代码“4”与登记管理部门代码“9”不符。"),
    ("Y2350100M000100Y43", "第 2 位机构类别代码“2”与登记管理部门代码“Y”不符。"),
    ("9135A100M000100Y43", "第 3–8 位应为登记管理机关的 6 位数字行政区划代码。"),
    ("91350100M000100Y44", "校验码不符：第 18 位应为“3”，请核对代码是否输入有误。"),
    # One digit of the body changed: weight 8 moves the sum from 28 to 5 (mod 31) -> "T".
    ("91350100M000200Y43", "校验码不符：第 18 位应为“T”，请核对代码是否输入有误。"),
])
def test_each_error_says_what_is_wrong(value, expected):
    assert messages(value) == [expected]


def _with_check(first_16: str, organization_check: str) -> str:
    first_17 = first_16 + organization_check
    return first_17 + credit_code_check_character(first_17)


def test_a_wrong_organization_check_with_a_consistent_total_is_named():
    # Position 17 wrong, position 18 recomputed to match: only GB 11714 catches it.
    code = _with_check(REAL[:16], "5")
    assert messages(code) == [
        "组织机构代码校验码不符：第 17 位应为“4”，请核对代码是否输入有误。"]


# --- Properties ------------------------------------------------------------------------------

authority_and_kind = st.sampled_from(sorted(
    (authority, kind) for authority, kinds in REGISTRATION_AUTHORITIES.items() for kind in kinds))
alphabet_char = st.sampled_from(CREDIT_CODE_ALPHABET)


@st.composite
def credit_codes(draw) -> str:
    authority, kind = draw(authority_and_kind)
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    body = "".join(draw(st.lists(alphabet_char, min_size=8, max_size=8)))
    first_17 = authority + kind + region + body + organization_code_check_character(body)
    return first_17 + credit_code_check_character(first_17)


@given(credit_codes())
def test_generated_codes_are_valid(code):
    validate_credit_code(code)


@given(credit_codes(), st.integers(0, 17), st.sampled_from(CREDIT_CODE_ALPHABET + "ISOVZa-"))
def test_any_single_character_change_is_rejected(code, position, char):
    changed = code[:position] + char + code[position + 1:]
    if changed == code:
        return
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


# --- The model -------------------------------------------------------------------------------

needs_db = pytest.mark.django_db


def enterprise(**fields) -> Organization:
    return Organization(**{"name": "某某有限公司", "kind": Organization.Kind.ENTERPRISE, **fields})


@needs_db
def test_an_enterprise_needs_a_credit_code():
    with pytest.raises(ValidationError) as caught:
        enterprise().full_clean()
    assert caught.value.message_dict == {"credit_code": ["企业须填写统一社会信用代码。"]}


@needs_db
def test_an_enterprise_code_is_validated_on_clean():
    with pytest.raises(ValidationError) as caught:
        enterprise(credit_code=REAL[:17] + "4").full_clean()
    assert caught.value.message_dict == {
        "credit_code": ["校验码不符：第 18 位应为“3”，请核对代码是否输入有误。"]}


@needs_db
def test_a_pasted_code_is_trimmed_and_upper_cased():
    organization = enterprise(credit_code=f"  {REAL.lower()} ")
    organization.full_clean()
    assert organization.credit_code == REAL


@needs_db
def test_other_kinds_may_leave_the_code_blank():
    Organization(name="某起草单位", kind=Organization.Kind.DRAFTING).full_clean()


@needs_db
def test_the_demo_enterprise_code_is_valid():
    validate_credit_code(DEMO_ENTERPRISE_CREDIT_CODE)
    assert DEMO_ENTERPRISE_CREDIT_CODE[2:8] == "430100"  # registered in Changsha


@needs_db
def test_a_credit_code_is_unique_when_given():
    Organization.objects.create(name="甲公司", kind="enterprise", credit_code=REAL)
    duplicate = Organization(name="乙公司", kind="enterprise", credit_code=REAL)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert caught.value.messages == ["已有机构使用该统一社会信用代码。"]
    with pytest.raises(IntegrityError):
        duplicate.save()


@needs_db
def test_many_organisations_may_have_no_credit_code():
    Organization.objects.create(name="甲", kind="drafting")
    Organization.objects.create(name="乙", kind="drafting")
    Organization(name="丙", kind="drafting").full_clean()
    assert Organization.objects.filter(credit_code="").count() == 2


# --- Region codes of administrations ----------------------------------------------------------

@pytest.mark.parametrize(("region_code", "issuer"), [
    ("430000", "43"),
    ("430100", "4301"),
    ("430102", "430102"),
    ("110000", "11"),
    ("", ""),
])
def test_local_issuer_code(region_code, issuer):
    assert Organization(region_code=region_code).local_issuer_code == issuer


@needs_db
@pytest.mark.parametrize("region_code", ["4301", "43010A", "43 100"])
def test_a_region_code_has_six_digits(region_code):
    organization = Organization(name="某局", kind="administration", region_code=region_code)
    with pytest.raises(ValidationError) as caught:
        organization.full_clean()
    assert caught.value.message_dict == {
        "region_code": ["行政区划代码应为 6 位数字（GB/T 2260），如 430100。"]}
