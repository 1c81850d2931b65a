"""The interface in Simplified Chinese (default), Traditional Chinese and English."""

import ast
import gettext
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from biaozhun.catalog.tests.factories import make_standard

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = ["zh_Hant", "en"]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[^{}]*\}")


def read_po(path: Path) -> list[dict]:
    """The messages of a .po file: dicts of msgctxt / msgid / msgid_plural / msgstr[n] / flags.

    Enough of the format for the catalogues makemessages writes (no obsolete entries).
    """
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- Pages -------------------------------------------------------------------------------

def test_default_is_simplified_chinese(client):
    response = client.get(HOME)
    body = response.content.decode()
    assert html_lang(response) == "zh-Hans"
    assert ">标准目录</a>" in body
    assert "标准化工作平台" in body
    assert response["Content-Language"] == "zh-hans"


def test_home_in_english(client):
    make_standard("GB/T 1.1-2020")
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    assert ">Standards catalogue</a>" in body
    assert ">Home</a>" in body
    assert "Standardization Portal" in body  # SITE_NAME, a lazy string in settings
    assert "Standards in the catalogue: 1." in body  # blocktranslate with a placeholder
    assert ">National standard</a>" in body  # model choices
    assert "标准目录" not in body


def test_home_in_traditional_chinese(client):
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-Hant")
    body = response.content.decode()
    assert html_lang(response) == "zh-Hant"
    assert ">標準目錄</a>" in body
    assert "標準化工作平臺" in body or "標準化工作平台" in body
    assert ">标准目录</a>" not in body


def test_taiwan_accept_language_gets_traditional(client):
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9")
    assert html_lang(response) == "zh-Hant"


def test_set_language_form_switches_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": HOME})
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = client.get(HOME)
    assert html_lang(response) == "en"
    assert ">Standards catalogue</a>" in response.content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hant", "next": HOME})
    assert ">標準目錄</a>" in client.get(HOME).content.decode()


def test_language_menu_lists_the_three_languages(client):
    body = client.get(HOME).content.decode()
    for code, name in [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]:
        assert re.search(rf'<option value="{code}"[^>]*>{name}</option>', body)


def test_status_badge_in_english(client):
    standard = make_standard("GB/T 1.1-2020")
    response = client.get(standard.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge badge-current">Current</span>' in body
    assert "Basic information" in body


def test_status_badge_in_traditional_chinese(client):
    standard = make_standard("GB/T 1.1-2020")
    response = client.get(standard.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert '<span class="badge badge-current">現行</span>' in response.content.decode()


def test_filter_form_and_chips_in_english(client):
    make_standard("GB/T 1.1-2020")
    response = client.get(reverse("catalog:standard_list") + "?level=national",
                          HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "Superseded" in body
    assert "Group standard" in body
    assert "<span>Level: National standard</span>" in body  # the removable filter chip


# --- Catalogues ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_is_complete(lang):
    entries = read_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    for entry in entries:
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert strings and all(strings), f"{lang}: no translation for {entry['msgid']!r}"
        assert "fuzzy" not in entry["flags"], f"{lang}: fuzzy {entry['msgid']!r}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_placeholders_are_kept(lang):
    for entry in read_po(LOCALE / lang / "LC_MESSAGES" / "django.po"):
        # A plural form may follow either msgid (singular) or msgid_plural (Chinese has one
        # form, which follows the plural).
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for key, value in entry.items():
            if key.startswith("msgstr"):
                assert placeholders(value) in [placeholders(s) for s in sources], (
                    f"{lang}: placeholders of {entry['msgid']!r} -> {value!r}")


@pytest.mark.parametrize("lang", CATALOGUES)
def test_compiled_catalogue_matches_po(lang):
    """The committed .mo must be compiled from the committed .po (run compilemessages)."""
    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in read_po(folder / "django.po"):
        if "msgid_plural" in entry:
            continue
        assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


def test_both_catalogues_have_the_same_messages():
    ids = [{e["msgid"] for e in read_po(LOCALE / lang / "LC_MESSAGES" / "django.po")}
           for lang in CATALOGUES]
    assert ids[0] == ids[1]


def test_traditional_catalogue_is_traditional():
    """Spot checks of the OpenCC conversion and its overrides for standardization terms."""
    catalogue = {e["msgid"]: e["msgstr"]
                 for e in read_po(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po")
                 if "msgstr" in e}  # plural entries carry msgstr[0], msgstr[1]
    assert catalogue["标准目录"] == "標準目錄"
    assert catalogue["废止"] == "廢止"
    assert catalogue["归口单位"] == "歸口單位"
    assert catalogue["发布日期"] == "發布日期"  # not 釋出 (software "release")
    assert catalogue["代码"] == "代碼"  # not 程式碼 (source code)
    assert catalogue["搜索"] == "搜尋"  # Taiwan phrase


def test_no_simplified_catalogue_needed():
    """zh-hans is the source language: its msgids are the text, no catalogue is kept."""
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert not (LOCALE / "zh_Hans").exists()
