"""Search API: `/api/v1/search` (query, filters, facets, page), `/api/v1/search/suggest` and
`/api/v1/search/similar` (novelty check: the most similar existing standards)."""

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from biaozhun.api.schemas import MAX_PAGE_SIZE
from biaozhun.catalog.selectors import StandardFilters
from biaozhun.search import selectors, similar

router = Router(tags=["检索"])


class SearchQuery(Schema):
    q: str = Field("", description="标准号（任意写法）、名称或适用范围中的词；\"短语\"，-排除")
    level: str | None = None
    status: str | None = None
    nature: str | None = None
    issuer: str | None = Field(None, description="标准代号，如 GB、GB/T、DB31")
    ics: str | None = None
    ccs: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class HitOut(Schema):
    code: str
    title_zh: str
    title_en: str
    level: str
    nature: str
    status: str
    year: int | None
    match: str = Field(description="exact / edition / prefix / part / title / text")
    title_html: str = Field(description="标题，匹配处以 <mark> 标出（已转义）")
    snippet_html: str
    url: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class DidYouMeanOut(Schema):
    code: str
    title_zh: str
    status: str
    url: str


class SearchOut(Schema):
    query: str
    mode: str = Field(description="code / mixed / text / empty")
    count: int
    count_capped: bool = Field(description="true：超过 count 条，未全部计数")
    page: int
    page_size: int
    facets: dict[str, list[FacetValueOut]]
    facets_sampled: bool
    did_you_mean: list[DidYouMeanOut]
    notice: str = Field(description="空，或 mixed_fallback：标准号的各版本都不含其余关键词，"
                                    "结果为该标准号的全部版本")
    results: list[HitOut]


class SuggestionOut(Schema):
    code: str
    title: str
    kind: str
    url: str


def _url(code: str) -> str:
    return reverse("catalog:standard_detail", args=[code])


@router.get("/search", response=SearchOut, url_name="search")
def search(request, params: Query[SearchQuery]):
    """检索：标准号按版本排序，文字按标题优先、现行优先、国家标准优先；附分面计数。"""
    data = {k: v for k, v in params.dict().items() if v is not None}
    result = selectors.search(params.q, StandardFilters.from_mapping(data), page=params.page,
                              page_size=params.page_size)
    return {
        "query": result.query.raw,
        "mode": result.query.mode,
        "count": result.total,
        "count_capped": result.capped,
        "page": result.page,
        "page_size": result.page_size,
        "facets": {name: [{**v.__dict__, "label": str(v.label)} for v in values]
                   for name, values in result.facets.items()},
        "facets_sampled": result.facets_sampled,
        "did_you_mean": [{"code": s.code, "title_zh": s.title_zh, "status": s.status,
                          "url": _url(s.code)} for s in result.did_you_mean],
        "notice": result.notice,
        "results": [{
            "code": h.standard.code, "title_zh": h.standard.title_zh,
            "title_en": h.standard.title_en, "level": h.standard.level,
            "nature": h.standard.nature, "status": h.standard.status, "year": h.standard.year,
            "match": h.match, "title_html": str(h.title_html),
            "snippet_html": str(h.snippet_html), "url": _url(h.standard.code),
        } for h in result.hits],
    }


@router.get("/search/suggest", response=list[SuggestionOut], url_name="search_suggest")
def suggest(request, q: str = ""):
    """检索框自动补全：以输入开头的标准号，其后是名称匹配的标准。"""
    return [{**s, "url": _url(s["code"])} for s in selectors.suggest(q[:100])]


class SimilarQuery(Schema):
    title: str = Field("", max_length=similar.MAX_TITLE, description="拟立项标准的名称")
    scope: str = Field("", max_length=similar.MAX_SCOPE, description="拟立项标准的适用范围（可选）")
    limit: int = Field(10, ge=1, le=similar.MAX_LIMIT)


class SimilarOut(Schema):
    id: int
    code: str
    title_zh: str
    level: str
    status: str
    score: float = Field(description="相似度 0–1（名称占 3/4，名称加适用范围占 1/4）")
    shared: list[str] = Field(description="相同的词（规范化为简体）")
    url: str


class SimilarListOut(Schema):
    count: int
    threshold: float = Field(description="低于此相似度的标准不列出")
    results: list[SimilarOut]


@router.get("/search/similar", response=SimilarListOut, url_name="search_similar")
def similar_standards(request, params: Query[SimilarQuery]):
    """查新：与拟立项标准名称（及适用范围）最相似的现有标准。现行和即将实施的国家标准、行业标准
    排在前面，其余在后，各按相似度排列。"""
    results = similar.similar_standards(params.title, params.scope, limit=params.limit)
    return {
        "count": len(results),
        "threshold": similar.SCORE_THRESHOLD,
        "results": [{**item.as_dict(), "url": _url(item.code)} for item in results],
    }
