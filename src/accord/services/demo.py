"""`accord demo`: two years of allied logistics support, made up but made like the real thing.

From October 2024 to September 2026 (US fiscal years 2025 and 2026), forces of the United
States, Japan, Korea and Australia support each other under the agreements in force between
them: ships' port visits all along (routine), two iterations of a multinational exercise
(*Pacific Sentinel 25* in Japan and Korea, *Pacific Sentinel 26* in Australia and Japan), and a
humanitarian relief operation after a typhoon (*Operation Kind Tide*, late 2025). Orders are
proposed, signed by both parties' officials with their own Ed25519 keys, delivered (sometimes
in part), billed and settled in cash, by replacement in kind (RIK) or by an exchange of equal
value (EVE); a loan comes back. As of 30 September 2026 some settlements are overdue, one order
still waits for the supplier's signature, and one request was refused because no agreement
allowed it (Japan supplying fuel to Korea's navy: there is no ACSA between them).

Exchange rates are data: Japan's fixed rate for each Japanese fiscal year (used by the
Japan-US ACSA), and monthly rates for the Korean won and the Australian dollar.

Everything comes from the seed: the same seed makes the same books. The whole history is one
command with one idempotency key (`demo:SEED`), written in one transaction: a second run with
the same seed on the same database adds nothing. The officials' private keys are kept in the
key folder (`ACCORD_KEYS_DIR`, as `accord officials add` keeps them), never in the database.

`sample_rows` makes order rows for `accord orders import` files from the same reference data
(the import benchmark and tests use it).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.logistics import money
from accord.logistics.order import SUPPLY_CATEGORIES

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from accord.services.agreement_check import AgreementCheck
    from accord.services.logistics import Books

START = dt.date(2024, 10, 1)
END = dt.date(2026, 9, 30)
NATIONS = ("USA", "JPN", "KOR", "AUS")
CURRENCY = {"USA": "USD", "JPN": "JPY", "KOR": "KRW", "AUS": "AUD"}
# Rough value of one unit of each currency in US dollars (to price items in the supplier's
# currency); the recorded rates below move around these.
USD_VALUE = {
    "USD": Decimal(1),
    "JPY": Decimal("0.0068"),
    "KRW": Decimal("0.00073"),
    "AUD": Decimal("0.66"),
}

UNITS: dict[str, tuple[str, ...]] = {
    "USA": (
        "III Marine Expeditionary Force",
        "Logistics Group Western Pacific, 7th Fleet",
        "19th Expeditionary Sustainment Command",
        "18th Wing, Kadena Air Base",
        "USS America (LHA 6)",
    ),
    "JPN": (
        "JGSDF Western Army",
        "JMSDF Escort Flotilla 1",
        "JASDF 3rd Air Wing, Misawa",
        "JGSDF Amphibious Rapid Deployment Brigade",
        "JS Izumo (DDH-183)",
    ),
    "KOR": (
        "ROK Army 2nd Operational Command",
        "ROK Navy 3rd Fleet",
        "ROKAF 11th Fighter Wing",
        "ROK Marine Corps 1st Division",
        "ROKS Dokdo (LPH-6111)",
    ),
    "AUS": (
        "1st Division, Australian Army",
        "HMAS Canberra (L02)",
        "No. 1 Expeditionary Health Squadron, RAAF",
        "Joint Logistics Unit North",
        "2nd Commando Regiment",
    ),
}
PLACES: dict[str, tuple[str, ...]] = {
    "USA": ("Naval Base Guam", "Andersen Air Force Base, Guam", "Joint Base Pearl Harbor-Hickam"),
    "JPN": (
        "Yokosuka Naval Base",
        "Hijudai Maneuver Area, Oita",
        "Camp Hansen, Okinawa",
        "Misawa Air Base",
        "Sasebo Naval Base",
    ),
    "KOR": (
        "Busan Naval Base",
        "Camp Humphreys, Pyeongtaek",
        "Pohang, Dogu beach",
        "Rodriguez Live Fire Complex, Pocheon",
    ),
    "AUS": (
        "Shoalwater Bay Training Area, Queensland",
        "Townsville Field Training Area",
        "RAAF Base Darwin",
        "HMAS Stirling, Western Australia",
    ),
}


@dataclass(frozen=True, slots=True)
class Item:
    category: str
    description: str
    unit: str
    usd: Decimal  # typical unit price in US dollars
    quantity: tuple[int, int]  # typical range ordered
    nsn: str | None = None


ITEMS: tuple[Item, ...] = (
    Item(
        "fuel",
        "JP-8 aviation turbine fuel",
        "LI",
        Decimal("0.86"),
        (4000, 120000),
        "9130-01-031-5816",
    ),
    Item(
        "fuel",
        "F-76 naval distillate fuel",
        "LI",
        Decimal("0.79"),
        (20000, 400000),
        "9140-00-273-2377",
    ),
    Item("fuel", "Diesel fuel, DF-2", "LI", Decimal("0.74"), (2000, 60000), "9140-00-286-5294"),
    Item("food", "Hot meals from the field kitchen", "ML", Decimal("9.50"), (300, 12000)),
    Item("food", "Combat rations, one meal", "ML", Decimal("12.40"), (200, 9000)),
    Item("food", "Fresh provisions", "KG", Decimal("6.20"), (100, 5000)),
    Item("water", "Potable water, bulk delivery", "LI", Decimal("0.02"), (10000, 500000)),
    Item("water", "Bottled water", "LI", Decimal("0.45"), (500, 20000)),
    Item("billeting", "Barracks lodging", "PD", Decimal("36.00"), (50, 4000)),
    Item("billeting", "Tent space with power", "PD", Decimal("18.00"), (50, 3000)),
    Item("transportation", "Bus transport of troops", "KM", Decimal("3.10"), (100, 4000)),
    Item("transportation", "Heavy equipment transport", "KM", Decimal("7.40"), (50, 2000)),
    Item("transportation", "C-130 airlift sortie", "SO", Decimal("18500"), (1, 6)),
    Item("port-services", "Pilotage and tug services", "LO", Decimal("4600"), (1, 4)),
    Item("port-services", "Berthing and shore power", "DA", Decimal("2200"), (1, 8)),
    Item("medical", "Outpatient care", "HR", Decimal("120"), (2, 200)),
    Item("medical", "Aeromedical evacuation", "SO", Decimal("9200"), (1, 3)),
    Item(
        "spare-parts",
        "Brake shoe set, tactical vehicle",
        "SE",
        Decimal("410"),
        (2, 40),
        "2530-01-526-8291",
    ),
    Item(
        "spare-parts",
        "Tire, pneumatic 37x12.50R16.5",
        "EA",
        Decimal("690"),
        (2, 30),
        "2610-01-523-2690",
    ),
    Item(
        "spare-parts", "Filter element, fluid", "EA", Decimal("38"), (10, 400), "2940-01-468-4474"
    ),
    Item("repair-maintenance", "Vehicle maintenance, field level", "HR", Decimal("85"), (8, 400)),
    Item("repair-maintenance", "Hull and deck repair", "HR", Decimal("140"), (8, 300)),
    Item("communications", "Satellite bandwidth", "DA", Decimal("900"), (1, 30)),
    Item("base-support", "Laundry and shower services", "PD", Decimal("6.50"), (100, 8000)),
    Item("base-support", "Waste removal", "LO", Decimal("1250"), (1, 10)),
    Item("storage", "Covered storage", "DA", Decimal("300"), (1, 60)),
    Item("facilities", "Use of range facilities", "DA", Decimal("5200"), (1, 14)),
    Item("training", "Range safety instruction", "HR", Decimal("60"), (4, 80)),
    Item("clothing", "Cold weather clothing set", "SE", Decimal("210"), (10, 400)),
    Item("calibration", "Test equipment calibration", "EA", Decimal("180"), (1, 40)),
    Item("equipment-use", "Forklift, 4,000 lb, temporary use", "DA", Decimal("150"), (5, 60)),
)
BY_CATEGORY: dict[str, tuple[Item, ...]] = {}
for _item in ITEMS:
    BY_CATEGORY[_item.category] = (*BY_CATEGORY.get(_item.category, ()), _item)

# Agreements in force between these four (the reference set): who may support whom.
PAIRS = (
    ("JPN", "USA"),
    ("USA", "JPN"),
    ("KOR", "USA"),
    ("USA", "KOR"),
    ("JPN", "AUS"),
    ("AUS", "JPN"),
    ("KOR", "AUS"),
    ("AUS", "KOR"),
)


def price(item: Item, currency: str, rng: random.Random) -> str:
    """A unit price for the item in the currency, as text in major units."""
    usd = item.usd * Decimal(str(round(rng.uniform(0.85, 1.15), 2)))
    value = usd / USD_VALUE[currency]
    places = money.exponent(currency)
    return str(value.quantize(Decimal(1).scaleb(-places)))


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


# ---------------------------------------------------------------------- officials and rates


@dataclass(frozen=True, slots=True)
class OfficialSpec:
    id: str
    name: str
    nation: str
    title: str
    limits: dict[str, str]  # currency -> amount in major units


OFFICIALS = (
    OfficialSpec(
        "usa-indopacom-j4",
        "Col. Dana R. Whitfield",
        "USA",
        "ACSA program manager, USINDOPACOM J4",
        {"USD": "5000000", "JPY": "750000000", "KRW": "6500000000"},
    ),
    OfficialSpec(
        "jpn-jso-j4",
        "1st Col. Haruto Sakamoto",
        "JPN",
        "Logistics Department (J4), Joint Staff Office",
        {"JPY": "750000000", "USD": "5000000", "AUD": "7500000"},
    ),
    OfficialSpec(
        "kor-jcs-j4",
        "Col. Min-jun Park",
        "KOR",
        "Logistics Directorate (J4), ROK Joint Chiefs of Staff",
        {"KRW": "6500000000", "USD": "5000000", "AUD": "7500000"},
    ),
    OfficialSpec(
        "aus-jlc",
        "Group Captain Olivia Hart",
        "AUS",
        "Joint Logistics Command, Australian Defence Force",
        {"AUD": "7500000", "JPY": "750000000", "KRW": "6500000000"},
    ),
)
SIGNER = {o.nation: o for o in OFFICIALS}

# Japan settles at an annual rate fixed for its fiscal year (April to March); demo values.
JAPAN_ANNUAL = (
    (dt.date(2024, 4, 1), dt.date(2025, 3, 31), "0.00669"),
    (dt.date(2025, 4, 1), dt.date(2026, 3, 31), "0.00681"),
    (dt.date(2026, 4, 1), dt.date(2027, 3, 31), "0.00674"),
)


def monthly_rates(seed: int) -> list[tuple[str, dt.date, dt.date, str]]:
    """(currency, first day, last day, USD per unit) for each month of the history."""
    rng = random.Random(f"rates:{seed}")
    out = []
    day = dt.date(START.year, START.month, 1)
    while day <= END:
        nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        krw = Decimal("0.000735") * Decimal(str(round(rng.uniform(0.96, 1.04), 4)))
        aud = Decimal("0.655") * Decimal(str(round(rng.uniform(0.96, 1.04), 4)))
        out.append(("KRW", day, last, str(krw.quantize(Decimal("0.00000001")))))
        out.append(("AUD", day, last, str(aud.quantize(Decimal("0.0001")))))
        day = nxt
    return out


def keys_dir() -> Path:
    base = os.environ.get("ACCORD_KEYS_DIR")
    return Path(base) if base else Path.home() / ".config" / "accord" / "keys"


def load_or_make_key(folder: Path, official_id: str) -> tuple[Ed25519PrivateKey, Path, bool]:
    """The official's private key from the key folder, made (and kept there, readable by
    its owner only) when missing. Returns the key, its file and whether it was made now."""
    from accord.logistics import signing

    path = folder / f"{official_id}.pem"
    if path.is_file():
        return signing.load_private_pem(path.read_bytes()), path, False
    key = signing.new_private_key()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(signing.private_pem(key))
    temporary.replace(path)
    return key, path, True


# ---------------------------------------------------------------------- the story


@dataclass
class Plan:
    """One order of the story: its request and what happens to it."""

    n: int
    name: str  # the activity, for people reading the summary
    requester: str
    supplier: str
    situation: str
    order_date: dt.date
    place: str
    lines: list[dict[str, Any]]
    transaction_type: str = "sale"
    reimbursement: str = "cash"
    return_by: dt.date | None = None
    fate: str = (
        "closed"  # closed | settled | paid-in-part | billed | delivered | signed | one-signature
    )
    steps: list[tuple[str, dt.date, Any]] = field(default_factory=list)


def _lines(
    rng: random.Random, supplier: str, categories: list[str], count: int
) -> list[dict[str, Any]]:
    currency = CURRENCY[supplier]
    out = []
    for _ in range(count):
        item = rng.choice(BY_CATEGORY[rng.choice(categories)])
        low, high = item.quantity
        line: dict[str, Any] = {
            "category": item.category,
            "description": item.description,
            "quantity": rng.randint(low, high),
            "unit": item.unit,
            "unit_price": price(item, currency, rng),
            "currency": currency,
        }
        if item.nsn:
            line["nsn"] = item.nsn
        out.append(line)
    return out


def story(seed: int) -> tuple[list[Plan], Plan]:
    """The orders of the two years, in the order they were proposed, and the refused one."""
    rng = random.Random(f"demo:{seed}")
    plans: list[Plan] = []

    def add(plan: Plan) -> None:
        plans.append(plan)

    # Port visits and routine support, about one a month over the two years.
    month = dt.date(2024, 10, 7)
    while month < dt.date(2026, 9, 1):
        supplier, requester = rng.choice(
            [p for p in PAIRS if set(p) != {"KOR", "AUS"}]  # the ROK-Australia MLSA: no routine
        )
        method = rng.choice(["cash", "cash", "cash", "rik"])
        lines = _lines(rng, supplier, ["fuel", "water", "food", "port-services"], rng.randint(2, 4))
        if method == "rik":
            lines = [ln for ln in lines if ln["category"] in SUPPLY_CATEGORIES] or _lines(
                rng, supplier, ["fuel"], 1
            )
        add(
            Plan(
                0,
                "port visit",
                requester,
                supplier,
                "routine",
                month + dt.timedelta(days=rng.randint(0, 20)),
                rng.choice(PLACES[supplier]),
                lines,
                reimbursement=method,
            )
        )
        month += dt.timedelta(days=31)

    def exercise(
        name: str, first: dt.date, last: dt.date, hosts: tuple[str, ...], count: int
    ) -> None:
        for _ in range(count):
            supplier = rng.choice(hosts)
            requester = rng.choice([r for s, r in PAIRS if s == supplier])
            categories = ["food", "fuel", "billeting", "transportation", "water", "base-support"]
            if rng.random() < 0.3:
                categories = ["spare-parts", "repair-maintenance", "medical", "facilities"]
            method = rng.choice(["cash", "cash", "cash", "eve", "rik"])
            lines = _lines(rng, supplier, categories, rng.randint(1, 5))
            if method == "rik":
                lines = [ln for ln in lines if ln["category"] in SUPPLY_CATEGORIES] or _lines(
                    rng, supplier, ["fuel", "food", "water"], rng.randint(1, 3)
                )
            add(
                Plan(
                    0,
                    name,
                    requester,
                    supplier,
                    "exercise",
                    day_between(rng, first - dt.timedelta(days=30), first),
                    rng.choice(PLACES[supplier]),
                    lines,
                    reimbursement=method,
                )
            )

    exercise(
        "Pacific Sentinel 25", dt.date(2025, 6, 2), dt.date(2025, 6, 27), ("JPN", "KOR", "USA"), 26
    )
    # The operation: typhoon relief, every ceiling waived (10 U.S.C. 2347(c))
    for _ in range(14):
        supplier = rng.choice(("USA", "JPN", "AUS", "KOR"))
        requester = rng.choice([r for s, r in PAIRS if s == supplier])
        add(
            Plan(
                0,
                "Operation Kind Tide (typhoon relief)",
                requester,
                supplier,
                "international-relief",
                day_between(rng, dt.date(2025, 10, 20), dt.date(2025, 11, 15)),
                "Clark Air Base staging area, Luzon",
                _lines(
                    rng, supplier, ["transportation", "water", "food", "medical"], rng.randint(1, 4)
                ),
                reimbursement=rng.choice(["cash", "cash", "eve"]),
            )
        )
    # A loan of equipment that comes back (Japan's ACSAs do not lend equipment; the US-ROK MLSA does).
    add(
        Plan(
            0,
            "Operation Kind Tide (typhoon relief)",
            "KOR",
            "USA",
            "international-relief",
            dt.date(2025, 10, 24),
            "Clark Air Base staging area, Luzon",
            [
                {
                    "category": "equipment-use",
                    "description": "Forklift, 4,000 lb, on loan",
                    "quantity": 4,
                    "unit": "EA",
                    "unit_price": "0",
                    "currency": "USD",
                }
            ],
            transaction_type="loan",
            reimbursement="cash",
            return_by=dt.date(2025, 12, 20),
        )
    )
    exercise(
        "Pacific Sentinel 26", dt.date(2026, 6, 8), dt.date(2026, 7, 3), ("AUS", "JPN", "USA"), 24
    )

    plans.sort(key=lambda p: (p.order_date, p.n))
    for n, plan in enumerate(plans, start=1):
        plan.n = n
    _fates(plans, rng)
    refused = Plan(
        len(plans) + 1,
        "Pacific Sentinel 25",
        "KOR",
        "JPN",
        "exercise",
        dt.date(2025, 5, 26),
        "Busan Naval Base",
        [
            {
                "category": "fuel",
                "description": "F-76 naval distillate fuel for ROKS Dokdo",
                "nsn": "9140-00-273-2377",
                "quantity": 180000,
                "unit": "LI",
                "unit_price": "121",
                "currency": "JPY",
            }
        ],
    )
    return plans, refused


def _fates(plans: list[Plan], rng: random.Random) -> None:
    """What happens to each order, and when (the legal dates of each step)."""
    unsigned_done = False
    for plan in plans:
        begin = plan.order_date
        signed = begin + dt.timedelta(days=rng.randint(1, 6))
        delivered = signed + dt.timedelta(days=rng.randint(3, 25))
        billed = delivered + dt.timedelta(days=rng.randint(10, 45))
        paid = billed + dt.timedelta(days=rng.randint(20, 150))
        age = (END - begin).days
        if not unsigned_done and begin >= dt.date(2026, 6, 1):
            plan.fate = "one-signature"
            unsigned_done = True
        elif delivered > END:
            plan.fate = "signed"
        elif billed > END:
            plan.fate = "delivered"
        elif age > 420 and rng.random() < 0.14:
            plan.fate = rng.choice(["billed", "paid-in-part"])  # left owing: overdue
        elif paid > END:
            plan.fate = "billed"
        else:
            plan.fate = "closed" if rng.random() < 0.8 else "settled"
        steps: list[tuple[str, dt.date, Any]] = [("sign", signed, "requester")]
        if plan.fate == "one-signature":
            plan.steps = steps
            continue
        steps.append(("sign", signed, "supplier"))
        if plan.fate != "signed":
            whole = {i: ln["quantity"] for i, ln in enumerate(plan.lines, start=1)}
            if len(whole) > 1 and rng.random() < 0.3:
                first = dict(list(whole.items())[: len(whole) // 2])
                rest = {k: v for k, v in whole.items() if k not in first}
                steps.append(("deliver", delivered, first))
                steps.append(("deliver", delivered + dt.timedelta(days=rng.randint(1, 6)), rest))
            else:
                steps.append(("deliver", delivered, whole))
        if plan.fate in ("billed", "paid-in-part", "settled", "closed"):
            steps.append(("bill", max(d for _, d, _ in steps) + dt.timedelta(days=10), None))
        if plan.fate == "paid-in-part":
            steps.append(("settle", paid, "part"))
        if plan.fate in ("settled", "closed"):
            if (
                plan.reimbursement == "cash"
                and plan.transaction_type != "loan"
                and rng.random() < 0.3
            ):
                steps.append(("settle", paid - dt.timedelta(days=15), "part"))
            steps.append(("settle", paid, "full"))
        if plan.fate == "closed":
            steps.append(("close", paid + dt.timedelta(days=rng.randint(1, 10)), None))
        plan.steps = steps


# ---------------------------------------------------------------------- running it


@dataclass
class Signer:
    spec: OfficialSpec
    key: Ed25519PrivateKey
    path: Path
    made: bool


def request_data(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester": {"nation": plan.requester, "unit": None},
        "supplier": {"nation": plan.supplier, "unit": None},
        "situation": plan.situation,
        "transaction_type": plan.transaction_type,
        "reimbursement": plan.reimbursement,
        "order_date": plan.order_date,
        "date_required": plan.order_date + dt.timedelta(days=10),
        "delivery_place": plan.place,
        "lines": plan.lines,
    }
    if plan.return_by:
        data["return_by"] = plan.return_by
    return data


def _units(plan: Plan, seed: int) -> dict[str, Any]:
    rng = random.Random(f"units:{seed}:{plan.n}")
    data = request_data(plan)
    data["requester"] = {"nation": plan.requester, "unit": rng.choice(UNITS[plan.requester])}
    data["supplier"] = {"nation": plan.supplier, "unit": rng.choice(UNITS[plan.supplier])}
    return data


def write_history(books: Books, seed: int, signers: dict[str, Signer]) -> dict[str, Any]:
    """The whole story, in one unit of work; returns the summary."""
    from accord.logistics import rates, signing
    from accord.logistics.errors import NotAllowedByAgreement, NotFound
    from accord.logistics.order_input import parse_order
    from accord.services import ids

    nations = books.context.check.nations
    for nation in NATIONS:
        signer = signers[nation]
        spec = signer.spec
        public = signing.public_hex(signer.key)
        try:
            existing = books.store.official(spec.id)
        except NotFound:
            limits = {c: money.to_minor(a, c) for c, a in spec.limits.items()}
            books.add_official(spec.id, spec.name, nation, public, limits, spec.title, START)
        else:
            if existing.public_key != public:
                from accord.errors import BadInput

                raise BadInput(
                    f"official {spec.id} is on file with another key than {signer.path}; run the "
                    "demo on a new database, or with the key folder it was run with"
                )
    known = {rate_id for rate_id, _ in books.store.all_rates()}
    for first, last, value in JAPAN_ANNUAL:
        rate_id = f"demo-jpy-usd-jfy{first.year}"
        if rate_id not in known:
            books.add_rate(
                rate_id,
                rates.make_rate(
                    "JPY",
                    "USD",
                    value,
                    first,
                    last,
                    agreement="jpn-usa-acsa-2016",
                    source="demo: stands for the annual rate Japan fixes for its fiscal year",
                ),
            )
    for ccy, first, last, value in monthly_rates(seed):
        rate_id = f"demo-{ccy.lower()}-usd-{first:%Y-%m}"
        if rate_id not in known:
            books.add_rate(
                rate_id, rates.make_rate(ccy, "USD", value, first, last, source="demo: monthly")
            )

    plans, refused = story(seed)
    numbers: dict[int, str] = {}
    for plan in plans:
        data = _units(plan, seed)
        order_id = ids.derived(f"demo:{seed}", f"order:{plan.n}")
        request = parse_order(data, order_id, plan.order_date, nations)
        proposed = books.propose(request, plan.order_date)
        ref = proposed["order"]["id"]
        numbers[plan.n] = proposed["order"]["number"]
        for kind, day, arg in plan.steps:
            if kind == "sign":
                nation = plan.requester if arg == "requester" else plan.supplier
                signer = signers[nation]
                signature = signing.sign(signer.key, books.signing_bytes(ref))
                books.sign(ref, signer.spec.id, signature, day)
            elif kind == "deliver":
                books.deliver(ref, arg, day)
            elif kind == "bill":
                books.bill(ref, day)
            elif kind == "settle":
                order = books.order(ref)
                method = order.settlement_methods()[0]
                if method in ("cash", "eve"):
                    owed = order.outstanding_money()
                    if arg == "part":
                        owed = {c: max(1, a * 2 // 5) for c, a in owed.items()}
                    books.settle(ref, method, day, amounts=owed)
                elif method == "rik":
                    books.settle(ref, "rik", day, quantities=order.outstanding_in_kind())
                else:
                    books.settle(ref, "return", day, quantities=order.outstanding_due_back())
                if arg == "full":
                    order = books.order(ref)
                    while order.settlement_methods():
                        method = order.settlement_methods()[0]
                        if method == "return":
                            books.settle(
                                ref, "return", day, quantities=order.outstanding_due_back()
                            )
                        elif method == "rik":
                            books.settle(ref, "rik", day, quantities=order.outstanding_in_kind())
                        else:
                            books.settle(ref, method, day, amounts=order.outstanding_money())
                        order = books.order(ref)
            elif kind == "close":
                books.close(ref, day)
    refusal: dict[str, Any]
    try:
        data = _units(refused, seed)
        request = parse_order(
            data, ids.derived(f"demo:{seed}", "order:refused"), refused.order_date, nations
        )
        books.propose(request, refused.order_date)
    except NotAllowedByAgreement as exc:
        reasons = [
            reason
            for answer in exc.decision.get("decisions", [])  # type: ignore[attr-defined]
            if not answer["allowed"]
            for reason in answer["reasons"]
        ]
        refusal = {
            "request": {
                "requester": refused.requester,
                "supplier": refused.supplier,
                "situation": refused.situation,
                "on": refused.order_date.isoformat(),
                "lines": refused.lines,
                "activity": refused.name,
            },
            "refused": str(exc),
            "reasons": [{"code": r["code"], "message": r["message"]} for r in reasons],
        }
    else:  # pragma: no cover - the reference agreements would have to change
        raise AssertionError("the agreements allowed the request the demo expects refused")
    return {
        "seed": seed,
        "period": {"from": START.isoformat(), "to": END.isoformat()},
        "orders": len(plans),
        "activities": sorted({p.name for p in plans}),
        "refused": refusal,
        "unsigned": [numbers[p.n] for p in plans if p.fate == "one-signature"],
    }


def run_demo(url: str, seed: int, folder: Path | None = None) -> dict[str, Any]:
    """Build the demo's books on the database at `url` (made or brought up to date first);
    return the summary: what was written, orders by status, what is overdue, the refusal,
    and where the officials' keys are."""
    from accord.services.logistics import Logistics
    from accord.store.migrate import upgrade

    upgrade(url)
    folder = folder or keys_dir()
    signers = {}
    for spec in OFFICIALS:
        key, path, made = load_or_make_key(folder, spec.id)
        signers[spec.nation] = Signer(spec, key, path, made)
    service = Logistics(url)
    try:
        written = service.execute(
            "demo",
            f"demo:{seed}",
            {"seed": seed, "demo": 1},
            lambda books: write_history(books, seed, signers),
        )
        listing = service.list_orders(limit=10_000, as_of=END)
        overdue = service.list_orders(overdue=True, limit=10_000, as_of=END)
        verified = service.verify()
    finally:
        service.close()
    by_status: dict[str, int] = {}
    for row in listing["orders"]:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    return {
        **{k: v for k, v in written.items() if k != "replayed"},
        "already_there": bool(written.get("replayed")),
        "as_of": END.isoformat(),
        "by_status": dict(sorted(by_status.items())),
        "overdue": [
            {
                "number": o["number"],
                "supplier": o["supplier"],
                "requester": o["requester"],
                "reimbursement": o["reimbursement"],
                "settlement_due": o["settlement_due"],
                "outstanding": o["outstanding"],
            }
            for o in sorted(overdue["orders"], key=lambda o: o["number"])
        ],
        "keys": {
            "folder": str(folder),
            "officials": [
                {
                    "id": s.spec.id,
                    "nation": s.spec.nation,
                    "file": str(s.path),
                    "made_now": s.made,
                }
                for s in signers.values()
            ],
        },
        "ledger": {k: verified[k] for k in ("ok", "balanced", "audit_chain", "orders", "postings")},
    }


