"""The versioned REST API (/api/v1/), assembled from each app's router."""

from ninja import NinjaAPI

from stabforce import __version__

api = NinjaAPI(
    title="stabforce API",
    version=f"v1 ({__version__})",
    urls_namespace="api-v1",
    docs_url=None,
)


@api.get("/health", auth=None, tags=["system"], summary="Liveness and version")
def health(request):
    from django.db import connection

    return {"status": "ok", "database": connection.vendor, "version": __version__}
