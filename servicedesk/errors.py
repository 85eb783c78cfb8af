"""Domain errors. Services raise these; adapters translate them into words for the user."""


class DomainError(Exception):
    """Base class of every error the domain raises on purpose."""


class UnknownSearch(DomainError):
    """The search query referred to does not exist."""


class NotYourSearch(DomainError):
    """Someone tried to give feedback on another person's search."""


class UnknownTicket(DomainError):
    """No ticket with that reference."""


class NotYourTicket(DomainError):
    """The ticket belongs to someone else."""


class InvalidTransition(DomainError):
    """The ticket's status does not allow this step (rating an open ticket, replying to junk)."""


class InvalidRating(DomainError):
    """Stars outside 1-5."""


class UnknownDraft(DomainError):
    """No such ticket draft for this person."""
