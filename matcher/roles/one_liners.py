"""Company one-liners in the registers of startup directories, app stores and D2C brand pages,
with the market their wording states (training text for :mod:`matcher.roles.generate`).

Each one-liner names what is sold and, in most styles, to whom. The label follows the stated
buyer, the same rule as for people (data/labelled/README_roles.md):

- a business product or service ("usage-based billing API", "freight brokerage") or any product
  *for* businesses, teams or practices: ``businesses`` (b2b-provider);
- an app-store blurb addressed to a person ("Meet ... near you", "Save money on ..."), a
  consumer brand's goods, or a product for people ("for new parents"): ``consumers``
  (non-b2b-rep);
- one offer stated for both kinds of buyer ("for families and small businesses", "homes and
  offices"): ``both``, with the role of the buyer named first.

The vocabularies below were written from general knowledge of those registers; none is copied
from a held-out file (``roles_heldout*.csv``), and :func:`matcher.roles.generate.generate` drops
any text equal to a held-out text.
"""

from __future__ import annotations

B2B_PRODUCTS = [
    "usage-based billing", "identity verification API", "expense management",
    "accounts payable automation", "sales tax automation", "error monitoring",
    "data warehouse", "customer support AI",
    "invoice factoring", "embedded payments", "applicant tracking system",
    "sales engagement platform", "field service management software", "dispatch software",
    "e-signature API", "ledger infrastructure", "cloud cost optimization", "endpoint security",
    "vendor risk management", "contract lifecycle management", "employee onboarding software",
    "inventory management software", "warehouse management system", "AI code review",
    "CI/CD pipelines", "load testing", "headless CMS", "product analytics", "A/B testing",
    "customer data platform", "marketing attribution", "route optimization", "freight audit", "EDI integration", "compliance training",
    "workforce scheduling", "shift scheduling", "KYC and AML checks",
    "card issuing API", "treasury management", "bookkeeping and tax", "fractional CFO services",
    "managed IT services", "penetration testing", "staffing", "executive search",
    "commercial cleaning", "office coffee service", "packaging design", "industrial equipment leasing", "quality inspection", "lab testing",
]
B2B_AUDIENCES = [
    "engineering teams", "finance teams", "HR teams", "data teams", "security teams",
    "sales teams", "support teams", "online merchants", "Shopify stores", "SaaS companies",
    "fintechs", "banks and credit unions", "hospitals", "dental practices", "veterinary clinics",
    "law firms", "accounting firms", "logistics companies", "3PLs", "freight brokers",
    "mid-market companies", "enterprises", "small businesses", "startups", "developers",
    "auto dealers", "property managers", "landlords", "school districts", "nonprofits",
    "insurers", "retailers", "franchise owners", "contractors", "restaurants", "hotels",
    "gyms and fitness studios", "salons and spas", "manufacturers", "food and beverage brands",
    "construction companies", "home service businesses", "marketplaces", "agencies",
    "B2B companies", "remote teams", "clinics", "pharmacies", "trucking companies",
    "e-commerce brands", "utilities", "government agencies", "universities",
]
B2B_TEMPLATES = [
    "{P} for {aud}", "The {p} platform for {aud}", "{P}, built for {aud}",
"Open-source {p} for {aud}", "AI-powered {p} for {aud}",
    "We help {aud} with {p}", "{P} that {aud} actually like", "Modern {p} for {aud}",
    "{P} API for {aud}", "All-in-one {p} for {aud}", "{P} for {aud}, in one dashboard",
    "B2B {p}", "{P} for the enterprise", "{P} as a service", "Self-serve {p} for {aud}",
]
CONSUMER_APPS = [
    "Meet {people} near you", "Plan your {event} without the stress",
    "Split bills and rent with your roommates", "Save money on {spend} automatically",
    "Get cash back every time you shop online", "Chat with {people} who share your hobbies",
    "The easiest way to {goal}", "Build better habits with daily reminders",
    "Stream {media} on any device", "Your personal {coach} in your pocket",
    "Compare {spend} prices and save", "Get matched with {service} you can trust",
    "Discover {media} picked just for you", "Practice {skill} with a friendly AI tutor",
    "Turn your spare change into savings", "Keep your family's {thing} in sync",
    "Order {food} from restaurants near you", "Log your {habit} and see your progress",
    "Hire {service} for a few hours", "Take {skill} lessons from home",
]
CONSUMER_FILL = {
    "habit": ["workouts", "water intake", "reading", "mood", "steps", "spending", "sleep",
              "meditation", "calories", "baby's feedings"],
    "service": ["a dog walker", "a house cleaner", "a haircut", "a tutor", "a massage",
                "a photographer", "a handyman", "a yoga class", "a personal trainer",
                "a piano teacher", "a pet sitter", "a manicure"],
    "skill": ["guitar", "French", "Japanese", "coding", "chess", "drawing", "piano", "cooking",
              "photography", "sign language"],
    "people": ["new friends", "other dog owners", "single parents", "runners", "gamers",
               "book lovers", "hikers", "expats", "moms", "board game fans"],
    "event": ["wedding", "vacation", "birthday party", "road trip", "baby shower", "move"],
    "spend": ["groceries", "gas", "car insurance", "flights", "phone bills", "utilities"],
    "thing": ["recipes", "to-do lists", "kids' schedules", "medications",
              "travel plans", "photos", "receipts"],
    "food": ["sushi", "tacos", "groceries", "pizza", "healthy lunches", "dessert"],
    "goal": ["sell your car", "find a roommate", "learn to swim", "pay off debt",
             "send money home", "plan meals for the week", "find a babysitter"],
        "media": ["movies", "anime", "podcasts", "audiobooks", "live sports", "concerts"],
    "coach": ["running coach", "language tutor", "nutrition coach", "budget coach"],
}
CONSUMER_GOODS = ["coffee", "socks", "luggage", "protein bars", "sparkling water", "hot sauce",
                  "bedding", "activewear", "hair care", "sunscreen", "cookware", "tea",
                  "baby clothes", "cat food", "vitamins", "swimwear", "backpacks", "chocolate",
                  "plant-based snacks", "razors", "underwear", "houseplants", "board games"]
