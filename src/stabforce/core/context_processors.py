from django.conf import settings


def stabforce(request):
    """Values every page needs: version, profile and the optional tile URL."""
    return {
        "stabforce_version": settings.STABFORCE_VERSION,
        "map_tile_url": settings.STABFORCE_MAP_TILE_URL,
    }
