"""The filter form of the standard list; the same parameters drive the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from biaozhun.catalog.models import Level, Nature, Status

SORT_CHOICES = [
    ("code", _("按标准号")),
    ("issued", _("最新发布")),
    ("effective", _("实施日期")),
]


def _with_blank(choices):
    return [("", _("全部")), *choices]


class StandardFilterForm(forms.Form):
    """Rendering and labels only: values are read by `selectors.StandardFilters`."""

    q = forms.CharField(label=_("关键词或标准号"), required=False, max_length=200)
    level = forms.ChoiceField(label=_("标准级别"), required=False,
                              choices=_with_blank(Level.choices))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=_with_blank(Status.choices))
    nature = forms.ChoiceField(label=_("标准性质"), required=False,
                               choices=_with_blank(Nature.choices))
    issuer = forms.CharField(label=_("标准代号"), required=False, max_length=40,
                             help_text=_("如 GB、GB/T、DB31"))
    ics = forms.CharField(label=_("ICS 分类号"), required=False, max_length=20,
                          help_text=_("如 01 或 01.120"))
    ccs = forms.CharField(label=_("CCS 分类号"), required=False, max_length=20,
                          help_text=_("如 A 或 A01"))
    year_from = forms.IntegerField(label=_("年号自"), required=False, min_value=1900,
                                   max_value=2999)
    year_to = forms.IntegerField(label=_("年号至"), required=False, min_value=1900,
                                 max_value=2999)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)
