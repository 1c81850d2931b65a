"""`{% field_input field %}`: a form widget whose aria-describedby names its help text and
errors (and optionally the form's own error block), so screen readers read them with the
field."""

from django import template

register = template.Library()


@register.simple_tag
def field_input(field, form_errors_id=""):
    described_by = []
    if form_errors_id and field.form.non_field_errors():
        described_by.append(form_errors_id)
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else {}
    return field.as_widget(attrs=attrs)
