"""The small override the test suite runs with; everything else is config.settings."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-checks-0123"
)
os.environ.setdefault("DJANGO_SECURE", "0")
os.environ.setdefault("PORTAL_REQUIRE_MFA", "0")

from .settings import *  # noqa: F403
from .settings import BASE_DIR, STORAGES

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process in tests; the broker test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
# Each test process keeps its own cache, so no run sees another's (or a live portal's) entries.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / ".pytest_cache" / "private-media")},
    },
}
