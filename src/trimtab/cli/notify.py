"""``trimtab notify show|set|test|deliveries``: what the user is told about, and where."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import View, acting_user, open_context, user_option
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


PREFS = View(lambda prefs: prefs, _render_prefs)


@notify_app.command("show")
def show(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    user: str | None = user_option(),
) -> None:
    """Show the events chosen, the email address and the webhook URL."""
    PREFS.show(notifications.get_preferences, user, as_json)


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
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    user: str | None = user_option(),
) -> None:
    """Change preferences; options left out keep their value."""
    chosen = [e.strip() for e in events.split(",") if e.strip()] if events is not None else None
    with exit_on_error():
        ctx = open_context()
        prefs = notifications.set_preferences(
            ctx,
            acting_user(ctx, user).id,
            events=chosen,
            email=email,
            webhook_url=webhook_url,
            rotate_secret=rotate_secret,
        )
    PREFS.print(prefs, as_json)


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


DELIVERIES = View(lambda listing: listing, _render_deliveries)


@notify_app.command("test")
def send_test(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    user: str | None = user_option(),
) -> None:
    """Send a test notification to each channel set and show how it went."""
    with exit_on_error():
        ctx = open_context()
        listing = notifications.send_test(ctx, acting_user(ctx, user).id)
    DELIVERIES.print(listing, as_json)


@notify_app.command("deliveries")
def deliveries(
    limit: int = typer.Option(20, min=1, max=200, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    user: str | None = user_option(),
) -> None:
    """The delivery log: status, attempts, HTTP status, error and next retry of each."""
    with exit_on_error():
        ctx = open_context()
        listing = notifications.list_deliveries(ctx, acting_user(ctx, user).id, limit=limit)
    DELIVERIES.print(listing, as_json)
