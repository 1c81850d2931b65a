from django.conf import settings


def site(request):
    """Site-wide template values: the name and whether the sample catalogue is loaded."""
    return {"SITE_NAME": settings.SITE_NAME, "SAMPLE_DATA": settings.BIAOZHUN_SAMPLE_DATA}
