"""Statement intake API: /api/v1/intake/..."""

from ninja import Router

router = Router(tags=["intake"])
