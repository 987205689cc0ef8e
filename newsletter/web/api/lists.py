"""``/api/lists``."""

from fastapi import APIRouter

router = APIRouter(prefix="/lists", tags=["lists"])
