"""The only code that reads or writes contacts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hotline.contacts.models import Contact
from hotline.crypto import Vault

WHATSAPP_PREFIX = "whatsapp:"


def split_address(twilio_address: str) -> tuple[str, str]:
    """Twilio's `From` → (channel, address): `whatsapp:+41…` is WhatsApp, anything else SMS."""
    if twilio_address.lower().startswith(WHATSAPP_PREFIX):
        return "whatsapp", twilio_address[len(WHATSAPP_PREFIX) :]
    return "sms", twilio_address


def twilio_address(channel: str, address: str) -> str:
    return f"{WHATSAPP_PREFIX}{address}" if channel == "whatsapp" else address


def get_or_create(session: Session, vault: Vault, channel: str, address: str) -> Contact:
    contact_id = vault.pseudonym(channel, address)
    contact = session.get(Contact, contact_id)
    if contact is None:
        contact = Contact(
            id=contact_id,
            channel=channel,
            address_encrypted=vault.encrypt(address),
            opted_out=False,
        )
        session.add(contact)
        session.flush()
    return contact


def reply_address(vault: Vault, contact: Contact) -> str:
    """The address to send to, as Twilio expects it (decrypted only at the moment of sending)."""
    return twilio_address(contact.channel, vault.decrypt(contact.address_encrypted))


def set_opted_out(contact: Contact, opted_out: bool) -> None:
    contact.opted_out = opted_out


def masked(address: str) -> str:
    """What an operator sees by default: the country part and the last two digits."""
    if len(address) <= 6:
        return "•" * len(address)
    return address[:3] + "•" * (len(address) - 5) + address[-2:]
