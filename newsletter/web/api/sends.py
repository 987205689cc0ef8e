"""``/api/sends``."""

from fastapi import APIRouter

router = APIRouter(prefix="/sends", tags=["sends"])
