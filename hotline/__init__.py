"""Safeline hotline service: Twilio gateway, conversation router, simulator."""
