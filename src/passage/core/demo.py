"""The demo operation that `make run` loads on first start: realistic names, every programme type, one user per role.

Idempotent: running it again adds what is missing and changes nothing else. The demo password is
generated once per installation and kept in DATA_DIR/demo-credentials.txt (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.core import actions
from passage.core.models import Membership, Office, Operation, Programme, Role, User

DEMO_DEVICE_NAME = "demo authenticator"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str


DEMO_USERS = (
    DemoUser("clerk", "Zainab", "Hussein", "registration_clerk"),
    DemoUser("caseworker", "Omar", "Al-Rubaie", "caseworker"),
    DemoUser("claims", "Layla", "Kareem", "claims_officer"),
    DemoUser("finance", "Ahmed", "Salih", "finance_officer"),
    DemoUser("movement", "Sara", "Yousif", "movement_officer"),
    DemoUser("dataofficer", "Karwan", "Aziz", "data_officer"),
    DemoUser("meofficer", "Nour", "Jabbar", "me_officer"),
    DemoUser("feedback", "Huda", "Mahdi", "feedback_focal_point"),
    DemoUser("dpo", "Amira", "Haddad", "data_protection_officer"),
    DemoUser("admin", "Daniel", "Okafor", "administrator"),
)

OFFICES = (
    ("BGW", "Baghdad", "Baghdad"),
    ("EBL", "Erbil", "Erbil"),
    ("MSL", "Mosul", "Ninewa"),
    ("BSR", "Basra", "Basra"),
)

PROGRAMMES = (
    ("YAZ-REP", "Reparations for survivors of ISIL crimes", "reparations", ["Government of Germany", "EU"]),
    ("PDA", "Protection and direct assistance to vulnerable migrants", "protection", ["EU"]),
    ("CT-IRQ", "Counter-trafficking: identification and assistance", "counter_trafficking", ["US State J/TIP"]),
    ("AVRR", "Assisted voluntary return and reintegration", "return_reintegration", ["EU", "Government of Italy"]),
    ("RSP", "Resettlement support: case processing and movements", "resettlement", ["Government of Canada"]),
    ("IDP-WINTER", "IDP winterisation and relief", "idp_relief", ["UK FCDO", "CERF"]),
    ("CSP-NIN", "Community stabilisation in Ninewa", "community_stabilisation", ["Government of Japan"]),
    ("DDR", "Reintegration of former combatants", "former_combatants", ["UN Peacebuilding Fund"]),
    ("OCV", "Out-of-country voting registration", "out_of_country_voting", ["Independent High Electoral Commission"]),
    ("MEDEVAC", "Medical evacuation for war-wounded", "medical_evacuation", ["ECHO"]),
    ("LMM", "Fair recruitment and labour mobility", "labour_migration", ["Government of Switzerland"]),
)


def credentials_path() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.txt"


def demo_password() -> str:
    path = credentials_path()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("password:"):
                return line.split(":", 1)[1].strip()
    password = "-".join(secrets.token_hex(3) for _ in range(3))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"password: {password}\n")
    return password


@transaction.atomic
def load_demo() -> Operation:
    """Create (or complete) the demo operations, offices, programmes and users."""
    iraq = Operation.objects.filter(code="demo-irq").first() or actions.create_operation(
        acting_user=None, code="demo-irq", name="Iraq (demo)", country="IQ"
    )
    libya = Operation.objects.filter(code="demo-lby").first() or actions.create_operation(
        acting_user=None, code="demo-lby", name="Libya (demo)", country="LY"
    )
    for code, name, place in OFFICES:
        if not Office.objects.filter(operation=iraq, code=code.lower()).exists():
            actions.create_office(operation=iraq, acting_user=None, code=code.lower(), name=name, place=place)
    if not Office.objects.filter(operation=libya, code="tip").exists():
        actions.create_office(operation=libya, acting_user=None, code="tip", name="Tripoli", place="Tripoli")
    start = dt.date(2025, 1, 1)
    for index, (code, name, kind, donors) in enumerate(PROGRAMMES):
        if not Programme.objects.filter(operation=iraq, code=code.lower()).exists():
            actions.create_programme(
                operation=iraq,
                acting_user=None,
                code=code.lower(),
                name=name,
                type=kind,
                status="active" if index < 9 else "planned",
                start_date=start,
                end_date=dt.date(2027, 12, 31),
                donors=donors,
            )
    if not Programme.objects.filter(operation=libya, code="avrr").exists():
        actions.create_programme(
            operation=libya,
            acting_user=None,
            code="avrr",
            name="Voluntary humanitarian return",
            type="return_reintegration",
            status="active",
            start_date=start,
            donors=["EU"],
        )

    password = demo_password()
    roles = {role.code: role for role in Role.objects.all()}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user, _ = actions.create_user(
                acting_user=None,
                operation=iraq,
                username=spec.username,
                role=roles[spec.role],
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.passage.invalid",
                password=password,
            )
        if roles[spec.role].requires_two_factor and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
    # Two demo users work in both operations, to show the operation switcher.
    for username, role in (("admin", "administrator"), ("caseworker", "caseworker")):
        user = User.objects.get(username=username)
        if not Membership.objects.filter(user=user, operation=libya, role=roles[role]).exists():
            actions.grant_role(acting_user=None, user=user, operation=libya, role=roles[role])
    return iraq


def demo_lines() -> list[str]:
    """How to sign in, for the terminal."""
    password = demo_password()
    lines = ["Demo users (password for all: " + password + "):"]
    for spec in DEMO_USERS:
        role = Role.objects.get(code=spec.role)
        extra = ""
        if role.requires_two_factor:
            extra = f"  + code from `passage totp {spec.username}` (two-factor)"
        lines.append(f"  {spec.username:<12} {role.name}{extra}")
    return lines


def current_demo_code(username: str) -> str:
    """The current code of a demo user's authenticator (demo devices only, never a real person's)."""
    from django_otp.oath import TOTP

    device = TOTPDevice.objects.get(user__username=username, name=DEMO_DEVICE_NAME)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
