from cutover.factory import repository_for

from .records import TrezorAccountRecord

DOMAIN = "trezor"


def trezor_account_register(
    *, xpub: str, network: str, label: str = "", user_id: str | None = None, account_index: int = 0
) -> TrezorAccountRecord:
    if not xpub.strip():
        raise ValueError("a trezor account needs its xpub")
    return repository_for(DOMAIN).create_account(
        xpub=xpub.strip(), network=network, label=label, user_id=user_id, account_index=account_index
    )


def trezor_address_derive(*, account_id: str, address: str, path: str) -> TrezorAccountRecord:
    return repository_for(DOMAIN).derive_address(account_id, address=address, path=path)


def trezor_address_mark_used(*, account_id: str, index: int) -> TrezorAccountRecord:
    return repository_for(DOMAIN).mark_address_used(account_id, index=index)
