"""Flask extensions, created unbound and attached in `create_app`."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@contextmanager
def atomic() -> Iterator[None]:
    """A service operation's one transaction: commit when the block succeeds, roll back when it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def planner_setting(name: str, value: str) -> Iterator[None]:
    """A planner setting (`enable_bitmapscan`, `enable_sort`) for the statements inside only: set for
    the transaction, and the transaction's own value put back after."""
    was = db.session.execute(text("SELECT current_setting(:name)"), {"name": name}).scalar_one()
    db.session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})
    try:
        yield
    finally:
        db.session.execute(text("SELECT set_config(:name, :was, true)"), {"name": name, "was": was})
