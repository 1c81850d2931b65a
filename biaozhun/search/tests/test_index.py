"""Index maintenance: imports, edits, deletions and a full rebuild keep the index exact."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from biaozhun.catalog.importing import import_standards
from biaozhun.catalog.models import Standard
from biaozhun.catalog.tests.factories import make_organization, make_standard
from biaozhun.core.text import parse_terms
from biaozhun.search.backends import ID_MASK, get_backend
from biaozhun.search.index import computed_texts

pytestmark = pytest.mark.django_db

CSV = """code,title_zh,title_en,status,issued_on,effective_on,abolished_on,replaces,replaced_by,ics,ccs,issuer,committee,drafting_orgs,adopts,scope
GB/T 19001-2016,质量管理体系 要求,Quality management systems,现行,2016-12-30,2017-07-01,,,,03.120.10,A00,国家标准化管理委员会,SAC/TC 151 全国质量管理和质量保证标准化技术委员会,中国标准化研究院,,规定了质量管理体系要求。
"""


def found(query: str) -> list[str]:
    ids = [k & ID_MASK for k in get_backend().keys(parse_terms(query), limit=100)]
    by_id = dict(Standard.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [by_id[i] for i in ids]


def test_an_import_indexes_every_field_including_organisations(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text(CSV, encoding="utf-8")
    import_standards(path)
    for query in ("质量管理", "quality", "标准化研究院", "质量保证标准化", "sac tc 151", "體系"):
        assert found(query) == ["GB/T 19001-2016"], query
    stored = Standard.objects.get().search_text
    assert dict(computed_texts([Standard.objects.get().pk]))[Standard.objects.get().pk] == stored


def test_reimporting_replaces_what_the_index_knew(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text(CSV, encoding="utf-8")
    import_standards(path)
    path.write_text(CSV.replace("质量管理体系", "环境管理体系"), encoding="utf-8")
    import_standards(path)
    assert found("质量管理体系") == []
    assert found("环境管理") == ["GB/T 19001-2016"]


def test_edits_status_changes_and_deletions_follow():
    standard = make_standard("GB/T 5-2020", title_zh="电梯 安全要求", issued_on=date(2020, 1, 1))
    standard.title_zh = "自动扶梯 安全要求"
    standard.save()
    assert (found("电梯"), found("扶梯")) == ([], ["GB/T 5-2020"])
    Standard.objects.filter(pk=standard.pk).update(status="abolished")
    keys = get_backend().keys(parse_terms("扶梯"), limit=10)
    from biaozhun.search.backends import decode

    assert [decode(k).status for k in keys] == ["abolished"]
    standard.delete()
    assert found("扶梯") == []


def test_organisation_links_edited_later_refresh_the_column():
    standard = make_standard("GB/T 6-2020", title_zh="示例", issued_on=date(2020, 1, 1))
    body = make_organization("株洲市市场监督管理局")
    standard.issuing_bodies.add(body)
    assert found("株洲") == ["GB/T 6-2020"]
    standard.issuing_bodies.remove(body)
    assert found("株洲") == []
    body.issued.add(standard)
    assert found("株洲") == ["GB/T 6-2020"]


def test_rebuild_recomputes_columns_and_index():
    standard = make_standard("GB/T 7-2020", title_zh="茶叶 术语", issued_on=date(2020, 1, 1))
    Standard.objects.filter(pk=standard.pk).update(search_text="")
    assert found("茶叶") == []
    call_command("rebuild_search_index", verbosity=0)
    assert found("茶叶") == ["GB/T 7-2020"]
    assert Standard.objects.get().search_text == dict(computed_texts([standard.pk]))[standard.pk]


def test_renaming_an_organisation_or_committee_refreshes_its_editions():
    from biaozhun.catalog.models import TechnicalCommittee

    committee = TechnicalCommittee.objects.create(code="SAC/TC 1", name="全国甲标准化技术委员会")
    body = make_organization("甲市市场监督管理局")
    standard = make_standard("GB/T 8-2020", title_zh="示例", committee=committee,
                             competent_department=body, issued_on=date(2020, 1, 1))
    body.name = "乙市市场监督管理局"
    body.save()
    committee.name = "全国丙标准化技术委员会"
    committee.save()
    assert (found("甲市"), found("乙市"), found("丙标准化")) == ([], [standard.code], [standard.code])


def test_postgresql_copy_follows_every_write_including_truncate():
    from django.db import connection

    from biaozhun.search import index

    if connection.vendor != "postgresql":
        pytest.skip("search_document is the PostgreSQL layout")
    standard = make_standard("GB/T 6-2020", title_zh="电梯 安全要求", issued_on=date(2020, 1, 1))
    Standard.objects.filter(pk=standard.pk).update(year=2021)
    Standard.objects.filter(pk=standard.pk).update(code="GB/T 6-2021")  # not indexed: no write
    Standard.objects.filter(pk=standard.pk).update(search_text="电梯 梯 安全 全要 要求 求",
                                                   prefix="DB43/T", nature="mandatory")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT doc_key, vector::text FROM catalog_standard "
                       f"JOIN {index.DOCS} ON doc_key = {index.doc_key_sql()}")
        assert cursor.fetchall() == [(
            get_backend().keys(parse_terms("电梯"))[0],
            "'~issuer:DB43' '~issuer:DB43/T' '~nature:mandatory' '全要':4 '安全':3 "
            "'梯':2 '求':6 '电梯':1 '要求':5")]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
        cursor.execute("TRUNCATE catalog_standard CASCADE")
        cursor.execute(f"SELECT COUNT(*) FROM {index.DOCS}")
        assert cursor.fetchone()[0] == 0


def test_counting_words_and_knowing_when_to(capsys):
    from django.db import connection

    from biaozhun.search import index

    postgres = connection.vendor == "postgresql"
    make_standard("GB/T 7-2020", title_zh="电梯 安全要求", issued_on=date(2020, 1, 1))
    make_standard("GB/T 8-2020", title_zh="电梯 术语", issued_on=date(2020, 1, 1))
    assert index.counts_stale(floor=1) is postgres  # counted when the table was empty
    call_command("count_search_words", "--if-stale")  # 2 documents: below the floor of 1,000
    assert ("仍然有效" if postgres else "无需统计") in capsys.readouterr().out
    call_command("count_search_words")
    assert ("词频已重新统计" if postgres else "无需统计") in capsys.readouterr().out
    assert index.counts_stale(floor=1) is False
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT word, ndoc FROM {index.LEXEMES} WHERE word IN "
                           "('', '电梯', '术语', '~issuer:GB/T', '~issuer:GB') ORDER BY word")
            assert cursor.fetchall() == [("", 2), ("~issuer:GB", 2), ("~issuer:GB/T", 2),
                                         ("术语", 1), ("电梯", 2)]
        make_standard("GB/T 9-2020", title_zh="电梯 维修", issued_on=date(2020, 1, 1))
        # 3 indexed against 2 counted: more than 10 % of 2 apart, not more than 50 %.
        assert (index.counts_stale(floor=0), index.counts_stale(floor=0, share=0.5)) == (
            True, False)
