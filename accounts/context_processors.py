from accounts.selectors import navigation_for


def navigation(request) -> dict:
    return {"nav": navigation_for(request.user)}
