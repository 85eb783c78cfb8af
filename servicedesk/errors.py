"""Domain errors. Services raise these; adapters translate them into words for the user."""


class DomainError(Exception):
    """Base class of every error the domain raises on purpose."""


class UnknownSearch(DomainError):
    """The search query referred to does not exist."""


class NotYourSearch(DomainError):
    """Someone tried to give feedback on another person's search."""
