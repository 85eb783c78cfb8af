"""Database models, engine and sessions."""

from servicedesk.db.models import Base, Delivery, IssuedButton, SearchQuery, User
from servicedesk.db.session import Database

__all__ = ["Base", "Database", "Delivery", "IssuedButton", "SearchQuery", "User"]