# ---------------------------------------------------------------------- import files


@dataclass
class SampleSigner:
    official: str
    nation: str
    key: Ed25519PrivateKey


def sample_rows(
    lines: int,
    seed: int,
    *,
    first: dt.date = dt.date(2025, 1, 6),
    last: dt.date = dt.date(2026, 6, 30),
    history_share: float = 0.0,
    signers: dict[str, SampleSigner] | None = None,
    bad_share: float = 0.0,
    check: AgreementCheck | None = None,
    prefix: str = "ORD",
) -> Iterator[dict[str, str]]:
    """Rows of an order file for `accord orders import` (one per order line, the columns of
    `importer.COLUMNS`), about `lines` of them, from the seed: orders between the four nations
    under their agreements, 1 to 40 lines each (8 on average: port visits of a few lines,
    exercise support of many), priced in the supplier's currency.

    `history_share` of the orders come with their history (both signatures, over the terms
    as the importer will make them, by `signers`; then delivery, billing, settlement and
    closing, each with some chance); `bad_share` of them have a flaw the importer must report
    (an order no agreement allows, an unknown unit, a quantity of nought, replacement in kind
    of a service)."""
    from accord.logistics import signing
    from accord.services.importer import order_id_for, signing_terms

    if history_share and not signers:
        raise ValueError("orders with a history need signers")
    if history_share and check is None:
        from accord.services.agreement_check import AgreementCheck

        check = AgreementCheck()
    rng = random.Random(f"sample:{seed}")
    sizes = (1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6, 7, 8, 9, 10, 12, 14, 16, 20, 24, 30, 40)
    situations = ("exercise",) * 6 + ("routine", "routine", "international-relief", "pko")
    numbers: dict[tuple[str, int], int] = {}
    written = 0
    n = 0
    while written < lines:
        n += 1
        key = f"{prefix}-{seed}-{n:07d}"
        supplier, requester = rng.choice(PAIRS)
        situation = rng.choice(situations)
        if situation == "routine" and {supplier, requester} == {"KOR", "AUS"}:
            situation = "exercise"
        order_date = day_between(rng, first, last)
        size = min(rng.choice(sizes), max(1, lines - written))
        method = rng.choice(("cash", "cash", "cash", "cash", "eve", "rik"))
        categories = ["fuel", "food", "water", "billeting", "transportation", "base-support"]
        if rng.random() < 0.3:
            categories = ["spare-parts", "repair-maintenance", "medical", "port-services"]
        if method == "rik":
            categories = ["fuel", "food", "water", "spare-parts", "clothing"]
        order_lines = _lines(rng, supplier, categories, size)
        for line in order_lines:
            line["quantity"] = max(1, line["quantity"] // 20)  # orders of an import: smaller
        row: dict[str, str] = {
            "order": key,
            "requester": requester,
            "requester_unit": rng.choice(UNITS[requester]),
            "supplier": supplier,
            "supplier_unit": rng.choice(UNITS[supplier]),
            "situation": situation,
            "transaction_type": "sale",
            "reimbursement": method,
            "order_date": order_date.isoformat(),
            "date_required": (order_date + dt.timedelta(days=rng.randint(3, 20))).isoformat(),
            "delivery_place": rng.choice(PLACES[supplier]),
        }
        flaw = rng.random() < bad_share
        if flaw:
            kind = rng.choice(("agreement", "unit", "quantity", "rik"))
            if kind == "agreement":
                row.update(requester="KOR", supplier="JPN", situation="exercise")
                for line in order_lines:
                    line.update(category="fuel", description="F-76 naval distillate fuel")
            elif kind == "unit":
                order_lines[-1]["unit"] = "BARREL"
            elif kind == "quantity":
                order_lines[0]["quantity"] = 0
            else:
                row["reimbursement"] = "rik"
                order_lines[0].update(category="medical", description="Outpatient care", unit="HR")
        rows = [{**row, **{k: str(v) for k, v in line.items()}} for line in order_lines]
        for later in rows[1:]:  # later rows repeat only the key, as people write them
            for column in list(later):
                if column in row and column != "order":
                    del later[column]
        if not flaw and signers and rng.random() < history_share:
            _sample_history(rng, rows, key, requester, supplier, signers, check)
            rows[0]["id"] = order_id_for(key)
            year = order_date.year
            numbers[(requester, year)] = numbers.get((requester, year), 900000) + 1
            rows[0]["number"] = f"{requester}-{year}-{numbers[(requester, year)]:06d}"
            assert check is not None
            terms = signing_terms(check, rows)
            signed = terms.canonical()
            for side, nation in (("requester", requester), ("supplier", supplier)):
                signer = signers[nation]
                rows[0][f"{side}_official"] = signer.official
                rows[0][f"{side}_signature"] = signing.sign(signer.key, signed)
        written += len(rows)
        yield from rows


def _sample_history(
    rng: random.Random,
    rows: list[dict[str, str]],
    key: str,
    requester: str,
    supplier: str,
    signers: dict[str, SampleSigner],
    check: AgreementCheck | None,
) -> None:
    first = rows[0]
    day = dt.date.fromisoformat(first["order_date"]) + dt.timedelta(days=rng.randint(0, 5))
    first["signed_on"] = day.isoformat()
    stage = rng.random()
    if stage < 0.2:
        return
    day += dt.timedelta(days=rng.randint(1, 20))
    first["delivered_on"] = day.isoformat()
    for row in rows:
        quantity = int(row["quantity"])
        row["delivered"] = str(quantity if rng.random() < 0.85 else max(1, quantity // 2))
    if stage < 0.45:
        return
    day += dt.timedelta(days=rng.randint(5, 30))
    first["billed_on"] = day.isoformat()
    if stage < 0.65 or any(int(r["delivered"]) < int(r["quantity"]) for r in rows):
        return
    day += dt.timedelta(days=rng.randint(10, 120))
    first["settled_on"] = day.isoformat()
    if stage < 0.85:
        return
    first["closed_on"] = (day + dt.timedelta(days=rng.randint(0, 10))).isoformat()


def write_sample(path: Path, rows: Iterator[dict[str, str]], fmt: str = "csv") -> int:
    """Write rows to an import file (CSV with every column, or JSON lines); the row count."""
    import csv
    import json

    from accord.services.importer import COLUMNS

    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        if fmt == "csv":
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow([row.get(c, "") for c in COLUMNS])
                count += 1
        else:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    return count


def sample_books(
    url: str, signers: dict[str, SampleSigner] | None = None
) -> dict[str, SampleSigner]:
    """Ready a database for sample import files: the schema, the four officials (with new
    keys, or the given ones: the same officials on several databases) and the exchange rates
    the ceilings need. Returns the signers, to sign sample orders with."""
    from accord.logistics import rates, signing
    from accord.services.logistics import Logistics
    from accord.store.migrate import upgrade

    upgrade(url)
    if signers is None:
        signers = {
            spec.nation: SampleSigner(spec.id, spec.nation, signing.new_private_key())
            for spec in OFFICIALS
        }
    service = Logistics(url)
    try:
        for spec in OFFICIALS:
            key = signers[spec.nation].key
            service.add_official(
                spec.id,
                spec.name,
                spec.nation,
                signing.public_hex(key),
                {c: money.to_minor(a, c) for c, a in spec.limits.items()},
                key=f"sample:official:{spec.id}:{signing.public_hex(key)[:16]}",
                title=spec.title,
            )
        for first, last, value in JAPAN_ANNUAL:
            rate = rates.make_rate(
                "JPY", "USD", value, first, last, agreement="jpn-usa-acsa-2016", source="sample"
            )
            service.add_rate(f"sample-jpy-{first.year}", rate, key=f"sample:jpy:{first.year}")
        for ccy, first, last, value in monthly_rates(0):
            rate = rates.make_rate(ccy, "USD", value, first, last, source="sample")
            service.add_rate(
                f"sample-{ccy.lower()}-{first:%Y-%m}", rate, key=f"sample:{ccy}:{first:%Y-%m}"
            )
    finally:
        service.close()
    return signers
