"""Sign-in: allauth's pages do the rest (a person's own pages are portal/views.py)."""

from allauth.account import views as allauth_views


class LoginView(allauth_views.LoginView):
    """allauth's sign-in page, answering 429 Too Many Requests when an account's failed
    attempts hit the rate limit, so clients and monitoring can tell it apart."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        return response