CONSUMER_BRANDS = [
    "{G} made from recycled materials", "{G} sold online, no middleman markups",
    "A monthly {g} club for {aud}", "Small-batch {g} with free shipping",
    "{G} for {aud}", "Ethically made {g} for everyday life",
    "Premium {g} at honest prices", "{G} you'll actually love, with 30-day free returns",
    "Family-owned {g} shop in {city}",
]
CONSUMER_AUDIENCES = ["new parents", "kids", "teens", "college students", "seniors", "women",
                      "men", "couples", "pet owners", "families", "athletes", "travelers",
                      "busy professionals", "first-time home buyers", "people with allergies",
                      "gamers", "gardeners", "retirees", "outdoor lovers", "music lovers"]
CONSUMER_SERVICES = [
    "Boutique {studio} in {city}", "{Studio} classes for all levels in {city}",
    "Family-run {shop} serving {city} since 1998", "Mobile {service2} that comes to your home",
    "{Service2} for {aud}", "Same-day {service2} for busy households",
]
CONSUMER_SERVICE_FILL = {
    "studio": ["yoga studio", "climbing gym", "pilates studio", "barre studio", "boxing gym",
               "dance studio", "pottery studio", "martial arts school"],
    "shop": ["bakery", "bike shop", "bookstore", "ice cream parlor", "pizzeria", "florist",
             "pet store", "toy store"],
    "service2": ["dog grooming", "car detailing", "house cleaning", "lawn care", "tutoring",
                 "piano lessons", "massage", "meal prep", "laundry pickup", "phone repair",
                 "eyebrow threading", "personal training"],
}
BOTH = [
    ("{Offer} for {caud} and {baud}", None),
    ("{Offer} for {baud} and {caud}", "businesses"),
    ("Cleaning for homes and offices", None),
    ("Photography for weddings, families and brands", None),
    ("Event venue for weddings, birthdays and company offsites", None),
    ("Accounting and tax for individuals and small businesses", None),
    ("Legal services for families and small businesses", None),
    ("Pest control for homes and businesses", None),
    ("Plumbing and HVAC for residential and commercial customers", None),
    ("Printing for personal and business orders", None),
    ("Internet service for homes and businesses", None),
    ("IT help for households and small offices", None),
    ("Landscaping for homeowners and commercial properties", None),
    ("Translation services for individuals and companies", None),
]
BOTH_OFFERS = ["Insurance", "Security systems", "Solar panels", "Cloud backup",
               "Locksmith services", "Electrical work", "Window cleaning", "Tax preparation",
               "Computer repair", "Roofing", "Financial planning",
               "Web design", "Notary services", "Shredding services"]
BOTH_CONSUMERS = ["families", "homeowners", "individuals", "households", "residential customers"]
BOTH_BUSINESSES = ["small businesses", "companies", "commercial clients", "local businesses",
                   "offices"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def one_liners(rng, cities: list[str], n_b2b: int = 500, n_consumer: int = 500,
               n_both: int = 120) -> list[tuple[str, str, str, str]]:
    """(text, role, market, rule) tuples; deterministic for a seeded numpy ``rng``."""

    def pick(seq):
        return seq[int(rng.integers(len(seq)))]

    out = []
    for _ in range(n_b2b):
        p = pick(B2B_PRODUCTS)
        text = pick(B2B_TEMPLATES).format(p=p, P=_cap(p), aud=pick(B2B_AUDIENCES))
        out.append((text, "b2b-provider", "businesses", "business product or service, or one "
                    "for businesses"))
    for i in range(n_consumer):
        kind = i % 3
        if kind == 0:
            fill = {k: pick(v) for k, v in CONSUMER_FILL.items()}
            text = pick(CONSUMER_APPS).format(**fill)
        elif kind == 1:
            g = pick(CONSUMER_GOODS)
            text = pick(CONSUMER_BRANDS).format(g=g, G=_cap(g), aud=pick(CONSUMER_AUDIENCES),
                                                city=pick(cities))
        else:
            fill = {k: pick(v) for k, v in CONSUMER_SERVICE_FILL.items()}
            fill.update({k.capitalize(): _cap(v) for k, v in fill.items()})
            text = pick(CONSUMER_SERVICES).format(**fill, aud=pick(CONSUMER_AUDIENCES),
                                                  city=pick(cities))
        out.append((text, "non-b2b-rep", "consumers", "consumer app, brand or service"))
    for _ in range(n_both):
        template, first = pick(BOTH)
        text = template.format(Offer=pick(BOTH_OFFERS), caud=pick(BOTH_CONSUMERS),
                               baud=pick(BOTH_BUSINESSES))
        role = "b2b-provider" if first == "businesses" else "non-b2b-rep"
        out.append((text, role, "both", "one offer for consumers and businesses alike"))
    return out
