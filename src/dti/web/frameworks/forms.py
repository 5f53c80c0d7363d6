from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Framework file (YAML, or the appendix workbook .xlsx)"), required=False
    )
    text = forms.CharField(label=_("or paste the YAML"), widget=forms.Textarea, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                raise forms.ValidationError(_("The file is too large."))
            data["name"] = upload.name
            if upload.name.lower().endswith(".xlsx"):
                # (read by the service from the upload's temporary file, bounded)
                data["workbook"] = upload
                return data
            try:
                data["yaml"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
            data["name"] = upload.name
        elif data.get("text"):
            data["yaml"], data["name"] = data["text"], "pasted.yaml"
        else:
            raise forms.ValidationError(_("Choose a file or paste the YAML."))
        return data
