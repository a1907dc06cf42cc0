"""Classified information release: national schemes and their equivalents, release decisions
with hub routes and originator consent, STANAG 4774-style labels bound by Ed25519 signatures,
and the hash-chained release register. The domain modules here import nothing from the command
line or storage; `register.py` is the one service that talks to the database."""
