"""Validators for the identifiers organisations carry.

The unified social credit code (统一社会信用代码) follows GB 32100-2015: 18 characters from a
31-character alphabet; characters 9–17 are the organisation code of GB 11714, which carries its
own check digit; character 18 checks the whole code.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_LENGTH = 18
# GB 32100 alphabet: digits and capitals without I, O, S, V, Z (easily confused or unused).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Character 1 (registration authority) -> the characters 2 (kind of body) it allows. GB 32100
# lists 1, 5, 9 and Y; the national standardisation administration assigned the others later
# (foreign affairs, justice, culture, tourism, religion, trade unions, the military, agriculture).
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商（市场监管）: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}


def credit_code_check_character(first_17: str) -> str:
    """The GB 32100 check character (position 18) of the first 17 characters."""
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight
                for char, weight in zip(first_17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_character(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body.

    GB 11714 values letters by their place in the full Latin alphabet (A=10 … Z=35), not by
    their place in the GB 32100 alphabet.
    """
    total = sum(int(char, 36) * weight
                for char, weight in zip(body, ORGANIZATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalize_credit_code(value: str) -> str:
    """Strip surrounding blanks and upper-case: people paste codes in every shape."""
    return (value or "").strip().upper()


def validate_credit_code(value: str) -> None:
    """Raise ValidationError, saying what is wrong, unless `value` is a valid credit code."""
    if len(value) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，现为 %(length)s 位。"),
            code="credit_code_length", params={"length": len(value)})
    for position, char in enumerate(value, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise ValidationError(
                _("第 %(position)s 位字符“%(char)s”无效：只能是数字或除 I、O、S、V、Z 以外的"
                  "大写字母。"),
                code="credit_code_character", params={"position": position, "char": char})
    authority, kind = value[0], value[1]
    if authority not in REGISTRATION_AUTHORITIES:
        raise ValidationError(
            _("第 1 位登记管理部门代码“%(char)s”无效。"),
            code="credit_code_authority", params={"char": authority})
    if kind not in REGISTRATION_AUTHORITIES[authority]:
        raise ValidationError(
            _("第 2 位机构类别代码“%(char)s”与登记管理部门代码“%(authority)s”不符。"),
            code="credit_code_kind", params={"char": kind, "authority": authority})
    if not value[2:8].isdigit():
        raise ValidationError(
            _("第 3–8 位应为登记管理机关的 6 位数字行政区划代码。"), code="credit_code_region")
    # The whole-code check first: a mistyped character anywhere shows up here.
    expected = credit_code_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("校验码不符：第 18 位应为“%(expected)s”，请核对代码是否输入有误。"),
            code="credit_code_check", params={"expected": expected})
    expected = organization_code_check_character(value[8:16])
    if value[16] != expected:
        raise ValidationError(
            _("组织机构代码校验码不符：第 17 位应为“%(expected)s”，请核对代码是否输入有误。"),
            code="credit_code_organization_check", params={"expected": expected})


validate_region_code = RegexValidator(
    r"^[0-9]{6}\Z", _("行政区划代码应为 6 位数字（GB/T 2260），如 430100。"),
    code="region_code")
