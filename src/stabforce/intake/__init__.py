"""Intake: turning public statements (news wires, official remarks, uploads) into claims.

The extraction core lives in :mod:`stabforce.intake.extract`; it is pure Python (no Django) so
it can be tested, evaluated and reused on its own. See ``docs/intake.md``.
"""
