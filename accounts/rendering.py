from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form, ours and allauth's, renders with one accessible layout: an error summary
    at the top, and each field's label, hint and message together."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
