"""Error pages in plain words. The 500 and 503 pages are rendered without context
processors or database queries, because the database may be what failed."""

import logging

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisUnavailable
from redis.exceptions import TimeoutError as RedisTimeout

logger = logging.getLogger(__name__)

# Redis (the cache behind sign-in rate limits, and the broker) or the broker not answering.
OUTAGES = (RedisUnavailable, RedisTimeout, BrokerUnavailable)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())


def service_unavailable(request=None):
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """A Redis or broker outage while answering a request gives the plain "please try
    again in a few minutes" page (503), not an error. Sign-in stays closed while the rate
    limits cannot be counted: letting people in without them would let anyone guess
    passwords freely for as long as Redis is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGES):
            return None
        logger.error(
            "Redis or the broker is not answering: %s answered 503",
            request.path,
            exc_info=exception,
        )
        return service_unavailable(request)
