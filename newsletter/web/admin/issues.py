"""Issues: the list, the composer, the preview with its checks, approval, scheduling."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin/issues", tags=["admin"])
