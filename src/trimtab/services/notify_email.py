"""Notification email over SMTP: ``TRIMTAB_SMTP_URL``, and a message with a plain-text and
an HTML part holding the drift table and the orders (docs/notifications.md)."""

from __future__ import annotations

import html
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from trimtab.errors import ConfigError

TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where mail goes: ``smtp://user:pass@host:port?starttls=1&from=addr`` (``smtps://`` for
    TLS from the first byte). Port 25 (``smtp``) or 465 (``smtps``) when not given."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool
    sender: str

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Raises ``ConfigError`` naming TRIMTAB_SMTP_URL when the URL cannot be used."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(
                "TRIMTAB_SMTP_URL must look like smtp://user:pass@host:port?from=addr",
                field="TRIMTAB_SMTP_URL",
            )
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ConfigError("TRIMTAB_SMTP_URL has a bad port", field="TRIMTAB_SMTP_URL") from None
        sender = query.get("from", [f"trimtab@{parts.hostname}"])[0]
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=parts.scheme == "smtps",
            starttls=query.get("starttls", ["0"])[0].lower() in TRUE,
            sender=sender,
        )


SUBJECTS = {
    "run_executed": "rebalance executed",
    "risk_blocked": "rebalance needed but blocked by risk",
    "order_rejected": "order rejected",
    "drift_past_band": "drift past band",
    "broker_failing": "broker connection failing",
    "test": "test notification",
}

DRIFT_COLUMNS = ("Symbol", "Target %", "Actual %", "Drift pp", "Action")
ORDER_COLUMNS = ("Side", "Symbol", "Qty", "Status", "Order id")


def subject(event: str, data: dict[str, Any]) -> str:
    title = SUBJECTS.get(event, event)
    run = f" (run {data['run_id']}: {data['status']})" if data.get("run_id") else ""
    return f"trimtab: {title}{run}"


def _pct(value: Any) -> str:
    return f"{float(value):.2f}"


def _signed(value: Any) -> str:
    return f"{float(value):+.2f}"


def _qty(value: Any) -> str:
    return format(float(value), "f").rstrip("0").rstrip(".") if value is not None else ""


def drift_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (
            row["symbol"],
            _pct(row["target_percent"]),
            _pct(row["actual_percent"]),
            _signed(row["drift_percent"]),
            row["action"],
        )
        for row in data.get("drift_analysis", [])
    ]


def order_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (o["side"], o["symbol"], _qty(o["qty"]), o["status"], o.get("order_id") or "")
        for o in data.get("orders", [])
    ]


def _summary(data: dict[str, Any]) -> list[str]:
    lines = []
    if data.get("run_id"):
        lines.append(f"Run {data['run_id']}, status {data['status']}")
    if data.get("portfolio_value") is not None:
        lines.append(f"Portfolio value: ${float(data['portfolio_value']):,.2f}")
    return lines


def _text_table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = [columns, *rows]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def plain_text(event: str, data: dict[str, Any]) -> str:
    parts = [str(data.get("message", "")), *_summary(data)]
    for title, columns, rows in (
        ("Drift", DRIFT_COLUMNS, drift_rows(data)),
        ("Orders", ORDER_COLUMNS, order_rows(data)),
    ):
        if rows:
            parts += ["", title, _text_table(columns, rows)]
    return "\n".join(parts) + "\n"


def _html_table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        f"<h3>{html.escape(title)}</h3>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def html_body(event: str, data: dict[str, Any]) -> str:
    parts = [f"<h2>{html.escape(subject(event, data))}</h2>"]
    parts.append(f"<p>{html.escape(str(data.get('message', '')))}</p>")
    parts += [f"<p>{html.escape(line)}</p>" for line in _summary(data)]
    for title, columns, rows in (
        ("Drift", DRIFT_COLUMNS, drift_rows(data)),
        ("Orders", ORDER_COLUMNS, order_rows(data)),
    ):
        if rows:
            parts.append(_html_table(title, columns, rows))
    return f"<html><body>{''.join(parts)}</body></html>"


def build_message(server: SmtpServer, to: str, event: str, data: dict[str, Any]) -> EmailMessage:
    """The email for one event: plain text first, HTML as the alternative."""
    message = EmailMessage()
    message["Subject"] = subject(event, data)
    message["From"] = server.sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=server.host)
    message.set_content(plain_text(event, data))
    message.add_alternative(html_body(event, data), subtype="html")
    return message


def send_email(server: SmtpServer, message: EmailMessage, *, timeout: float) -> None:
    """Hand ``message`` to the server; raises ``smtplib.SMTPException`` or ``OSError``."""
    client: smtplib.SMTP
    if server.implicit_tls:
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
    with client:
        if server.starttls and not server.implicit_tls:
            client.starttls(context=ssl.create_default_context())
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(message)
