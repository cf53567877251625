"""WSGI entry point: ``granian --interface wsgi --blocking-threads 1 shouwang.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
application = get_wsgi_application()
