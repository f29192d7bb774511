def posted(request):
    """A form's data on POST, else None, so a GET shows an unbound form. An empty POST
    still binds, so it gets "this is needed" messages rather than a blank page."""
    return request.POST if request.method == "POST" else None
