"""What route handlers get from the application: the database and the sign-in throttle."""

from typing import Annotated

from fastapi import Depends, Form, Path, Request

from console.throttle import LoginThrottle
from servicedesk.db import Database
from servicedesk.identifiers import MAX_ID


def database(request: Request) -> Database:
    return request.app.state.database


def throttle(request: Request) -> LoginThrottle:
    return request.app.state.throttle


DB = Annotated[Database, Depends(database)]
Throttle = Annotated[LoginThrottle, Depends(throttle)]
FormText = Annotated[str, Form()]
# A ticket's or contest's number in a path; any other is answered "no such page".
RowNumber = Annotated[int, Path(ge=1, le=MAX_ID)]
