"""The lists pages (admins only)."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin/lists", tags=["admin"])
