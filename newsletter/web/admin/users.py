"""The users pages (admins only)."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin/users", tags=["admin"])
