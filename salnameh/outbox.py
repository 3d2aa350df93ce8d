"""Letters to agencies: sent by SMTP when it is configured, else written as .eml files.

SMTP is configured with SALNAMEH_SMTP_HOST (and optionally SALNAMEH_SMTP_PORT,
SALNAMEH_SMTP_USER, SALNAMEH_SMTP_PASSWORD, SALNAMEH_SMTP_FROM). Without it, every letter
is a standard .eml file in <home>/outbox, which any mail program opens and sends.
"""

from __future__ import annotations

import mimetypes
import os
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

SENDER = "salnameh@mpo.example"


@dataclass(frozen=True)
class Letter:
    to: list[str]
    subject: str
    body: str
    attachments: list[Path] = field(default_factory=list)


def message(letter: Letter) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = os.environ.get("SALNAMEH_SMTP_FROM", SENDER)
    mail["To"] = ", ".join(letter.to) or "undisclosed-recipients:;"
    mail["Subject"] = letter.subject
    mail["Message-ID"] = make_msgid(domain="salnameh")
    mail.set_content(letter.body)  # UTF-8: Persian travels as it is
    for path in letter.attachments:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return mail


def deliver(letter: Letter, outbox: Path, name: str) -> str:
    """Send or file the letter; returns where it went."""
    mail = message(letter)
    host = os.environ.get("SALNAMEH_SMTP_HOST")
    if host and letter.to:
        with smtplib.SMTP(
            host, int(os.environ.get("SALNAMEH_SMTP_PORT", "25")), timeout=30
        ) as smtp:
            if os.environ.get("SALNAMEH_SMTP_USER"):
                smtp.starttls()
                smtp.login(os.environ["SALNAMEH_SMTP_USER"], os.environ["SALNAMEH_SMTP_PASSWORD"])
            smtp.send_message(mail)
        return f"smtp:{mail['Message-ID']}"
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{name}.eml"
    path.write_bytes(bytes(mail))
    return str(path)
