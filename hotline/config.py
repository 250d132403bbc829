"""Settings from the environment (the names are a fixed interface, see README)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TWILIO_DEFAULT_API_BASE_URL = "https://api.twilio.com"
# Simulator mode: a fixed fake account; its auth token is generated into var/.
SIMULATOR_ACCOUNT_SID = "AC" + "5" * 32


@dataclass(frozen=True)
class Settings:
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_api_base_url: str
    public_base_url: str
    database_url: str
    port: int
    rasa_url: str
    rasa_tracker_db_url: str  # Rasa's own database, reached only to erase a texter's data
    secret_key: str
    # The deployment's own {emergency_text} / {hotline_text}, in every language; None: the
    # translated defaults of hotline/content/service_messages.yml.
    emergency_text: str | None
    hotline_text: str | None
    simulator_mode: bool
    production: bool
    var_dir: Path
    rasa_timeout_seconds: float = 5.0
    max_text_length: int = 1600

    @property
    def status_callback_url(self) -> str:
        return f"{self.public_base_url}/twilio/status"


def _secret_from_file(path: Path) -> str:
    """A development secret, generated once and kept in var/ (never in production)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("HOTLINE_VAR_DIR") or REPO_ROOT / "var")
    production = env.get("HOTLINE_ENV", "development") == "production"

    secret_key = env.get("HOTLINE_SECRET_KEY", "")
    if not secret_key:
        if production:
            raise RuntimeError("HOTLINE_SECRET_KEY must be set when HOTLINE_ENV=production")
        secret_key = _secret_from_file(var_dir / "secret_key")

    public_base_url = env.get("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")
    account_sid = env.get("TWILIO_ACCOUNT_SID", "")
    auth_token = env.get("TWILIO_AUTH_TOKEN", "")
    simulator_mode = not (account_sid and auth_token)
    if simulator_mode:
        if production:
            raise RuntimeError("Twilio credentials must be set when HOTLINE_ENV=production")
        account_sid = SIMULATOR_ACCOUNT_SID
        auth_token = _secret_from_file(var_dir / "simulator_auth_token")
        default_api = f"{public_base_url}/simulator/twilio"
    else:
        default_api = TWILIO_DEFAULT_API_BASE_URL

    return Settings(
        twilio_account_sid=account_sid,
        twilio_auth_token=auth_token,
        twilio_api_base_url=env.get("TWILIO_API_BASE_URL", default_api).rstrip("/"),
        public_base_url=public_base_url,
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'hotline.db'}",
        port=int(env.get("HOTLINE_PORT", "8000")),
        rasa_url=env.get("RASA_URL", "http://localhost:5005").rstrip("/"),
        # Where bot.tracker_store.LocalSQLTrackerStore puts Rasa's SQLite file.
        rasa_tracker_db_url=env.get("RASA_TRACKER_DB_URL")
        or f"sqlite:///{var_dir / 'rasa-tracker.db'}",
        secret_key=secret_key,
        emergency_text=env.get("HOTLINE_EMERGENCY_TEXT") or None,
        hotline_text=env.get("HOTLINE_CONTACT_TEXT") or None,
        simulator_mode=simulator_mode,
        production=production,
        var_dir=var_dir,
        rasa_timeout_seconds=float(env.get("RASA_TIMEOUT_SECONDS", "5")),
    )
