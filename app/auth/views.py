"""Session login and logout pages."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app import accounts
from app.auth import bp
from app.auth.security import authenticate
from app.extensions import limiter


class LoginForm(FlaskForm):
    email = EmailField(_l("อีเมล"), validators=[DataRequired(_l("กรุณากรอกอีเมล")), Length(max=254)])
    password = PasswordField(_l("รหัสผ่าน"), validators=[DataRequired(_l("กรุณากรอกรหัสผ่าน")), Length(max=500)])


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so a login link cannot redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return url_for("web.home")
    return target


def account_key() -> str:
    """The per-account rate-limit key of a login attempt: the e-mail it names (hashed), known or not,
    so that clients sharing one address (behind a proxy) cannot try one account from many addresses
    faster than the per-account limit, and the limit itself does not tell which accounts exist."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=account_key)
def login():
    """Show the login form; sign in on a valid POST."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            accounts.sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        current_app.logger.info("failed login")
        flash(_l("อีเมลหรือรหัสผ่านไม่ถูกต้อง"), "error")
        return render_template("login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session (POST only, with CSRF, so a link cannot log someone out), and every copy of its
    cookie: the account's session generation moves on."""
    if current_user.is_authenticated and not g.get("auth_by_token"):
        accounts.end_all_sessions(current_user)
    logout_user()
    return redirect(url_for("auth.login"))
