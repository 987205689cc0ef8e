"""``/api/issues``."""

from fastapi import APIRouter

router = APIRouter(prefix="/issues", tags=["issues"])
