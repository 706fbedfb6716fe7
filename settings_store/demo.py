from random import Random

from .services import config_set, level_put, shop_save

_LEVELS = (
    (1, "Newcomer", 0, []),
    (2, "Trader", 100, ["Lower fees"]),
    (3, "Trusted", 500, ["Lower fees", {"kind": "priority_support"}]),
    (4, "Elite", 2000, ["Lower fees", {"kind": "fee_discount", "percent": 2.5}]),
)
# Values of every JSON type, as the legacy app kept them.
_CONFIGS = (
    ("escrow.fee_percent", 1.5, "Escrow fee, percent of the amount"),
    ("escrow.hold_days", 14, "Days funds are held before auto-release"),
    ("payments.networks", ["tron", "ethereum", "bitcoin"], "Networks accepted for deposits"),
    ("ui.banner", {"text": "Maintenance on Sunday", "level": "info", "dismissible": True}, ""),
    ("limits", {"z_max": 10000, "a_min": 10.0, "per_currency": {"BTC": 0.5, "USDT": None}}, "Keys out of order"),
    ("feature.chat", None, "null on purpose: not decided yet"),
)


def seed_demo_levels(*, size: int, rng: Random, context: dict) -> int:
    """The whole level table, whatever the size: a settings table is one fixed set of rows."""
    for level, name, min_points, perks in _LEVELS:
        level_put(level=level, name=name, min_points=min_points, perks=perks)
    return len(_LEVELS)


def seed_demo_shops(*, size: int, rng: Random, context: dict) -> int:
    sellers = context["users"][:size]
    for index, seller_id in enumerate(sellers):
        shop_save(
            seller_id=seller_id,
            shop_name=f"Shop {index + 1}",
            description=rng.choice(["Gift cards", "Game keys", "Подарочные карты", ""]),
            logo_url=f"https://cdn.example.com/logos/{index}.png" if rng.random() < 0.5 else None,
        )
    return len(sellers)


def seed_demo_configs(*, size: int, rng: Random, context: dict) -> int:
    """Every demo config, whatever the size: they show each JSON type round-tripping."""
    for key, value, description in _CONFIGS:
        config_set(key=key, value=value, description=description)
    return len(_CONFIGS)
