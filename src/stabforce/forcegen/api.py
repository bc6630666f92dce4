"""Force-generation API: /api/v1/forcegen/..."""

from ninja import Router

router = Router(tags=["forcegen"])
