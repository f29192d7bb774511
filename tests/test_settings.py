"""Settings come from the environment; production refuses to start half-configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(64)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "TRUSTED_PROXY_COUNT",
            "TRUSTED_CLIENT_IP_HEADER",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "ALONGSIDE_ENV": "production",
    "ALLOWED_HOSTS": "alongside.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "TRUSTED_PROXY_COUNT": "1",
    "FIELD_ENCRYPTION_KEYS": "Nb7T3p1m3xn4P0eYy1cJ3ZfQyq6fQh0mQ9w1Lrj2XU8=",
}


def test_it_passes_the_deploy_checks_in_production_mode():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECRET_KEY=STRONG_KEY
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short",
        "local-only-insecure-key-for-the-alongside-demo",
        "django-insecure-" + "x" * 60,
        "a" * 80,
    ],
    ids=["missing", "short", "the-local-default", "django-insecure", "repetitive"],
)
def test_it_refuses_to_start_production_without_a_real_secret_key(key):
    result = manage("check", **PRODUCTION, SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_production_without_allowed_hosts():
    env = {**PRODUCTION, "ALLOWED_HOSTS": ""}
    result = manage("check", **env, SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(
    "keys",
    ["", "YWxvbmdzaWRlLWxvY2FsLWRlbW8tb25seS1rZXktMzI=", "not-a-key"],
    ids=["missing", "the-local-default", "malformed"],
)
def test_it_refuses_to_start_production_without_a_key_for_bank_details(keys):
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": keys}
    result = manage("check", **env, SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_it_refuses_debug_in_production():
    result = manage("check", **PRODUCTION, SECRET_KEY=STRONG_KEY, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_it_explains_a_setting_it_cannot_read():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_it_runs_locally_with_nothing_set():
    result = manage("check")
    assert result.returncode == 0, result.stderr


def test_it_sends_security_headers(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
