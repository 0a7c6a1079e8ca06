"""``trimtab notify show|set|test|deliveries``: what the user is told about, and where."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console
from trimtab.cli.common import View, json_option, user_option
from trimtab.services import notifications
from trimtab.services.notifications import DEFAULT_EVENTS, DeliveryList, NotificationPrefs
from trimtab.wording import counted

notify_app = typer.Typer(
    help="Notifications by email and signed webhook (docs/notifications.md).",
    no_args_is_help=True,
)
app.add_typer(notify_app, name="notify")


def _render_prefs(prefs: NotificationPrefs) -> None:
    console.print(f"events:  {', '.join(prefs.events) or '(none)'}")
    email = prefs.email or "(none)"
    if prefs.email and not prefs.email_available:
        email += " [yellow](not sent: the server has no TRIMTAB_SMTP_URL)[/yellow]"
    console.print(f"email:   {email}", highlight=False)
    secret = "secret set" if prefs.webhook_secret_set else "no secret"
    hook = f"{prefs.webhook_url} ({secret})" if prefs.webhook_url else "(none)"
    console.print(f"webhook: {hook}", highlight=False)
    if prefs.webhook_secret:
        console.print(
            f"[bold]Webhook signing secret (shown once):[/bold] {prefs.webhook_secret}",
            highlight=False,
            soft_wrap=True,
        )


PREFS = View(_render_prefs)
PREFS.show_command(
    notify_app,
    notifications.get_preferences,
    help="Show the events chosen, the email address and the webhook URL.",
)


@notify_app.command("set")
def set_notify(
    events: str | None = typer.Option(
        None,
        "--events",
        help=f"Comma-separated events to be told about, of: {', '.join(DEFAULT_EVENTS)}.",
    ),
    email: str | None = typer.Option(None, "--email", help='Email address ("" removes it).'),
    webhook_url: str | None = typer.Option(
        None, "--webhook-url", help='http(s) URL that receives signed POSTs ("" removes it).'
    ),
    rotate_secret: bool = typer.Option(
        False, "--rotate-secret", help="Make a new webhook signing secret (printed once)."
    ),
    as_json: bool = json_option(),
    user: str | None = user_option(),
) -> None:
    """Change preferences; options left out keep their value."""
    chosen = [e.strip() for e in events.split(",") if e.strip()] if events is not None else None
    PREFS.show(
        notifications.set_preferences,
        user,
        as_json,
        events=chosen,
        email=email,
        webhook_url=webhook_url,
        rotate_secret=rotate_secret,
    )


def _render_deliveries(listing: DeliveryList) -> None:
    rows = listing.deliveries
    if not rows:
        console.print("No deliveries yet.")
    for row in rows:
        code = f" HTTP {row.status_code}" if row.status_code else ""
        retry = f", next try {row.next_retry_at.isoformat()}" if row.next_retry_at else ""
        error = f" — {row.error}" if row.error else ""
        console.print(
            f"#{row.id} {row.created_at.isoformat()} {row.event} → {row.channel} "
            f"{row.target}: {row.status} after {counted(row.attempts, 'attempt')}"
            f"{code}{retry}{error}",
            highlight=False,
            soft_wrap=True,
        )


DELIVERIES = View(_render_deliveries)


@notify_app.command("test")
def send_test(as_json: bool = json_option(), user: str | None = user_option()) -> None:
    """Send a test notification to each channel set and show how it went."""
    DELIVERIES.show(notifications.send_test, user, as_json)


@notify_app.command("deliveries")
def deliveries(
    limit: int = typer.Option(20, min=1, max=200, help="How many, newest first."),
    as_json: bool = json_option(),
    user: str | None = user_option(),
) -> None:
    """The delivery log: status, attempts, HTTP status, error and next retry of each."""
    DELIVERIES.show(notifications.list_deliveries, user, as_json, limit=limit)
