"""API wiring only: one NinjaAPI; each app contributes a router from its own api.py."""

from ninja import NinjaAPI, Swagger

from biaozhun.api.errors import install_handlers
from biaozhun.catalog.api import router as catalog_router

api = NinjaAPI(
    title="标准化工作平台 API",
    version="1",
    description="开放接口：标准目录、分类、机构。只读接口无需认证。",
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI comes from django-ninja's bundled static files ("ninja" is an installed app),
    # never from a CDN; the online validator badge would call out to swagger.io, so it is off.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_handlers(api)
api.add_router("/", catalog_router)
api.add_router("/", "biaozhun.search.api.router")
api.add_router("/", "biaozhun.validity.api.router")
api.add_router("/", "biaozhun.projects.api.router")
api.add_router("/", "biaozhun.consultations.api.router")
