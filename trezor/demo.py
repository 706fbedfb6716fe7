from random import Random

from .services import trezor_account_register, trezor_address_derive, trezor_address_mark_used


def seed_demo_trezor(*, size: int, rng: Random, context: dict) -> int:
    accounts = max(1, size // 10)
    for number in range(accounts):
        account = trezor_account_register(
            xpub=f"xpub{rng.randrange(16**100):0100x}",
            network="tron",
            label=f"Hot wallet {number}",
            user_id=rng.choice(context["admins"]),
        )
        for index in range(rng.randint(1, 5)):
            trezor_address_derive(
                account_id=account.id, address=f"T{rng.randrange(16**33):033x}", path=f"m/44'/195'/{number}'/0/{index}"
            )
        trezor_address_mark_used(account_id=account.id, index=0)
    return accounts
