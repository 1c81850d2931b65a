"""Atom feed of public consultations, all or per category (draft, plan, review).

Only public consultations appear (never targeted ones), and nothing of their comments: an
entry carries the title, kind, administration, period and description.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from biaozhun.consultations.models import Consultation

FEED_SIZE = 50
CATEGORIES = {
    "draft": Consultation.Kind.DRAFT,
    "plan": Consultation.Kind.PLAN,
    "review": Consultation.Kind.REVIEW,
}


class ConsultationFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, category: str | None = None):
        if category is None:
            return None
        if category not in CATEGORIES:
            raise Http404(_("没有这个订阅类别"))
        return CATEGORIES[category]

    def title(self, kind):
        site = str(settings.SITE_NAME)
        if kind is None:
            return _("%(site)s · 征求意见") % {"site": site}
        return _("%(site)s · 征求意见：%(kind)s") % {"site": site,
                                                    "kind": Consultation.Kind(kind).label}

    def subtitle(self, kind):
        return _("地方标准征求意见稿、立项计划公示和复审结论公示，欢迎社会各界提出意见。")

    description = subtitle

    def link(self, kind):
        if kind is None:
            return reverse("consultations:list")
        return reverse("consultations:list") + f"?kind={kind}"

    def feed_url(self, kind):
        if kind is None:
            return reverse("consultations:feed")
        category = next(slug for slug, value in CATEGORIES.items() if value == kind)
        return reverse("consultations:feed_category", args=[category])

    def items(self, kind):
        qs = Consultation.objects.filter(is_public=True).exclude(
            kind=Consultation.Kind.TARGETED).select_related("administration").only(
            "pk", "kind", "title", "description", "opens_on", "closes_on", "created_at",
            "updated_at", "administration__name")
        if kind is not None:
            qs = qs.filter(kind=kind)
        return qs.order_by("-created_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: Consultation) -> str:
        return item.title

    def item_description(self, item: Consultation) -> str:
        lines = [
            _("类型：%(kind)s") % {"kind": item.get_kind_display()},
            _("主管部门：%(name)s") % {"name": item.administration.name},
            _("征求意见期：%(opens)s 至 %(closes)s") % {
                "opens": item.opens_on.isoformat(), "closes": item.closes_on.isoformat()},
        ]
        lines.extend(line for line in item.description.splitlines() if line.strip())
        # Atom `summary type="html"`: escaped text in paragraphs.
        return format_html_join("", "<p>{}</p>", ((line,) for line in lines))

    def item_link(self, item: Consultation) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Consultation):
        return item.created_at

    def item_updateddate(self, item: Consultation):
        return item.updated_at

    def item_categories(self, item: Consultation):
        return [item.get_kind_display()]

    def item_author_name(self, item: Consultation) -> str:
        return item.administration.name
