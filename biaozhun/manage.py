"""The `biaozhun` console script: Django's manage.py under the project's name."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv or sys.argv)
    except ImproperlyConfigured as exc:
        # A missing or malformed setting is the operator's to fix: say which, not a traceback.
        sys.exit(f"biaozhun: configuration error: {exc}")


if __name__ == "__main__":
    main()
