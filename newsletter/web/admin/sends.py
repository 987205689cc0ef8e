"""The sends pages (admins only)."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin/sends", tags=["admin"])
