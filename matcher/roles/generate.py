"""Generate labelled role/market training text in every register from public data.

O*NET occupations (titles and core tasks) become first-person blurbs ("I'm a ... I ..."),
third-person bios ("Maria Lopez is a ... at ...; she ..."), titles alone, LinkedIn-style
headlines and terse text with typos; NAICS 2022 index phrases become company one-liners. Each
row's role follows a rule from the occupation's market and the person's stated situation (column
``rule``; see data/labelled/README_roles.md, "Generated training data"):

- works in or owns a trade whose customers are consumers (BEA/OEWS share >= 2/3): non-b2b-rep
- ... whose customers are businesses (share <= 1/3): b2b-provider
- mixed occupations (lawyers, plumbers, insurance agents) get a stated audience, which decides
- buyers, HR, facilities and operations people sourcing vendors or hiring: business-rep
- job seekers, students, retirees who mentor: self
- a day job plus a side venture: entre-ployee (market: the venture's customers)

Held-out occupations (SOC codes) and industries (NAICS codes) of ``roles_heldout.csv`` are
left out, so evaluation is on unseen occupations.

    python -m matcher.roles.generate   # writes data/labelled/roles_generated.csv
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from .one_liners import one_liners

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "labelled" / "roles_generated.csv"
HELDOUT = ROOT / "data" / "labelled" / "roles_heldout.csv"
HELDOUT2 = ROOT / "data" / "labelled" / "roles_heldout2.csv"
NAICS2022 = Path("/work/shared/data/industries/naics-2022/naics2022_index.csv")

FIRST = [("Maria", "she"), ("James", "he"), ("Aisha", "she"), ("Wei", "he"), ("Sofia", "she"),
         ("Daniel", "he"), ("Fatima", "she"), ("Luis", "he"), ("Grace", "she"), ("Tyrone", "he"),
         ("Mei", "she"), ("Ivan", "he"), ("Hannah", "she"), ("Omar", "he"), ("Chloe", "she"),
         ("Raj", "he"), ("Emma", "she"), ("Kwame", "he"), ("Lucia", "she"), ("Noah", "he")]
LAST = ["Lopez", "Carter", "Nguyen", "Patel", "Okoye", "Schmidt", "Rossi", "Kowalski", "Bennett",
        "Haddad", "Tanaka", "Murphy", "Alvarez", "Johansson", "Brooks", "Singh", "Dubois", "Reid"]
CITIES = ["Tucson", "Dayton", "Boise", "Raleigh", "Omaha", "Sacramento", "Madison", "Tulsa",
          "Richmond", "Spokane", "Albany", "Savannah", "Fort Wayne", "Provo", "Lansing", "Reno"]
BIZ_WORDS = ["Group", "Partners", "Co.", "Studio", "Services", "Associates", "Works", "LLC"]
CONSUMER_AUD = ["families", "homeowners", "individuals", "parents", "seniors", "couples",
                "local residents", "young adults", "pet owners", "people in {city}"]
BUSINESS_AUD = ["small businesses", "companies", "startups", "employers", "manufacturers",
                "restaurants and retailers", "property managers", "law firms", "tech companies",
                "nonprofits", "contractors", "medical practices"]
MIXED_CONSUMERS = ["individuals and families", "homeowners", "local families",
                   "residential clients", "private clients"]
MIXED_BUSINESSES = ["businesses", "companies", "commercial clients", "corporate clients",
                    "local businesses"]
VENDORS = ["an IT provider", "a commercial cleaning company", "a payroll service", "a bookkeeper",
           "packaging suppliers", "a marketing agency", "a freight carrier", "an HR consultant",
           "a web developer", "a benefits broker", "a security company", "new software vendors"]
CONSUMER_SIDE = [("an Etsy shop selling candles", "consumers"),
                 ("a weekend photography business for families", "consumers"),
                 ("a tutoring service for high school kids", "consumers"),
                 ("a food truck", "consumers"), ("a dog-walking business", "consumers"),
                 ("a budgeting app for college students", "consumers")]
BUSINESS_SIDE = [("a bookkeeping service for small businesses", "businesses"),
                 ("a consulting practice for manufacturers", "businesses"),
                 ("a SaaS tool for restaurants", "businesses"),
                 ("a grant-writing service for nonprofits", "businesses"),
                 ("an IT support business for small offices", "businesses"),
                 ("a B2B data-cleaning startup", "businesses")]
SELF_TEMPLATES = [
    "{t} looking for a new job in {city}, open to full-time roles.",
    "Student studying to become {a} {tl}; looking for an internship.",
    "Retired {tl}, happy to mentor people starting out.",
    "{t} | Open to work | Seeking my next role in {city}",
    "Laid off last month after six years as {a} {tl}. Looking for my next position.",
    "{name} is {a} {tl} between jobs and is looking for a team to join.",
    "Recent graduate, looking for an entry-level {tl} position.",
    "{name}, a recently retired {tl}, wants to volunteer and teach a night class.",
    "Moved to {city} and job hunting: {tl} with five years of experience.",
]
SELF_RULES = ["job seeker", "student", "retiree mentoring", "job seeker", "job seeker",
              "job seeker", "student", "retiree mentoring", "job seeker"]
SIDE_TEMPLATES = [
    "{t} at {biz} by day; on the side I'm starting {side}.",
    "I work full time as {a} {tl} and I'm launching {side} on my days off.",
    "{t} @ {biz} | Building {side} on nights and weekends",
    "{name} is {a} {tl} at {biz} who is quietly starting {side} on the side.",
    "Full-time {tl}; my side project is {side}. Looking for first customers.",
    "Employed as {a} {tl}, testing an idea: {side}.",
]
PRODUCTS = ["app", "software", "platform", "marketplace", "subscription service", "online course",
            "API", "booking tool", "community", "analytics dashboard"]
APP_CONSUMERS = ["new parents", "runners", "home cooks", "gamers", "college students",
                 "seniors", "couples", "cat owners", "hikers", "book lovers", "teens",
                 "people learning guitar", "retirees", "first-time home buyers", "moms",
                 "kids ages 6-12", "people with diabetes", "renters", "cyclists", "gardeners",
                 "new immigrants", "remote workers looking for friends", "music fans",
                 "amateur photographers", "people who want to quit smoking", "bird watchers",
                 "anyone planning a wedding", "families with toddlers", "grandparents",
                 "high school athletes"]
APP_BUSINESSES = ["accounting firms", "restaurants", "HR teams", "e-commerce brands",
                  "property managers", "manufacturers", "construction companies", "clinics",
                  "recruiters", "marketing agencies", "insurance brokers", "nonprofits"]
_BUYER = re.compile(r"(?i)purchas|buyers?\b|procurement|human resources|talent|recruit|"
                    r"facilit|general and operations|compensation|training and development")
_SKIP = re.compile(r"(?i)all other|military|legislators|judges|government")
TYPOS = {"a": "s", "e": "r", "i": "o", "o": "p", "n": "m", "t": "r", "s": "a", "r": "t"}


def third_person(task: str) -> str:
    """'Examine teeth, ...' -> 'examines teeth, ...' (the first word is the verb)."""
    first, _, rest = task.partition(" ")
    core = first.rstrip(",")
    tail = first[len(core):]
    low = core.lower()
    if re.search(r"[^aeiou]y$", low):
        verb = low[:-1] + "ies"
    elif re.search(r"(s|sh|ch|x|z|o)$", low):
        verb = low + "es"
    else:
        verb = low + "s"
    return f"{verb}{tail} {rest}".strip()


def first_person(task: str) -> str:
    return task[:1].lower() + task[1:]


def typo(text: str, rng) -> str:
    """Lower-case, drop punctuation at random and swap or drop a letter in one or two words."""
    words = text.lower().replace(".", "").split()
    for _ in range(int(rng.integers(1, 3))):
        i = int(rng.integers(len(words)))
        w = words[i]
        if len(w) > 4:
            j = int(rng.integers(1, len(w) - 1))
            if rng.random() < 0.5:
                w = w[:j] + w[j + 1:]
            else:
                w = w[:j] + TYPOS.get(w[j], w[j]) + w[j + 1:]
            words[i] = w
    return " ".join(words)


def _short(title: str) -> str:
    """'Hairdressers, Hairstylists, and Cosmetologists' -> 'hairstylist'-like singular title."""
    t = re.split(r",| and | or |;", title)[0].strip()
    t = re.sub(r"\(.*?\)", "", t).strip()
    if t.endswith("ies"):
        t = t[:-3] + "y"
    elif t.endswith("ses") or t.endswith("xes"):
        t = t[:-2]
    elif t.endswith("s") and not t.endswith("ss"):
        t = t[:-1]
    return t


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def heldout_codes(path: Path = HELDOUT) -> tuple[set[str], set[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["soc"] for r in rows if r["soc"]}, {r["naics"] for r in rows if r["naics"]}


def generate(seed: int = 0) -> list[dict]:
    from ..industry import default_index, market_of
    from ..occupations import DATA_DIR

    rng = np.random.default_rng(seed)
    held_soc, held_naics = heldout_codes()
    with open(DATA_DIR / "occupations.csv", encoding="utf-8", newline="") as fh:
        occs = list(csv.DictReader(fh))
    tasks: dict[str, list[str]] = {}
    with open(DATA_DIR / "tasks.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            tasks.setdefault(r["code"], []).append(r["task"])
    titles: dict[str, list[str]] = {}
    with open(DATA_DIR / "titles.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["source"] in ("reported", "short") and len(r["title"]) <= 40:
                titles.setdefault(r["code"], []).append(r["title"])

    rows: list[dict] = []

    def add(register, text, role, market, rule, soc="", naics=""):
        rows.append({"register": register, "text": text, "role": role, "market": market,
                     "soc": soc, "naics": naics, "rule": rule})

    def pick(seq):
        return seq[int(rng.integers(len(seq)))]

    for occ in occs:
        if occ["soc"] in held_soc or _SKIP.search(occ["title"]) or occ["code"] not in tasks:
            continue
        share = float(occ["consumer_share"])
        names = titles.get(occ["code"]) or [_short(occ["title"])]
        city = pick(CITIES)
        first, pron = pick(FIRST)
        name = f"{first} {pick(LAST)}"
        biz = f"{pick(LAST)} {pick(BIZ_WORDS)}"
        title = pick(names)
        task = pick(tasks[occ["code"]]).rstrip(".")
        soc = occ["soc"]
        if _BUYER.search(occ["title"]):
            market = pick(["consumers", "businesses"])
            org = (f"{city} {pick(['Medical Center', 'Family Dental', 'Grocers', 'Hotel'])}"
                   if market == "consumers" else
                   f"{biz.split()[0]} {pick(['Manufacturing', 'Logistics', 'Software', 'Foods'])}")
            add("bio", f"{name} is the {title.lower()} at {org}; {pron} "
                f"{third_person(task)} and is looking for {pick(VENDORS)}.",
                "business-rep", market, "buyer sourcing vendors", soc)
            add("blurb", f"I'm {_article(title)} {title.lower()} at {org}. Here to find "
                f"{pick(VENDORS)} and {pick(VENDORS)}.", "business-rep", market,
                "buyer sourcing vendors", soc)
            add("headline", f"{title} @ {org} | Sourcing {pick(VENDORS).split(' ', 1)[1]}",
                "business-rep", market, "buyer sourcing vendors", soc)
            continue
        if share >= 2 / 3:
            variants = [("non-b2b-rep", "consumers", "", "occupation serves consumers")]
        elif share <= 1 / 3:
            variants = [("b2b-provider", "businesses", "", "occupation serves businesses")]
        else:
            # generic audiences read naturally for any trade ("concrete mason for homeowners")
            variants = [
                ("non-b2b-rep", "consumers", pick(MIXED_CONSUMERS),
                 "mixed occupation, consumer audience stated"),
                ("b2b-provider", "businesses", pick(MIXED_BUSINESSES),
                 "mixed occupation, business audience stated"),
            ]
        for role, market, aud, rule in variants:
            for_aud = f" for {aud}" if aud else ""
            t2 = pick(names)
            task2 = pick(tasks[occ["code"]]).rstrip(".")
            add("bio", f"{name} is {_article(title)} {title.lower()} at {biz} in {city}, working"
                f"{for_aud or ' with clients'}; {pron} {third_person(task)}.", role, market,
                rule, soc)
            add("blurb", f"I'm {_article(t2)} {t2.lower()}{for_aud}. I {first_person(task2)}.",
                role, market, rule, soc)
            add("title", f"{t2}{for_aud}" if aud or rng.random() < 0.5 else f"{t2}, {biz}",
                role, market, rule, soc)
            add("headline", f"{title} | {' '.join(task2.split()[:6]).rstrip(',;')}{for_aud}"
                f" | {city}", role, market, rule, soc)
            if rng.random() < 0.35:
                add("typo", typo(f"{t2}{for_aud}, {first_person(task)[:70]}", rng), role, market,
                    rule, soc)
        if rng.random() < 0.35:
            kind = int(rng.integers(len(SELF_TEMPLATES)))
            text = SELF_TEMPLATES[kind].format(t=title, tl=title.lower(), a=_article(title),
                                               city=city, name=name, pron=pron)
            add(pick(["blurb", "headline", "bio"]), text, "self", "", SELF_RULES[kind], soc)
        if rng.random() < 0.35:
            side, smarket = pick(CONSUMER_SIDE + BUSINESS_SIDE)
            text = pick(SIDE_TEMPLATES).format(t=title, tl=title.lower(), a=_article(title),
                                               biz=biz, side=side, name=name, pron=pron)
            add(pick(["blurb", "bio", "headline"]), text, "entre-ployee", smarket,
                "day job plus side venture", soc)
        if occ["soc"].startswith("11-") and rng.random() < 0.4:
            market = pick(["consumers", "businesses"])
            add(pick(["blurb", "headline"]), f"{title} at {biz}. Here to meet vendors: "
                f"{pick(VENDORS)} and {pick(VENDORS)}.", "business-rep", market,
                "manager sourcing vendors for the employer", soc)
        if share >= 2 / 3 and rng.random() < 0.3:
            add("blurb", f"I own {_article(title)} {title.lower()} practice in {city}. Tonight "
                f"I'm not looking for customers: I need {pick(VENDORS)}.", "business-rep",
                "consumers", "consumer-business owner sourcing vendors", soc)

    # company one-liners from the NAICS 2022 index (2017 codes for the BEA share)
    index = default_index()
    known = set(index.codes)
    with open(NAICS2022, encoding="utf-8-sig", newline="") as fh:
        phrases = [(r[0].strip(), r[1].strip()) for r in csv.reader(fh)][1:]
    phrases = [(c, p) for c, p in phrases if c in known and c not in held_naics and len(p) < 80]
    for k in rng.permutation(len(phrases))[:1400]:
        code, phrase = phrases[int(k)]
        market = market_of(index.consumer_share(code))
        if market == "both":
            continue
        role = "non-b2b-rep" if market == "consumers" else "b2b-provider"
        style = int(rng.integers(3))
        text = [phrase, f"{phrase} in {pick(CITIES)}", f"{pick(LAST)} {pick(BIZ_WORDS)}: {phrase}"][style]
        add("company", text, role, market, "NAICS index phrase, BEA share of its code",
            naics=code)
    for _ in range(300):
        product = pick(PRODUCTS)
        if rng.random() < 0.5:
            add("company", f"{product[:1].upper() + product[1:]} for {pick(APP_CONSUMERS)}",
                "non-b2b-rep", "consumers", "product with a consumer audience stated")
        else:
            add("company", f"{product[:1].upper() + product[1:]} for {pick(APP_BUSINESSES)}",
                "b2b-provider", "businesses", "product with a business audience stated")

    # a product for a profession is sold to that profession's practices: businesses, even
    # when the profession itself serves consumers ("booking software for funeral homes")
    consumer_trades = [_short(o["title"]).lower() + "s" for o in occs
                       if float(o["consumer_share"]) >= 2 / 3 and o["soc"] not in held_soc
                       and not _SKIP.search(o["title"]) and len(o["title"]) < 40]
    for _ in range(300):
        product = pick(PRODUCTS)
        add("company", f"{product[:1].upper() + product[1:]} for {pick(consumer_trades)}",
            "b2b-provider", "businesses", "product for a profession's practices")

    # products described by their clients' customers still sell to the clients
    for _ in range(200):
        cn = pick(["Patient", "Guest", "Student", "Member", "Client", "Homeowner", "Pet owner",
                   "Family", "Diner", "Customer"])
        what = pick(["scheduling", "reminder", "messaging", "booking", "loyalty", "feedback",
                     "billing", "intake", "check-in", "review"])
        add("company", f"{cn} {what} {pick(PRODUCTS)} for {pick(APP_BUSINESSES + consumer_trades)}",
            "b2b-provider", "businesses", "product for businesses, named by their customers")

    # startup-directory, app-store and brand-page one-liners (matcher.roles.one_liners)
    for text, role, market, rule in one_liners(rng, CITIES):
        add("company", text, role, market, rule)

    seen, unique = set(), []
    held_texts = {r.lower() for r in _heldout_texts()}
    for r in rows:
        key = r["text"].lower()
        if key not in seen and key not in held_texts:
            seen.add(key)
            unique.append(r)
    for i, r in enumerate(unique):
        r["id"] = f"g{i + 1:05d}"
    return unique


def _heldout_texts() -> list[str]:
    """Texts of both held-out files: no generated row may equal one."""
    out = []
    for path in (HELDOUT, HELDOUT2):
        with open(path, encoding="utf-8", newline="") as fh:
            out += [r["text"] for r in csv.DictReader(fh)]
    return out


def write(rows: list[dict], path: Path = OUT) -> Path:
    fields = ["id", "register", "text", "role", "market", "soc", "naics", "rule"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


if __name__ == "__main__":
    from collections import Counter

    rows = generate()
    print(write(rows), len(rows), Counter(r["role"] for r in rows),
          Counter(r["register"] for r in rows))
