def posted(request):
    """A form's data on POST, else None, so a GET shows an unbound form. An empty POST
    still binds, so it gets "this is needed" messages rather than a blank page."""
    return request.POST if request.method == "POST" else None


def add_refusal(form, error) -> None:
    """A service's refusal (ValidationError) shown on the form: each message next to the
    field it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
