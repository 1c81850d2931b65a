from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "biaozhun.consultations"
    verbose_name = _("公众参与")

    def ready(self):
        # Comment periods are stages of projects: keep them in step, and refuse technical
        # review while any comment is unanswered (issue #7).
        from biaozhun.consultations import audit, integration
        from biaozhun.core.audit import register_verifier

        integration.connect()
        # `verify_audit` (in projects, which never imports this app) finds it in the registry.
        register_verifier("consultations", audit.verify_all)
