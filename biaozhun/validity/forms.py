"""The check form: pasted text or one file, and the date to check as of."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biaozhun.validity.documents import EXTENSIONS


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("粘贴文本或标准号清单（每行一个）"), required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "GB/T 1.1-2020\nGB 2760-2014"}))
    file = forms.FileField(
        label=_("或上传文件"), required=False,
        help_text=_("支持 .txt、.docx、.pdf（带文字层）、.xlsx、.csv"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in EXTENSIONS)}))
    as_of = forms.DateField(
        label=_("核查日期"), required=False,
        help_text=_("默认今天；可填合同签订日期等，按当日的标准状态核查。"),
        widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if bool((data.get("text") or "").strip()) == bool(data.get("file")):
            raise forms.ValidationError(_("请粘贴文本或上传一个文件（二者选一）。"))
        data["as_of"] = data.get("as_of") or timezone.localdate()
        return data


class WatchListForm(forms.Form):
    name = forms.CharField(label=_("清单名称"), max_length=200, required=False)
