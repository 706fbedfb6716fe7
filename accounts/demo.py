"""Demo users and addresses for seed_demo, written through the services."""

from random import Random

from . import services

_CITIES = [("Berlin", "DE"), ("Lisboa", "PT"), ("Zürich", "CH"), ("Austin", "US"), ("Kraków", "PL")]


def seed_demo_users(*, size: int, rng: Random, context: dict) -> int:
    run = rng.randrange(16**6)
    users = [
        services.user_register(
            email=f"User{index}.{run:06x}@Example.com ",
            password_hash="$2b$12$" + "x" * 53,
            display_name=f"Demo user {index}",
            role="admin" if index % 10 == 0 else "user",
        )
        for index in range(size)
    ]
    context["users"] = [user.id for user in users]
    context["admins"] = [user.id for user in users if user.role == "admin"] or context["users"][:1]
    return len(users)


def seed_demo_addresses(*, size: int, rng: Random, context: dict) -> int:
    for user_id in context["users"][:size]:
        city, country = rng.choice(_CITIES)
        services.address_add(
            user_id=user_id,
            address_type=rng.choice(["Home", "Work", "Shipping"]),
            line1=f"{rng.randint(1, 200)} Demo Street",
            city=city,
            country=country,
        )
    return min(size, len(context["users"]))
