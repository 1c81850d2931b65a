"""Public forms of public participation: a comment (member or guest), an XLSX import, a
proposal for a new standard, a subscription. The services check everything again; these
forms only give each field its label, its limits and its error in the right place."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from biaozhun.accounts.models import Organization
from biaozhun.consultations import abuse
from biaozhun.consultations.models import Comment, Consultation, PublicProposal, Subscription


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type="file" multiple>`; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        files = [item for item in files if item]
        if not files:
            super().clean(None, initial)  # refuses when required
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ChallengeMixin:
    """The arithmetic question for guests: a hidden signed token and an answer whose label is
    the question itself, so screen readers read it with the field. A fresh question is set on
    every render (each token is accepted once)."""

    def add_challenge(self) -> None:
        self.fields["challenge_token"] = forms.CharField(widget=forms.HiddenInput,
                                                         required=False)
        self.fields["challenge_answer"] = forms.CharField(
            label=_("验证问题"), max_length=10,
            error_messages={"required": _("请回答验证问题。")},
            help_text=_("为防止自动提交，请回答上面的问题。"),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                          "size": 6}))
        if not self.is_bound:
            self.new_challenge()

    def new_challenge(self) -> None:
        """Ask a fresh question; a bound form re-rendered after an error must carry the new
        token (the posted one is used up) and an empty answer."""
        challenge = abuse.new_challenge()
        self.challenge = challenge
        self.fields["challenge_answer"].label = challenge.question
        if self.is_bound:
            self["challenge_answer"].label = challenge.question  # the bound field is cached
            data = self.data.copy()
            data[self.add_prefix("challenge_token")] = challenge.token
            data[self.add_prefix("challenge_answer")] = ""
            self.data = data
        else:
            self.initial["challenge_token"] = challenge.token

    @property
    def challenge_pair(self) -> tuple[str, str]:
        """(token, answer) as posted, for the service to check."""
        return (self.data.get(self.add_prefix("challenge_token"), ""),
                self.data.get(self.add_prefix("challenge_answer"), ""))


def _text(label, *, max_length=None, required=False, rows=4, help_text=""):
    attrs = {"rows": rows}
    return forms.CharField(label=label, max_length=max_length, required=required,
                           help_text=help_text, widget=forms.Textarea(attrs=attrs))


class CommentForm(ChallengeMixin, forms.Form):
    """One comment in the columns of the IEC form; guests also say who they are."""

    clause = forms.CharField(label=_("章条号"), max_length=60, required=False,
                             help_text=_("如 5.2.1；对全文的意见可不填。"))
    paragraph = forms.CharField(label=_("段落/图/表"), max_length=60, required=False,
                                help_text=_("如 第2段、图1、表3。"))
    type = forms.ChoiceField(label=_("意见类型"), choices=Comment.Type.choices,
                             initial=Comment.Type.GENERAL)
    text = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 6}))
    proposed_change = _text(_("修改建议"), help_text=_("建议改成的文字。"))
    reason = _text(_("理由"), help_text=_("依据、数据或实际情况。"))
    attachments = MultipleFileField(
        label=_("附件"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}))
    commenter_type = forms.ChoiceField(label=_("提出方类型"),
                                       choices=Comment.CommenterType.choices,
                                       initial=Comment.CommenterType.INDIVIDUAL)
    show_name = forms.BooleanField(
        label=_("公开我的姓名和单位"), required=False,
        help_text=_("不勾选时，公开处理结果时只显示提出方类型（如“个人”）。电子邮箱在任何情况下"
                    "都不公开。"))

    guest_fields = ("name", "organization", "email")

    def __init__(self, *args, guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        limit = settings.CONSULTATION_MAX_COMMENT_CHARS
        for name in ("text", "proposed_change", "reason"):
            self.fields[name].widget.attrs["maxlength"] = str(limit)
            self.fields[name].validators.append(MaxLengthValidator(limit))
        self.fields["attachments"].help_text = _(
            "最多 %(count)s 个文件，每个不超过 %(size)s MB；PDF、Word（.docx）、Excel（.xlsx）"
            "或图片（PNG、JPEG）。") % {
            "count": settings.CONSULTATION_MAX_ATTACHMENTS,
            "size": settings.CONSULTATION_MAX_ATTACHMENT_BYTES // (1024 * 1024)}
        if guest:
            self.fields["name"] = forms.CharField(label=_("姓名"), max_length=100)
            self.fields["organization"] = forms.CharField(label=_("单位"), max_length=200)
            self.fields["email"] = forms.EmailField(
                label=_("电子邮箱"), help_text=_("我们会发送一封确认邮件；确认后意见才计入。"
                                             "邮箱不会公开。"))
            self.fields["name"].widget.attrs["autocomplete"] = "name"
            self.fields["organization"].widget.attrs["autocomplete"] = "organization"
            self.fields["email"].widget.attrs["autocomplete"] = "email"
            self.add_challenge()

    def comment_fields(self):
        return [self[name] for name in ("clause", "paragraph", "type", "text",
                                        "proposed_change", "reason", "attachments")]

    def person_fields(self):
        names = (*self.guest_fields, "commenter_type", "show_name") if self.guest else (
            "commenter_type", "show_name")
        return [self[name] for name in names]


class ImportForm(forms.Form):
    upload = forms.FileField(
        label=_("填好的意见表（.xlsx）"),
        help_text=_("请使用本页提供的模板；每行一条意见。任何一行有错时整个文件都不会导入，"
                    "并列出每处错误。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class ProposalForm(ChallengeMixin, forms.Form):
    """A proposal for a new local standard (公开征集立项建议)."""

    title = forms.CharField(label=_("建议的标准名称"), max_length=300)
    scope = _text(_("范围和主要技术内容"), required=True, rows=5, max_length=5000)
    reasons = _text(_("理由和依据"), required=True, rows=5, max_length=5000,
                    help_text=_("为什么需要这项地方标准，有哪些法规、政策或实际需要。"))
    administration = forms.ModelChoiceField(
        label=_("向哪个主管部门提出"), empty_label=_("请选择"),
        queryset=Organization.objects.filter(kind=Organization.Kind.ADMINISTRATION)
        .order_by("name"))
    name = forms.CharField(label=_("建议人"), max_length=100)
    organization = forms.CharField(label=_("单位"), max_length=200, required=False)
    email = forms.EmailField(label=_("电子邮箱"),
                             help_text=_("用于通知处理结果，不会公开。"))

    def __init__(self, *args, guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organization"].widget.attrs["autocomplete"] = "organization"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        if guest:
            self.add_challenge()
        else:
            # The service fills a blank name and address from the account.
            self.fields["name"].required = self.fields["email"].required = False
            self.fields["name"].help_text = _("不填时使用账户中的姓名。")
            self.fields["email"].help_text = _("不填时使用账户中的电子邮箱；用于通知处理结果，"
                                               "不会公开。")


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("电子邮箱"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    category = forms.ChoiceField(label=_("订阅内容"), choices=Subscription.Category.choices,
                                 initial=Subscription.Category.ALL)


class ConsultationFilterForm(forms.Form):
    """The list's filters (GET); an unknown value is ignored rather than refused."""

    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *Consultation.Kind.choices])
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), *Consultation.State.choices])

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"kind": "", "state": ""}
        return {"kind": self.cleaned_data["kind"], "state": self.cleaned_data["state"]}


class ProposalFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部")), *PublicProposal.State.choices])
